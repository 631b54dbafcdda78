"""The policy file's part of a run: read it where the change under review cannot alter it, choose a profile, merge.

Runs before any request to Aikido. A path in this repository is read at a commit a pull request
cannot change (its base; the run's commit on other events), never from the workspace; a file in
another repository at the ref the input names. On a pull request the change's own version is
read too, only to say that an edit applies once merged (and a policy the change introduces
does not judge it: the built-in defaults do).
"""

from __future__ import annotations

from typing import Any, Protocol

from gate.core.errors import GitHubLookupFailed, PolicyMissing
from gate.core.event import PolicyReading, policy_reading
from gate.core.plan import RunPlan, with_settings
from gate.core.policy import Automation, Location, Policy, RunFacts, select
from gate.core.precedence import Effective, PolicyReport, effective
from gate.flow.ports import Workflow

TITLE = "Aikido policy"


class PolicyFiles(Protocol):
    """A repository's files at a commit or ref (gate.github.policy)."""

    def text(self, repository: str, path: str, ref: str) -> str | None: ...
    def parse(self, text: str, source: str) -> Policy: ...


def apply_policy(
    plan: RunPlan, payload: dict[str, Any], files: PolicyFiles, workflow: Workflow
) -> tuple[RunPlan, PolicyReport | None, tuple[Automation, ...]]:
    """The plan with the chosen profile between the inputs and the defaults, what to report of it, and the rules."""
    location = plan.policy_file
    if location is None:
        return plan, None, ()
    job = plan.job
    reading = policy_reading(job.event_name, payload, sha=job.sha, ref=job.ref)
    text, read_at = _read(plan, location, reading, files, workflow)
    run = RunFacts(reading.event, reading.branch, reading.tag)
    if text is None:
        why = f"{location.shown} is new in this pull request: it applies once merged; the built-in defaults apply"
        chosen = effective(plan.given, None)
        return with_settings(plan, chosen), _report(location, read_at, None, why, chosen), ()
    policy = files.parse(text, location.shown)
    choice = select(policy, plan.policy_profile, run)
    if choice.profile is None:
        workflow.notice(choice.why, title=TITLE)
    name = choice.profile.name if choice.profile else None
    said = f"profile {name!r}: {choice.why}" if name else choice.why
    workflow.log(f"policy {location.shown} read at {read_at[:12]}; {said}")
    chosen = effective(plan.given, choice.profile.settings if choice.profile else None)
    return with_settings(plan, chosen), _report(location, read_at, name, choice.why, chosen), policy.automations


def _report(location: Location, read_at: str, profile: str | None, why: str, chosen: Effective) -> PolicyReport:
    rows = tuple((name, value, chosen.sources[name]) for name, value in chosen.settings.given())
    return PolicyReport(location.shown, read_at, profile, why, rows)


def _read(
    plan: RunPlan, location: Location, reading: PolicyReading, files: PolicyFiles, workflow: Workflow
) -> tuple[str | None, str]:
    """The policy's text and where it was read; None when a pull request introduces it."""
    if location.repository is not None and location.ref is not None:
        text = files.text(location.repository, location.path, location.ref)
        if text is None:
            raise PolicyMissing(
                f"the policy file {location.path} does not exist in {location.repository} at {location.ref} "
                "(a private repository also answers so without access: give policy-token contents: read there)"
            )
        return text, location.ref
    text = files.text(plan.repository, location.path, reading.read_at)
    known, head = _head_version(plan, location, reading, files)
    if text is None and known and head is not None:
        workflow.notice(
            f"this pull request adds the policy file {location.path}: it applies once merged; until then the "
            "built-in defaults and the inputs judge it",
            title=TITLE,
        )
        return None, reading.read_at
    if text is None:
        raise PolicyMissing(
            f"the policy file {location.path} does not exist in {plan.repository} at commit {reading.read_at[:12]} "
            "(policy-file names a path from the repository root, read at the base of a pull request)"
        )
    if known and head != text:
        workflow.notice(
            f"this pull request changes the policy file {location.path}: its version applies once merged; the "
            f"base's version (commit {reading.read_at[:12]}) judges it",
            title=TITLE,
        )
    return text, reading.read_at


def _head_version(
    plan: RunPlan, location: Location, reading: PolicyReading, files: PolicyFiles
) -> tuple[bool, str | None]:
    """Whether the change's own version is known (pull requests only), and its text (None: not in the change).

    Read only to tell the user what applies when: a head GitHub will not show (a fork's) is no error.
    """
    if reading.head is None:
        return False, None
    try:
        return True, files.text(plan.repository, location.path, reading.head)
    except GitHubLookupFailed:
        return False, None
