"""What a cancellation or a late failure needs to know of the run so far; shared by the flow and the signal handler."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# Names for the annotations only: the boot sequence imports this module before the upload
# workers start, so it loads nothing else.
if TYPE_CHECKING:
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
    # When the run began (time.monotonic()): the one deadline counts from here.
    started: float = field(default_factory=time.monotonic)
    # The log being written: a cancellation closes its open `::group::` so its warning is not folded away.
    workflow: Workflow | None = None
