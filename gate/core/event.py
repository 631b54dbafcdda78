"""From the event payload to the scan's target: which repository, which two commits, which branch.

Pure: `parse_payload` reads the payload's bytes (gate.runner.payload reads the file), `read_event`
what it says with the runner's variables, and never calls out. What the payload cannot give (a
new branch's base, a `schedule` run's repository id) comes from the overrides, then from the
GitHub API, in the flow (gate.flow.target).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from gate import DOCS
from gate.core.errors import EventError
from gate.core.sanitize import clean, valid_unicode

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
SUPPORTED_EVENTS = (*PULL_REQUEST_EVENTS, "push", "merge_group", "workflow_dispatch", "schedule", "release")
DEPENDABOT = "dependabot[bot]"
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_ZERO = re.compile(r"0+")
PAYLOAD_LIMIT = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB: a reader needs no more than one byte past it.


@dataclass(frozen=True)
class EventFacts:
    """What one event tells about the scan; None where it cannot say."""

    event: str
    repository_id: str | None = None
    base_commit: str | None = None
    head_commit: str | None = None
    branch: str | None = None
    pr_url: str | None = None
    pr_title: str | None = None
    is_fork: bool = False
    is_dependabot: bool = False
    deleted: bool = False
    supported: bool = True


@dataclass(frozen=True)
class Overrides:
    """The override inputs; each wins over what the event gives."""

    repository_id: str | None = None
    base_commit: str | None = None
    head_commit: str | None = None
    branch: str | None = None

    @property
    def complete(self) -> bool:
        return None not in (self.repository_id, self.base_commit, self.head_commit, self.branch)


def parse_payload(raw: bytes) -> dict[str, Any]:
    """The webhook payload in `raw` (the file at GITHUB_EVENT_PATH), as a JSON object."""
    if len(raw) > PAYLOAD_LIMIT:
        raise EventError("the event payload at GITHUB_EVENT_PATH is larger than GitHub ever sends (25 MB)")
    try:
        # Invalid UTF-8 (a title cut mid-character) is replaced, not fatal: the scan can still start.
        payload = json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError as error:
        raise EventError(f"the event payload at GITHUB_EVENT_PATH is not valid JSON ({error})") from None
    except RecursionError:
        raise EventError("the event payload at GITHUB_EVENT_PATH is nested too deeply for a webhook payload") from None
    if not isinstance(payload, dict):
        raise EventError("the event payload at GITHUB_EVENT_PATH is not a JSON object")
    return payload


def pull_request_number(payload: dict[str, Any]) -> int | None:
    """The pull request's number, or None where the payload has none."""
    number = _at(payload, "pull_request.number")
    return number if isinstance(number, int) and not isinstance(number, bool) and number > 0 else None


def _at(payload: dict[str, Any], path: str) -> Any:
    """The value at a dotted path, or None where any step is missing or not an object."""
    value: Any = payload
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _text(payload: dict[str, Any], path: str, *, required: bool = True) -> str | None:
    value = _at(payload, path)
    if isinstance(value, str) and value.strip() and not re.search(r"[\x00-\x1f\x7f]", value):
        return valid_unicode(value)
    if value is None and not required:
        return None
    raise EventError(f"the event payload's {path} is missing or not a one-line string")


def _sha(payload: dict[str, Any], path: str) -> str:
    value = _at(payload, path)
    if not isinstance(value, str) or not _SHA.fullmatch(value):
        raise EventError(f"the event payload's {path} is missing or not a commit SHA")
    return value


def _sha_or_zero(value: str) -> str | None:
    return None if _ZERO.fullmatch(value) else value


