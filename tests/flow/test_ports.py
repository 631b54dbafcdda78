"""gate.flow.ports: every port has its adapter (and its in-memory fake), each with the port's members and signatures.

mypy checks the same where the wiring passes an adapter in; this says it of every port at once, names
the adapter a new port needs, and keeps the tests' fakes (tests/support/ports.py) honest too.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from typing import Any

import pytest

from gate.flow import ports

# Each port, and who implements it: an adapter around the flow, or the flow itself (marked so).
IMPLEMENTED_BY = {
    "Workflow": "gate.runner.workflow:Workflow",
    "Files": "gate.runner.workflow:AtomicFiles",
    "RunSoFar": "gate.flow.state:RunState",  # the flow's own, read by gate.runner.cancel
    "ScanSource": "gate.aikido.client:AikidoClient",
    "Scanner": "gate.aikido.client:AikidoClient",
    "Progress": None,  # the flow's callback (gate.flow.run), called by gate.uploads.body
    "Body": "gate.uploads.body:UploadBody",
    "Uploads": "gate.uploads.workspace:WorkspaceUploads",
    "Lookups": "gate.github.lookups:GitHubLookups",
    "PolicyFiles": "gate.github.policy:PolicyFiles",
    "PullRequest": "gate.github.comments:PyGithubPullRequest",
    "IssueTracker": "gate.github.issues:PyGithubIssues",
    "Chat": "gate.chat.webhook:Webhook",
    "Mailer": "gate.mail.smtp:SmtpMailer",
}
FAKED_BY = {
    "Workflow": "FakeWorkflow",
    "Files": "FakeFiles",
    "Scanner": "FakeScanner",
    "Uploads": "NoUploads",
    "Lookups": "FakeLookups",
    "PullRequest": "FakePullRequest",
    "IssueTracker": "FakeTracker",
    "Chat": "FakeChat",
    "Mailer": "FakeMailer",
}


def protocols() -> dict[str, type]:
    """The ports gate.flow.ports declares, by name."""
    return {
        name: value
        for name, value in vars(ports).items()
        if inspect.isclass(value) and getattr(value, "_is_protocol", False) and value.__module__ == ports.__name__
    }


def load(where: str) -> type:
    module, name = where.split(":")
    found: type = getattr(importlib.import_module(module), name)
    return found


def members(protocol: type) -> dict[str, Any]:
    """The port's methods, properties and attributes, its own and its ports' (bases) alike."""
    found: dict[str, Any] = {}
    for klass in reversed(protocol.__mro__):
        if klass.__module__ != protocol.__module__:
            continue
        found |= dict.fromkeys(inspect.get_annotations(klass), "attribute")
        found |= {
            name: value
            for name, value in vars(klass).items()
            if (callable(value) or isinstance(value, property))
            and (not name.startswith("_") or name in ("__call__", "__iter__"))
        }
    return found


def _assigned(implementation: type) -> set[str]:
    """The attributes an implementation's methods assign (`self.name = …`)."""
    try:
        source = textwrap.dedent(inspect.getsource(implementation))
    except (OSError, TypeError):
        return set()
    return {
        target.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"
    }


def _parameters(function: Any) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(function).parameters.values() if p.name != "self"]


def _required(parameter: inspect.Parameter) -> bool:
    """A parameter a call must pass: no default, and not *args or **kwargs."""
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return parameter.default is inspect.Parameter.empty and parameter.kind not in variadic


def mismatches(protocol: type, implementation: type) -> list[str]:
    """What `implementation` lacks of `protocol`: a member, or a parameter as the port names and passes it."""
    annotated = {name for klass in implementation.__mro__ for name in inspect.get_annotations(klass)}
    found = []
    for name, member in members(protocol).items():
        if member == "attribute" or isinstance(member, property):
            if not (hasattr(implementation, name) or name in annotated or name in _assigned(implementation)):
                found.append(f"{name}: missing")
            continue
        own = getattr(implementation, name, None)
        if not callable(own):
            found.append(f"{name}(): missing")
            continue
        theirs = {p.name: p for p in _parameters(own)}
        wanted = _parameters(member)
        for parameter in wanted:
            match = theirs.get(parameter.name)
            keyword_ok = match is not None and match.kind is not inspect.Parameter.POSITIONAL_ONLY
            positional_ok = parameter.kind is inspect.Parameter.KEYWORD_ONLY or (
                match is not None and match.kind is not inspect.Parameter.KEYWORD_ONLY
            )
            if not (keyword_ok and positional_ok):
                found.append(f"{name}(): parameter {parameter.name} is not taken as the port passes it")
        extra = [p.name for p in theirs.values() if p.name not in {w.name for w in wanted}]
        if [
            n
            for n in extra
            if theirs[n].default is inspect.Parameter.empty
            and theirs[n].kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        ]:
            found.append(f"{name}(): needs more than the port passes")
    return found


def test_every_port_names_who_implements_it() -> None:
    assert sorted(protocols()) == sorted(IMPLEMENTED_BY)


@pytest.mark.parametrize("port", sorted(name for name, where in IMPLEMENTED_BY.items() if where))
def test_the_adapter_implements_its_port(port: str) -> None:
    where = IMPLEMENTED_BY[port]
    assert where is not None
    assert mismatches(protocols()[port], load(where)) == []


@pytest.mark.parametrize("port", sorted(FAKED_BY))
def test_the_tests_fake_implements_it_too(port: str) -> None:
    assert mismatches(protocols()[port], load(f"tests.support.ports:{FAKED_BY[port]}")) == []


def test_the_check_sees_a_missing_member_and_a_wrong_signature() -> None:
    class Wrong:
        def __init__(self) -> None:
            self.posted = 0

        def issue_comments(self) -> list[ports.Comment]:
            return []

        def create_issue_comment(self, text: str) -> ports.Comment:
            return ports.Comment(1, text, "me")

        def edit_issue_comment(self, comment_id: int, body: str, reason: str) -> None: ...

    found = mismatches(ports.PullRequest, Wrong)
    assert "identity(): missing" in found
    assert "create_issue_comment(): parameter body is not taken as the port passes it" in found
    assert "edit_issue_comment(): needs more than the port passes" in found
    assert "group_open: missing" in mismatches(ports.Workflow, Wrong)
