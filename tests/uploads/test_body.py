"""gate.uploads.body: the streamed upload body, its length known before the first byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from gate.core.models import upload_fields
from gate.uploads import body as body_module
from gate.uploads.body import CHUNK, UploadBody
from tests.conftest import FakeClock
from tests.support.uploads import collect
from tests.uploads.grown import FIXTURES, expected_body, grown_checkov, grown_syft, write


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


class TestBytesSent:
    """UploadBody: byte for byte what json.dumps of the file's whole text gives (what the action always sent)."""

    FIELDS: ClassVar[dict[str, Any]] = {"scan_id": 7, "payload_type": "json-sbom", "container_image_name": "web"}

    def sent(self, path: Path, kind: str) -> bytes:
        files, _ = (
            collect(f"web={path.name}", "", path.parent) if kind == "sbom" else collect("", path.name, path.parent)
        )
        fields = self.FIELDS | ({} if kind == "sbom" else {"payload_type": "checkov"})
        body = UploadBody(files[0], fields)
        data = b"".join(body)
        assert data == expected_body(path, fields)
        assert len(data) == body.length
        return data

    @pytest.mark.parametrize("name", ["syft-dir.json", "syft-image.json", "checkov.sarif", "ruff.sarif"])
    def test_the_real_outputs(self, tmp_path: Path, name: str) -> None:
        path = tmp_path / name
        path.write_bytes((FIXTURES / name).read_bytes())
        self.sent(path, "sarif" if name.endswith(".sarif") else "sbom")

    @pytest.mark.parametrize(
        ("kind", "pretty", "crlf"), [("sbom", False, False), ("sbom", True, True), ("sarif", True, False)]
    )
    def test_real_outputs_grown_past_several_chunks(
        self, tmp_path: Path, kind: str, *, pretty: bool, crlf: bool
    ) -> None:
        grown = grown_syft if kind == "sbom" else grown_checkov
        path = write(
            tmp_path / f"grown.{'json' if kind == 'sbom' else 'sarif'}", grown(3 * CHUNK), pretty=pretty, crlf=crlf
        )
        self.sent(path, kind)
        data = path.read_bytes()
        # Chunks end inside multi-byte characters (a continuation byte follows the cut).
        assert any(data[at] & 0xC0 == 0x80 for at in range(CHUNK, len(data), CHUNK))

    @pytest.mark.parametrize("chunk", [1, 2, 3, 5, 4099])
    def test_chunks_cut_anywhere(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
        monkeypatch.setattr(body_module, "CHUNK", chunk)
        self.sent(write(tmp_path / "grown.json", grown_syft(20_000), pretty=True, crlf=True), "sbom")
        self.sent(write(tmp_path / "grown.sarif", grown_checkov(20_000)), "sarif")
