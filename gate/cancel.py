"""Cancellation: the runner sends SIGINT, then SIGTERM 7.5 s later, and PID 1 ignores unhandled signals."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType

from gate.run import RunState
from gate.verdict import EXIT_ERROR
from gate.workflow import format_command


def cancel_message(state: RunState, signum: int) -> str:
    """The line printed on cancellation, naming the scan if one was started."""
    name = signal.Signals(signum).name
    if state.scan_id is None:
        return format_command("warning", f"cancelled ({name}) before an Aikido scan was started")
    return format_command(
        "warning", f"cancelled ({name}); Aikido scan {state.scan_id} was started and finishes on its own in Aikido"
    )


def install(state: RunState) -> None:
    """Exit at once on SIGINT or SIGTERM, saying which scan was left running."""

    def on_signal(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        os.write(sys.stdout.fileno(), (cancel_message(state, signum) + "\n").encode())
        # Not sys.exit: unwinding could block in a socket read past the runner's 7.5 s grace.
        os._exit(EXIT_ERROR)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
