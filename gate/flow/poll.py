"""Poll a scan until its answer is final or the deadline leaves no time for another poll."""

from __future__ import annotations

from gate.core.clock import Deadline, Sleep
from gate.core.errors import OutOfTime
from gate.core.models import ScanStatus
from gate.flow.ports import ScanSource, Workflow

# A line every so often even when nothing changed, so a long wait never looks hung.
HEARTBEAT_SECONDS = 30.0


def _state(status: ScanStatus) -> str:
    """How far the scan is, agreeing with the sub-scans listed after it."""
    if not status.final:
        return "scan running"
    if all(status.sub_scans.values()):
        return "scan complete"
    # A default-branch or release answer decides while some sub-scans still run in Aikido.
    return "gate decided, some sub-scans still running in Aikido"


def wait_for_scan(
    source: ScanSource,
    scan_id: int,
    *,
    interval: float,
    deadline: Deadline,
    sleep: Sleep,
    workflow: Workflow,
) -> ScanStatus:
    """The first final answer, or the last one seen when time ran out (its `final` is False).

    Running out of time during a poll (a slow or dripping answer, retries up to the deadline)
    is a timeout of the wait, not an error: the scan goes on in Aikido.
    """
    started = deadline.clock()
    shown, shown_at = "", started
    status = ScanStatus(final=False, gate_passed=None)
    with workflow.group(f"Waiting for Aikido scan {scan_id}"):
        while True:
            try:
                status = source.scan_status(scan_id)
            except OutOfTime as out_of_time:
                workflow.log(f"the wait ended: {out_of_time}")
                return status
            now = deadline.clock()
            progress = status.progress()
            if status.final or progress != shown or now - shown_at >= HEARTBEAT_SECONDS:
                workflow.log(f"[{now - started:5.0f}s] {_state(status)}: {progress}")
                shown, shown_at = progress, now
            remaining = deadline.remaining()
            if status.final or remaining <= 0:
                return status
            # The last sleep is cut short so one more poll lands right at the deadline.
            sleep(min(interval, remaining))
