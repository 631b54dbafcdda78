"""The policy file: read through GitHub's contents API at a given commit, and parsed as YAML safely.

Reading goes through the API, never the workspace: on a pull request the workspace holds the
change under review, and the policy that judges it must come from a commit it cannot alter.
Parsing uses PyYAML's safe loader with aliases refused at once, so an alias bomb is never
expanded, nesting and numbers bounded, so thousands of levels or digits are a problem reported
like any other, and a key given twice is an error rather than a silent overwrite. Plain words and
numbers are read as YAML 1.2 reads them, not as PyYAML's YAML 1.1 (where `no` is false and
`1:00:00` is 3600), and only YAML's own types are built; the validation is `gate.core.policy`'s.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import yaml

from gate.core.answers import excerpt
from gate.core.errors import GitHubLookupFailed, PolicyError
from gate.core.policy import MAX_POLICY_BYTES, LongNumber, Policy, join_path, shown, validate
from gate.github.errors import RefusedYaml
from gate.net.faults import AnswerTooLarge, GaveUp, Stop
from gate.net.http import Retrier, Safety, host_and_port

# A policy file nests lists and mappings 9 deep (automations[].events[].actions[].createIssueOptions.labels[]);
# PyYAML composes recursively, so thousands of levels would end in RecursionError.
MAX_DEPTH = 50
# Its numbers are a few digits long; Python refuses to read an int of over 4300 (CVE-2020-10735).
MAX_DIGITS = 100

_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_NULL = re.compile(r"~|null|Null|NULL|")
# YAML 1.2's core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution), in its order: an int
# before a float. PyYAML's YAML 1.1 would also read yes/no/on/off/y/n as booleans, 1:00:00 as 3600
# (base 60), 0600 as 384 (octal), 1_000 as 1000, 2024-01-01 as a date and << as a merge.
_CORE = (
    ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", _BOOL, list("tTfF")),
    ("tag:yaml.org,2002:int", _INT, list("-+0123456789")),
    ("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789")),
)


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing aliases and deep nesting, resolving plain scalars after YAML 1.2."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}  # noqa: RUF012 -- PyYAML's class table
    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
            raise RefusedYaml(None, None, "an alias (*name) is not allowed in a policy file", event.start_mark)
        if self._depth >= MAX_DEPTH and self.check_event(yaml.CollectionStartEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
            raise RefusedYaml(
                None, None, f"lists and mappings nested more than {MAX_DEPTH} deep (a policy file nests at most 9)",
                event.start_mark,
            )  # fmt: skip
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


for _tag, _pattern, _first in _CORE:
    # PyYAML's resolver calls match(): the pattern must reach the end of the scalar.
    _Loader.add_implicit_resolver(_tag, re.compile(rf"(?:{_pattern.pattern})\Z"), _first)

_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _fits(pattern: re.Pattern[str], text: str) -> str:
    """`text`, or ValueError if it is not what its tag says (only an explicit tag such as !!int can say so)."""
    if not pattern.fullmatch(text):
        raise ValueError(text)
    return text


def _integer(text: str) -> int | LongNumber:
    digits = len(_fits(_INT, text).lstrip("+-").removeprefix("0x").removeprefix("0o"))
    if digits > MAX_DIGITS:
        return LongNumber(digits)
    return int(text, 16 if text.startswith("0x") else 8 if text.startswith("0o") else 10)


def _float(text: str) -> float:
    special = {".inf": math.inf, ".nan": math.nan}.get(_fits(_FLOAT, text).lstrip("+-").lower())
    if special is None:
        return float(text)
    return -special if text.startswith("-") else special


# YAML's own scalar types: each made from its text (ValueError when the text is not one), and what it is.
_SCALARS: dict[str, tuple[Callable[[str], Any], str]] = {
    "tag:yaml.org,2002:str": (str, "text"),
    "tag:yaml.org,2002:null": (lambda _: None, "null"),
    "tag:yaml.org,2002:bool": (lambda text: _fits(_BOOL, text).lower() == "true", "true or false"),
    "tag:yaml.org,2002:int": (_integer, "a whole number"),
    "tag:yaml.org,2002:float": (_float, "a number"),
}


def _scalar(node: yaml.Node) -> Any:
    """A scalar's value, of YAML's own types only; MarkedYAMLError for another tag or a text its tag refuses."""
    if node.tag not in _SCALARS:
        raise RefusedYaml(None, None, f"the tag {node.tag} is not allowed", node.start_mark)
    make, what = _SCALARS[node.tag]
    try:
        return make(node.value)
    except ValueError:
        raise yaml.MarkedYAMLError(None, None, f"{shown(node.value)} is not {what}", node.start_mark) from None


def _key(node: yaml.Node) -> str:
    """A mapping's key as written (`1:` is the key "1"); RefusedYaml for a list, a mapping or null."""
    if isinstance(node, yaml.ScalarNode) and _scalar(node) is not None:
        return str(node.value)
    kind = {yaml.ScalarNode: "null", yaml.SequenceNode: "a list"}.get(type(node), "a mapping")
    raise RefusedYaml(None, None, f"a key must be a name, not {kind}", node.start_mark)


