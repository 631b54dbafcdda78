"""The flow's `Uploads` port over the workspace's files: found and validated, then streamed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gate.core.models import UploadFile, UploadKind
from gate.flow.ports import Progress
from gate.uploads.body import UploadBody
from gate.uploads.files import collect


class WorkspaceUploads:
    """Files in the workspace: each validated in one read when the flow collects them, then streamed."""

    def collect(self, uploads: Sequence[tuple[UploadKind, str]], workspace: Path) -> tuple[list[UploadFile], list[str]]:
        return collect(uploads, workspace)

    def body(self, upload: UploadFile, fields: dict[str, Any], on_progress: Progress) -> UploadBody:
        return UploadBody(upload, fields, on_progress=on_progress)
