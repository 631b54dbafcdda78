"""The policy file's part of a run: read it where the change under review cannot alter it, choose a profile, merge.

Before any request to Aikido, only the trusted version is read: a path in this repository at a
commit a pull request cannot change (its base; the run's commit on other events), never from the
workspace; a file in another repository at the ref the input names. The change's own version is
read after the verdict (`check_head`), so it can neither stop, delay nor change the scan: only
say that it would break the gate once merged, and fail the step for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from gate.core.errors import GitHubLookupFailed, PolicyError, PolicyMissing
from gate.core.event import PolicyReading, policy_reading
from gate.core.plan import Location, RunPlan
from gate.core.precedence import Effective, PolicyReport, effective
from gate.flow.ports import PolicyFiles, Workflow
from gate.flow.report import POLICY_TITLE as TITLE

if TYPE_CHECKING:
    # For the annotations only: the policy model loads on the runs that have a policy file (`apply_policy`).
    from gate.core.policy import Automation, Instance

# A path whose first parts could be OWNER/REPO: given without @REF, the likely slip for a central file.
_LOOKS_REMOTE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+/[^@]+")


@dataclass(frozen=True)
class HeadVersion:
    """A pull request's own version of this repository's policy file, to check after the verdict (`check_head`)."""

    location: Location
    repository: str
    base: str
    head: str
    # The trusted version's text, None where the base has no such file; and the profile policy-profile names.
    base_text: str | None
    profile: str | None


@dataclass(frozen=True)
class Applied:
    """What the policy file made of a run: the plan it follows, what to report of it, the automation rules, and
    the pull request's own version of the file to check once the verdict is written (None: no such version)."""

    plan: RunPlan
    report: PolicyReport | None = None
    rules: tuple[Automation, ...] = ()
    head: HeadVersion | None = None
    # The plugin instances the rules' actions name (gate.core.plugins).
    instances: tuple[Instance, ...] = ()


def apply_policy(plan: RunPlan, payload: dict[str, Any], files: PolicyFiles, workflow: Workflow) -> Applied:
    """The plan with the chosen profile between the inputs and the defaults, and what else the file says."""
    location = plan.policy_file
    if location is None:
        return Applied(plan)
    from gate.core.policy import RunFacts, select  # noqa: PLC0415 -- the policy model, only for runs with a policy file

    job = plan.job
    reading = policy_reading(job.event_name, payload, sha=job.sha, ref=job.ref)
    text, read_at = _read(plan, location, reading, files)
    head = None
    if location.repository is None and reading.head is not None:
        head = HeadVersion(location, plan.repository, read_at, reading.head, text, plan.policy_profile)
    run = RunFacts(reading.event, reading.branch, reading.tag)
    if text is None:
        why = (
            f"{location.shown} is not in the base (commit {read_at[:12]}): the inputs and the built-in defaults "
            "judge this pull request"
        )
        chosen = effective(plan.given, None)
        return Applied(replace(plan, settings=chosen), _report(location, read_at, None, why, chosen), (), head)
    policy = files.parse(text, location.shown)
    choice = select(policy, plan.policy_profile, run)
    why = choice.why
    if choice.profile is None and policy.profiles:  # a file of rules only has no profile to miss
        workflow.notice(why, title=TITLE)
    name = choice.profile.name if choice.profile else None
    said = f"profile {name!r}: {why}" if name else why
    workflow.log(f"policy {location.shown} read at {read_at[:12]}; {said}")
    chosen = effective(plan.given, choice.profile.settings if choice.profile else None)
    return Applied(
        replace(plan, settings=chosen),
        _report(location, read_at, name, why, chosen),
        policy.automations,
        head,
        policy.instances,
    )


def _report(location: Location, read_at: str, profile: str | None, why: str, chosen: Effective) -> PolicyReport:
    rows = tuple((name, value, chosen.sources[name]) for name, value in chosen.settings.items())
    return PolicyReport(location.shown, read_at, profile, why, rows)


def _read(plan: RunPlan, location: Location, reading: PolicyReading, files: PolicyFiles) -> tuple[str | None, str]:
    """The trusted version's text and where it was read; None when a pull request's base has no such file."""
    if location.repository is not None and location.ref is not None:
        text = files.text(location.repository, location.path, location.ref)
        if text is None:
            raise PolicyMissing(
                f"the policy file {location.path} does not exist in {location.repository} at {location.ref} (check "
                f"that the ref {location.ref} exists there and holds the file; a private repository also answers so "
                "without access: give policy-token contents: read there)"
            )
        return text, location.ref
    text = files.text(plan.repository, location.path, reading.read_at)
    if text is None and reading.head is None:
        raise PolicyMissing(missing(location, plan.repository, f"at commit {reading.read_at[:12]}"))
    # On a pull request, whether it adds the file is for its own version to say, after the verdict.
    return text, reading.read_at


def missing(location: Location, repository: str, where: str) -> str:
    """The message for a policy file of this repository that is not there, naming the likely slip."""
    message = (
        f"the policy file {location.path} does not exist in {repository} {where} (policy-file names a path from the "
        "repository root, read at the base of a pull request)"
    )
    if _LOOKS_REMOTE.fullmatch(location.path):
        message += (
            f"; a file in another repository needs @REF: OWNER/REPO/PATH@REF, e.g. policy-file: {location.path}@v1"
        )
    return message


def check_head(version: HeadVersion, files: PolicyFiles, workflow: Workflow) -> tuple[str, ...]:
    """The problems of a pull request's own version of the policy file (none: it is fine), checked with the same
    parser; says what applies when. A version GitHub will not show (a fork's) is a warning, never a problem."""
    path = version.location.path
    try:
        text = files.text(version.repository, path, version.head)
    except GitHubLookupFailed as failure:
        workflow.warning(f"this pull request's version of {path} was not checked: {failure}", title=TITLE)
        return ()
    except PolicyError as unreadable:  # not UTF-8, or far too large
        return unreadable.problems
    if text is None:
        return _without_file(version, workflow)
    if text == version.base_text:
        return ()
    try:
        policy = files.parse(text, version.location.shown)
        if version.profile:
            policy.named(version.profile)
    except PolicyError as wrong:
        return wrong.problems
    if version.base_text is None:
        workflow.notice(
            f"this pull request adds the policy file {path}: it applies once merged; until then the built-in "
            "defaults and the inputs judge it",
            title=TITLE,
        )
    else:
        workflow.notice(
            f"this pull request changes the policy file {path}: its version applies once merged; the base's "
            f"version (commit {version.base[:12]}) judges it",
            title=TITLE,
        )
    return ()


def _without_file(version: HeadVersion, workflow: Workflow) -> tuple[str, ...]:
    """The pull request has no such file: a problem when the base has none either, else a warning."""
    where = f"at the base (commit {version.base[:12]}) or in this pull request (commit {version.head[:12]})"
    if version.base_text is None:
        return (missing(version.location, version.repository, where),)
    workflow.warning(
        f"this pull request deletes the policy file {version.location.path}: once merged, policy-file names a file "
        "that does not exist and the gate stops with an error; remove policy-file from the workflow too",
        title=TITLE,
    )
    return ()
