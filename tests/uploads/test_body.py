"""gate.uploads.body: the streamed upload body, its length known before the first byte."""

from __future__ import annotations

import json
from pathlib import Path

from gate.core.models import upload_fields
from gate.uploads.body import UploadBody
from gate.uploads.files import collect
from gate.uploads.json_string import CHUNK
from tests.conftest import SAMPLES, FakeClock

FIXTURES = SAMPLES / "uploads"


class TestUploadBody:
    """UploadBody"""

    def test_body_is_the_envelope_with_the_files_text_as_a_string(self, workspace: Path) -> None:
        files, _ = collect("build/syft-image.json", "", workspace)
        body = UploadBody(files[0], upload_fields(files[0], scan_id=22, repository_id=None))
        data = b"".join(body)
        assert len(data) == body.length
        sent = json.loads(data)
        assert sent == {
            "scan_id": 22,
            "payload_type": "json-sbom",
            "container_image_name": "ghcr.io/octo-org/web",
            "payload": (FIXTURES / "syft-image.json").read_text(encoding="utf-8"),
        }
        assert b"".join(body) == data  # a retry sends the same bytes again

    def test_multibyte_characters_across_chunk_boundaries(self, tmp_path: Path) -> None:
        text = (
            '{"artifacts": [], "source": {}, "descriptor": {"name": "syft"}, "pad": "' + "é✓\\n" * (CHUNK // 2) + '"}'
        )
        path = tmp_path / "big.json"
        path.write_text(text, encoding="utf-8")
        files, _ = collect("web=big.json", "", tmp_path)
        body = UploadBody(files[0], upload_fields(files[0], scan_id=None, repository_id="R_1"))
        data = b"".join(body)
        assert len(data) == body.length
        assert json.loads(data)["payload"] == text
        assert json.loads(data)["repository_id"] == "R_1"

    def test_progress_every_few_seconds(self, tmp_path: Path) -> None:
        path = tmp_path / "big.json"
        path.write_text(
            '{"artifacts": [], "source": {}, "descriptor": {"name": "syft"}, "x": "' + "a" * 3 * CHUNK + '"}'
        )
        files, _ = collect("web=big.json", "", tmp_path)
        clock, seen = FakeClock(), []

        def tick() -> float:
            clock.now += 2
            return clock.now

        body = UploadBody(files[0], {}, on_progress=lambda *args: seen.append(args), clock=tick)
        b"".join(body)
        # The clock moves 2 s a chunk and a line is due every 3 s: after the 2nd and the 4th (last) chunk.
        assert len(seen) == 2
        assert 2 * CHUNK < seen[0][0] < 3 * CHUNK
        assert seen[1][:2] == (body.length - len(b'"}'), body.length)
        assert seen[1][2] == 8
