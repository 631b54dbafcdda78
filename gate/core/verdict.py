"""Turn what happened into an outcome and an exit code. Pure: no network, no files."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gate import DOCS
from gate.core.models import ScanStatus, UploadFile
from gate.core.precedence import PolicyReport


class Outcome(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"  # the gate rejected the change
    TIMED_OUT = "TIMED_OUT"  # a scan started but did not finish in time
    SKIPPED = "SKIPPED"
    ERROR = "ERROR"  # the gate could not decide
    CANCELLED = "CANCELLED"  # the run was cancelled before a verdict (written by the signal handler only)


# The same codes as Aikido's CLI (https://github.com/AikidoSec/ci-api-client#how-it-works).
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_GATE_FAILED = 10


@dataclass(frozen=True)
class ReleaseGate:
    """What a release gate checked: one commit's open issues, from a severity up."""

    commit: str
    minimum_severity: str
    base_branch: str | None = None


@dataclass(frozen=True)
class Problems:
    """Problems found, one line each with its place: of the inputs (`source` None), or of a policy file
    (`source` as policy-file names it; `commit` where this version was read, when it is not the trusted one)."""

    source: str | None
    items: tuple[str, ...]
    commit: str | None = None


@dataclass(frozen=True)
class Verdict:
    """The step's result: what the user reads, and how the step ends."""

    outcome: Outcome
    exit_code: int
    reason: str
    scan_id: int | None = None
    status: ScanStatus | None = None
    report_only: bool = False
    uploads: tuple[UploadFile, ...] = ()
    release: ReleaseGate | None = None
    # The policy file's profile and the settings it gave, when policy-file is set.
    policy: PolicyReport | None = None
    # What stopped the run, listed one per line in the summary (wrong inputs, a policy file's problems).
    problems: tuple[Problems, ...] = ()
    # The pull request's own version of the policy file, checked after the verdict: its problems fail the
    # step (gate.boot.wiring) but change neither the outcome nor any output.
    head_policy: Problems | None = None

    @property
    def passed_step(self) -> bool:
        return self.exit_code == EXIT_OK


def decide(status: ScanStatus, *, scan_id: int, report_only: bool) -> Verdict:
    """The verdict of a final poll answer."""
    if status.gate_passed:
        return Verdict(Outcome.SUCCEEDED, EXIT_OK, "the Aikido gate passed", scan_id, status)
    code = EXIT_OK if report_only else EXIT_GATE_FAILED
    reason = (
        "the Aikido scan found issues that would fail the gate; report-only: they are reported, not enforced"
        if report_only
        else "the Aikido gate failed"
    )
    return Verdict(Outcome.FAILED, code, reason, scan_id, status, report_only)


def timed_out(*, scan_id: int, seconds: int, fail_on_timeout: bool, status: ScanStatus | None = None) -> Verdict:
    """The verdict when the scan did not finish within `timeout-seconds`: where it goes on, and what to change."""
    reason = (
        f"the Aikido scan did not finish within {seconds} s (timeout-seconds); it goes on in Aikido as scan {scan_id}"
    )
    if fail_on_timeout:
        reason += (
            ". Raise timeout-seconds to wait longer, or set fail-on-timeout to false so a slow scan does not fail "
            f"the step (see {DOCS}#troubleshooting)"
        )
    else:
        reason += ". fail-on-timeout is false: the step does not fail; raise timeout-seconds to wait for the result"
    return Verdict(Outcome.TIMED_OUT, EXIT_ERROR if fail_on_timeout else EXIT_OK, reason, scan_id, status)


def uploaded_only(count: int) -> Verdict:
    """The verdict of upload-only: every file reached Aikido's live feed."""
    return Verdict(
        Outcome.SUCCEEDED, EXIT_OK, f"uploaded {count} file{'' if count == 1 else 's'} to Aikido's live feed"
    )


def skipped(reason: str) -> Verdict:
    return Verdict(Outcome.SKIPPED, EXIT_OK, reason)


def error(reason: str, *, scan_id: int | None = None, problems: tuple[Problems, ...] = ()) -> Verdict:
    """The gate could not decide: it fails closed. `problems`: what `reason` says, to list one per line."""
    return Verdict(Outcome.ERROR, EXIT_ERROR, reason, scan_id, problems=problems)
