"""What a cancellation or a late failure needs to know of the run so far; shared by the flow and the signal handler."""

from __future__ import annotations

from dataclasses import dataclass, field

from gate.core.models import ScanTarget, UploadFile
from gate.core.verdict import Verdict
from gate.flow.ports import Workflow


@dataclass(eq=False)  # one run's state: the same only as itself
class RunState:
    """Where the run stands. The flow writes it as it goes; the signal handler only reads it."""

    # The start request went out: Aikido may have started a scan even if no id came back.
    start_sent: bool = False
    scan_id: int | None = None
    # The file being uploaded now (as shown to the user), and those uploaded so far.
    uploading: str | None = None
    uploaded: list[UploadFile] = field(default_factory=list)
    target: ScanTarget | None = None
    # The verdict is being written; then the verdict once its outputs, summary and annotation are
    # written, and the exit code it gave.
    reporting: bool = False
    reported: Verdict | None = None
    exit_code: int | None = None
    # When the run began, on the deadlines' clock: the one deadline counts from here.
    started: float = 0.0
    # The log being written: a cancellation closes its open `::group::` so its warning is not folded away.
    workflow: Workflow | None = None
