"""gate.uploads.workspace: the flow's `Uploads` port over the workspace's files."""

from __future__ import annotations

import json
from pathlib import Path

from gate.core.models import upload_fields
from gate.uploads.inspect import JsonFacts, inspect_json
from gate.uploads.workspace import WorkspaceUploads


class TestWorkspaceUploads:
    """WorkspaceUploads"""

    def test_collects_with_the_facts_a_prefetch_has_ready(self, workspace: Path) -> None:
        asked: list[Path] = []

        def ready(path: Path) -> JsonFacts:
            asked.append(path)
            return inspect_json(path)

        files, warnings = WorkspaceUploads(ready).collect("build/syft-image.json", "build/checkov.sarif", workspace)
        assert [upload.shown for upload in files] == ["build/syft-image.json", "build/checkov.sarif"]
        assert sorted(path.name for path in asked) == ["checkov.sarif", "syft-image.json"]
        assert warnings == []

    def test_the_body_streams_the_file_with_its_length_known(self, workspace: Path) -> None:
        uploads = WorkspaceUploads()
        [upload], _ = uploads.collect("build/syft-dir.json", "", workspace)
        body = uploads.body(upload, upload_fields(upload, scan_id=3, repository_id=None), lambda sent, total, s: None)
        data = b"".join(body)
        assert len(data) == body.length
        assert json.loads(data)["payload"] == (workspace / "build/syft-dir.json").read_text(encoding="utf-8")
