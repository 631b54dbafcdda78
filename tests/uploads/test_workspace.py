"""gate.uploads.workspace: the flow's `Uploads` port over the workspace's files."""

from __future__ import annotations

import json
from pathlib import Path

from gate.core.models import upload_fields
from gate.uploads.workspace import WorkspaceUploads
from tests.support.uploads import inputs


class TestWorkspaceUploads:
    """WorkspaceUploads"""

    def test_collects_the_files_the_inputs_name_each_validated(self, workspace: Path) -> None:
        files, warnings = WorkspaceUploads().collect(inputs("build/syft-image.json", "build/checkov.sarif"), workspace)
        assert [upload.shown for upload in files] == ["build/syft-image.json", "build/checkov.sarif"]
        for upload in files:
            text = upload.path.read_text(encoding="utf-8")
            assert (upload.size, upload.escaped_size) == (
                len(text.encode()),
                len(json.dumps(text, ensure_ascii=False).encode()) - 2,
            )
        assert warnings == []

    def test_the_body_streams_the_file_with_its_length_known(self, workspace: Path) -> None:
        uploads = WorkspaceUploads()
        [upload], _ = uploads.collect(inputs("build/syft-dir.json", ""), workspace)
        body = uploads.body(upload, upload_fields(upload, scan_id=3, repository_id=None), lambda sent, total, s: None)
        data = b"".join(body)
        assert len(data) == body.length
        assert json.loads(data)["payload"] == (workspace / "build/syft-dir.json").read_text(encoding="utf-8")
