"""The flow's `Uploads` port over the workspace's files: found and validated, then streamed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gate.core.models import UploadFile
from gate.flow.ports import Progress
from gate.uploads.body import UploadBody
from gate.uploads.files import collect


class WorkspaceUploads:
    """Files in the workspace: each validated in one read when the flow collects them, then streamed."""

    def collect(self, sbom_files: str, checkov_sarif_files: str, workspace: Path) -> tuple[list[UploadFile], list[str]]:
        return collect(sbom_files, checkov_sarif_files, workspace)

    def body(self, upload: UploadFile, fields: dict[str, Any], on_progress: Progress) -> UploadBody:
        return UploadBody(upload, fields, on_progress=on_progress)
