"""The flow's `Uploads` port over the workspace's files: found and validated, then streamed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gate.core.models import UploadFile, UploadKind
from gate.flow.ports import Progress

if TYPE_CHECKING:
    from gate.uploads.body import UploadBody


class WorkspaceUploads:
    """Files in the workspace: each validated in one read when the flow collects them, then streamed.

    The validators and the streaming body, with msgspec, load on the runs that have files to upload.
    """

    def collect(self, uploads: Sequence[tuple[UploadKind, str]], workspace: Path) -> tuple[list[UploadFile], list[str]]:
        from gate.uploads.files import collect  # noqa: PLC0415 -- only the runs with files to upload (see above)

        return collect(uploads, workspace)

    def body(self, upload: UploadFile, fields: dict[str, Any], on_progress: Progress) -> UploadBody:
        from gate.uploads.body import UploadBody  # noqa: PLC0415 -- only the runs with files to upload (see above)

        return UploadBody(upload, fields, on_progress=on_progress)
