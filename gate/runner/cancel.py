"""Cancellation: the runner sends SIGINT, then SIGTERM 7.5 s later, and PID 1 ignores unhandled signals."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING

from gate.core.verdict import EXIT_ERROR, Outcome
from gate.runner.workflow import format_command

if TYPE_CHECKING:
    # For the annotations only: the boot sequence installs the handlers before anything else loads.
    from gate.flow.ports import RunSoFar


def _what_happened(state: RunSoFar) -> str:
    """The end of the cancellation line: what is true on Aikido's side now (latest phase first)."""
    if state.reported is not None:
        said = (
            f" after the verdict (SARIF file, PR comments); the verdict ({state.reported.outcome.value}) is already "
            "in the step's outputs and summary"
        )
        if state.reported.head_policy is not None:
            said += "; the step fails: this pull request's version of the policy file would break the gate"
        return said
    if state.uploading is not None:
        if state.scan_id is None:
            return f" while uploading {state.uploading}; that upload did not complete"
        return (
            f" while uploading {state.uploading}; Aikido scan {state.scan_id} waits for this upload and will not "
            "complete without it"
        )
    if state.scan_id is not None:
        return f"; Aikido scan {state.scan_id} was started and finishes on its own in Aikido"
    if state.start_sent:
        return " while Aikido was starting the scan; one may have started, and it finishes on its own in Aikido"
    return " before an Aikido scan was started"


def cancel_message(state: RunSoFar, signum: int) -> str:
    """The lines printed on cancellation: any open group closed, then one warning saying what is true."""
    happened = _what_happened(state)
    line = format_command("warning", f"cancelled ({signal.Signals(signum).name}){happened}")
    closing = "::endgroup::\n" if state.workflow is not None and state.workflow.group_open else ""
    return closing + line


def cancelled_outputs(state: RunSoFar) -> dict[str, str]:
    """The outputs a cancellation leaves, so that an `if: always()` step reads an outcome; none once the verdict is."""
    if state.reporting or state.reported is not None:
        return {}  # the verdict's own outputs stand
    return {"outcome": Outcome.CANCELLED.value, "scan-id": "" if state.scan_id is None else str(state.scan_id)}


def install(state: RunSoFar) -> None:
    """Exit at once on SIGINT or SIGTERM, saying what was left behind."""

    def on_signal(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        os.write(sys.stdout.fileno(), (cancel_message(state, signum) + "\n").encode())
        if state.workflow is not None and (outputs := cancelled_outputs(state)):
            with contextlib.suppress(OSError):
                state.workflow.set_outputs(outputs)
        # Not sys.exit: unwinding could block in a socket read past the runner's 7.5 s grace.
        # Once the verdict is written, the exit code follows it (and a pull request's broken policy file, which
        # fails the step whatever the verdict), never contradicts it.
        os._exit(state.exit_code if state.exit_code is not None else EXIT_ERROR)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
