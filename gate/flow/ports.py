"""What the flow needs of the world, as protocols: the adapters around it implement them, the wiring passes them in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from gate.core.models import SastIssue, ScanStatus, UploadFile


class Workflow(Protocol):
    """The runner's side of the step: log lines, annotations, outputs and the job summary (gate.runner.workflow)."""

    # A `::group::` is open: a cancellation closes it so its warning is not folded away.
    group_open: bool

    def log(self, text: str) -> None: ...
    def debug(self, text: str) -> None: ...
    def notice(self, text: str, *, title: str = "") -> None: ...
    def warning(self, text: str, *, title: str = "") -> None: ...
    def error(self, text: str, *, title: str = "") -> None: ...
    def group(self, title: str) -> AbstractContextManager[None]: ...
    def set_outputs(self, outputs: Mapping[str, str]) -> None: ...
    def add_summary(self, markdown: str) -> None: ...


class Scanner(Protocol):
    """Aikido's CI API (gate.aikido.client)."""

    def start_scan(self, body: dict[str, Any]) -> int: ...
    def scan_status(self, scan_id: int) -> ScanStatus: ...
    def upload(self, body: Iterable[bytes], length: int, what: str) -> None: ...
    def introduced_sast_issues(self, scan_id: int) -> list[SastIssue]: ...


class Uploads(Protocol):
    """The files to upload (gate.uploads): found and validated before the scan, then streamed into it."""

    def collect(self, sbom_files: str, checkov_sarif_files: str, workspace: Path) -> tuple[list[UploadFile], list[str]]:
        """Every file the two inputs name, validated; and the warnings to show."""
        ...

    def body(self, upload: UploadFile, fields: dict[str, Any], on_progress: Progress) -> Body: ...


class Body(Protocol):
    """One upload's request body, streamed, its length known before the first byte."""

    length: int

    def __iter__(self) -> Iterator[bytes]: ...


class Progress(Protocol):
    def __call__(self, sent: int, total: int, seconds: float) -> None: ...


class Files(Protocol):
    """Files the flow leaves behind for the job's later steps."""

    def write(self, path: Path, text: str) -> None: ...