def _plain(node: yaml.Node, path: str, lines: dict[str, int]) -> Any:
    """The node as plain values, noting the line of every path; raises MarkedYAMLError on a duplicate key."""
    lines.setdefault(path, node.start_mark.line + 1)
    # YAML's own types only: a tag such as !!python/object would be ignored on a collection, so refuse it.
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
        raise RefusedYaml(None, None, f"the tag {node.tag} is not allowed", node.start_mark)
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _key(key_node)
            child = join_path(path, key)
            if key in mapping:
                problem = f"{child} is given twice (first on line {lines[child]})"
                raise yaml.MarkedYAMLError(None, None, problem, key_node.start_mark)
            lines[child] = key_node.start_mark.line + 1
            mapping[key] = _plain(value_node, child, lines)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, f"{path}[{index}]", lines) for index, item in enumerate(node.value)]
    return _scalar(node)


# What a policy file's bytes can be refused for before its text is read ({where}: the file, as the reader names it).
FAR_LARGER = "the policy file {where} is far larger than a policy file"


def decoded(data: bytes, where: str) -> str:
    """The file's text; PolicyError when it is not UTF-8 (the reader of a file, remote or local, says the same)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError(f"the policy file {where} is not UTF-8 text") from None


def parse_policy(text: str, source: str) -> Policy:
    """The validated policy in `text`; PolicyError naming `source` and where, for YAML and policy problems alike."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
        raise PolicyError(f"{source} is larger than {MAX_POLICY_BYTES // 1024} KiB: a policy file is a few lines")
    lines: dict[str, int] = {}
    try:
        document = _compose(text, lines)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = f"{where}{excerpt(error.problem or error.context or 'unreadable', limit=200)}"
        what = "is refused" if isinstance(error, RefusedYaml) else "is not valid YAML"
        raise PolicyError(f"{source} {what}: {problem}", [problem]) from None
    except yaml.reader.ReaderError as error:
        # A control character: PyYAML reads none but tab and newline.
        code = error.character if isinstance(error.character, int) else ord(error.character)
        line = text.count("\n", 0, error.position) + 1
        problem = f"line {line}: the character U+{code:04X} is not allowed in YAML"
        raise PolicyError(f"{source} is not valid YAML: {problem}", [problem]) from None
    except yaml.YAMLError as error:
        raise PolicyError(f"{source} is not valid YAML: {excerpt(str(error), limit=200)}") from None
    return validate(document, lines, source)


def _compose(text: str, lines: dict[str, int]) -> Any:
    """The document in `text` as plain values, noting the line of every path; YAMLError saying what is wrong."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return _plain(node, "", lines) if node is not None else None
    finally:
        loader.dispose()


class PolicyFiles:
    """Reads a file of a repository at a commit or ref through the contents API (GitHub.com or GHES)."""

    def __init__(self, http: httpx.Client, retrier: Retrier, token_input: str) -> None:
        self._http = http
        self._retrier = retrier
        self._token_input = token_input

    def text(self, repository: str, path: str, ref: str) -> str | None:
        """The file's text, or None when it does not exist at `ref`; GitHubLookupFailed saying why it cannot be read."""
        owner, _, name = repository.partition("/")
        url = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}/contents/{quote(path)}"
        request = self._http.build_request(
            "GET", url, params={"ref": ref}, headers={"Accept": "application/vnd.github.raw+json"}
        )
        where = f"{path} in {repository} at {ref[:12] if len(ref) == 40 else ref}"
        try:
            response = self._retrier.send(self._http, request, Safety.IDEMPOTENT)
        except GaveUp as gave_up:
            host = host_and_port(self._http.base_url)
            if gave_up.stop in (Stop.CANNOT_CONNECT, Stop.UNTRUSTED) or gave_up.response is None:
                raise GitHubLookupFailed(
                    f"could not reach the GitHub API at {host} to read the policy file {where} ({gave_up.reason}): "
                    "check GITHUB_API_URL and the network to it"
                ) from None
            raise GitHubLookupFailed(f"could not read the policy file {where}: {gave_up.reason}") from None
        except AnswerTooLarge:
            raise PolicyError(FAR_LARGER.format(where=where)) from None
        if response.status_code == 404:
            return None
        if response.status_code in (401, 403):
            raise GitHubLookupFailed(
                f"GitHub refused to read the policy file {where} (HTTP {response.status_code}): give "
                f"{self._token_input} contents: read on {repository}",
                response.status_code,
            )
        if not 200 <= response.status_code < 300:
            raise GitHubLookupFailed(
                f"GitHub answered HTTP {response.status_code} reading the policy file {where}: "
                f"{excerpt(response.text, limit=120)}",
                response.status_code,
            )
        return decoded(response.content, where)

    def parse(self, text: str, source: str) -> Policy:
        return parse_policy(text, source)