def branch_from_ref(ref: str) -> str:
    """`refs/heads/main` -> `main`, `refs/tags/v1` -> `v1`; anything else unchanged."""
    for prefix in ("refs/heads/", "refs/tags/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref


def _title(payload: dict[str, Any]) -> str | None:
    title = _at(payload, "pull_request.title")
    return clean(title) if isinstance(title, str) else None


def _pull_request(name: str, payload: dict[str, Any], actor: str) -> EventFacts:
    head_repo = _at(payload, "pull_request.head.repo")
    head_name = head_repo.get("full_name") if isinstance(head_repo, dict) else None
    return EventFacts(
        event=name,
        repository_id=_text(payload, "repository.node_id", required=False),
        base_commit=_sha(payload, "pull_request.base.sha"),
        head_commit=_sha(payload, "pull_request.head.sha"),
        branch=_text(payload, "pull_request.head.ref"),
        pr_url=_text(payload, "pull_request.html_url", required=False),
        pr_title=_title(payload),
        # A deleted fork shows as head.repo null.
        is_fork=head_name is None or head_name != _at(payload, "repository.full_name"),
        is_dependabot=DEPENDABOT in (_at(payload, "pull_request.user.login"), actor),
    )


def _push(payload: dict[str, Any], actor: str) -> EventFacts:
    after = _sha_or_zero(_sha(payload, "after"))
    return EventFacts(
        event="push",
        repository_id=_text(payload, "repository.node_id", required=False),
        # A new branch has `before` all zeros: its base is the parent of `after`.
        base_commit=_sha_or_zero(_sha(payload, "before")),
        head_commit=after,
        branch=branch_from_ref(_text(payload, "ref") or ""),
        is_dependabot=actor == DEPENDABOT,
        deleted=after is None,
    )


def _merge_group(payload: dict[str, Any], actor: str) -> EventFacts:
    return EventFacts(
        event="merge_group",
        repository_id=_text(payload, "repository.node_id", required=False),
        base_commit=_sha(payload, "merge_group.base_sha"),
        head_commit=_sha(payload, "merge_group.head_sha"),
        branch=branch_from_ref(_text(payload, "merge_group.head_ref") or ""),
        is_dependabot=actor == DEPENDABOT,
    )


def _commit_run(name: str, payload: dict[str, Any], sha: str, ref: str, actor: str) -> EventFacts:
    if not _SHA.fullmatch(sha):
        raise EventError(f"GITHUB_SHA is missing or not a commit SHA on a {name} run: set head-commit")
    return EventFacts(
        event=name,
        repository_id=_text(payload, "repository.node_id", required=False),
        head_commit=sha,
        branch=branch_from_ref(ref) or None,
        is_dependabot=actor == DEPENDABOT,
    )


def read_event(name: str, payload: dict[str, Any], *, sha: str = "", ref: str = "", actor: str = "") -> EventFacts:
    """What the event `name` with this payload says about the scan."""
    if name in PULL_REQUEST_EVENTS:
        return _pull_request(name, payload, actor)
    if name == "push":
        return _push(payload, actor)
    if name == "merge_group":
        return _merge_group(payload, actor)
    if name in ("workflow_dispatch", "schedule", "release"):
        return _commit_run(name, payload, sha, ref, actor)
    return EventFacts(
        event=name,
        repository_id=_text(payload, "repository.node_id", required=False),
        supported=False,
        is_dependabot=actor == DEPENDABOT,
    )


def head_and_branch(facts: EventFacts, overrides: Overrides) -> tuple[str, str]:
    """The head commit and branch of a branch scan: overrides first, then the event; EventError naming what to set."""
    if not facts.supported and not overrides.complete:
        raise EventError(
            f"the {facts.event or 'unknown'} event is not supported; use one of {', '.join(SUPPORTED_EVENTS)}, "
            f"or set repository-id, base-commit, head-commit and branch-name (see {DOCS}#triggers)"
        )
    head = overrides.head_commit or facts.head_commit
    branch = overrides.branch or facts.branch
    if head is None:
        raise EventError(f"the {facts.event} event names no head commit: set head-commit")
    if branch is None:
        raise EventError(f"the {facts.event} event names no branch: set branch-name")
    return head, branch


def release_head(facts: EventFacts, overrides: Overrides) -> str:
    """The one commit a release gate judges: the override, else the event's head (a release's tagged commit, a tag
    push's `after`, a run's commit, a pull request's head)."""
    head = overrides.head_commit or facts.head_commit
    if head is None:
        raise EventError(f"the {facts.event or 'unknown'} event names no commit to gate as a release: set head-commit")
    return head


@dataclass(frozen=True)
class PolicyReading:
    """Where the repository's own policy file is read, and what a profile's `when` is matched against.

    `read_at` is a commit the change under review cannot alter: a pull request's (or merge
    group's) base, else the run's commit. `head` is the change's own commit on pull request
    events (to tell the user their edit of the policy applies once merged), else None.
    """

    event: str
    read_at: str
    head: str | None
    branch: str | None
    tag: str | None


def policy_reading(name: str, payload: dict[str, Any], *, sha: str, ref: str) -> PolicyReading:
    """What the event `name` says about reading the policy file."""
    if name in PULL_REQUEST_EVENTS:
        base = _sha(payload, "pull_request.base.sha")
        head = _sha(payload, "pull_request.head.sha")
        return PolicyReading(name, base, head, _text(payload, "pull_request.base.ref"), None)
    if name == "merge_group":
        base, head = _sha(payload, "merge_group.base_sha"), _sha(payload, "merge_group.head_sha")
        return PolicyReading(name, base, head, branch_from_ref(_text(payload, "merge_group.base_ref") or ""), None)
    commit = (_sha_or_zero(_sha(payload, "after")) if name == "push" else None) or sha
    if not _SHA.fullmatch(commit):
        raise EventError(f"GITHUB_SHA is missing or not a commit SHA on a {name} run: cannot read the policy file")
    if name == "release":
        return PolicyReading(name, commit, None, None, _text(payload, "release.tag_name", required=False))
    ref = (_text(payload, "ref", required=False) if name == "push" else None) or ref
    is_tag = ref.startswith("refs/tags/")
    return PolicyReading(
        name, commit, None, None if is_tag else branch_from_ref(ref) or None, branch_from_ref(ref) if is_tag else None
    )
