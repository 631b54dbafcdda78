"""End to end with uploads: real Syft and Checkov outputs into the emulator's scan, through entrypoint.py."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from benchmarks.sink import Sink
from emulator.aikido import AikidoEmulator
from gate.uploads.body import CHUNK
from tests.conftest import SAMPLES
from tests.support.action import act, annotations_of
from tests.uploads.grown import expected_body, grown_checkov, grown_syft, write

FIXTURES = SAMPLES / "uploads"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A run's folder whose workspace holds the fixtures under build/."""
    build = tmp_path / "workspace" / "build"
    build.mkdir(parents=True)
    for name in ("syft-dir.json", "syft-image.json", "checkov.sarif"):
        shutil.copy(FIXTURES / name, build / name)
    return tmp_path


class TestUploadsIntoTheScan:
    """uploads before polling"""

    def test_one_sbom(self, workdir: Path, emulator: AikidoEmulator) -> None:
        run = act(workdir, emulator, sbom_files="build/syft-image.json")
        assert (run.returncode, run.outputs["outcome"], run.outputs["uploaded-files"]) == (0, "SUCCEEDED", "1")
        start = emulator.requests[0].body
        assert (start["self_managed_scanners"], start["expected_amount_json_sboms"]) == (["json-sbom"], 1)
        [upload] = emulator.scans[1].uploads
        assert (upload.payload_type, upload.container_image_name) == ("json-sbom", "ghcr.io/octo-org/web")
        assert upload.payload == json.loads((FIXTURES / "syft-image.json").read_text())
        assert "| `build/syft-image.json` | json-sbom | 9.0 kB | `ghcr.io/octo-org/web` |" in run.summary

    def test_two_sboms_and_checkov(self, workdir: Path, emulator: AikidoEmulator) -> None:
        run = act(
            workdir,
            emulator,
            sbom_files="build/syft-image.json\nweb-src=build/syft-dir.json",
            checkov_sarif_files="build/*.sarif",
        )
        assert (run.returncode, run.outputs["uploaded-files"]) == (0, "3")
        start = emulator.requests[0].body
        assert (start["self_managed_scanners"], start["expected_amount_json_sboms"]) == (["json-sbom", "checkov"], 2)
        uploads = emulator.scans[1].uploads
        assert [(u.payload_type, u.container_image_name) for u in uploads] == [
            ("json-sbom", "ghcr.io/octo-org/web"),
            ("json-sbom", "web-src"),
            ("checkov", None),
        ]
        # Every upload landed before the first poll: the scan could not complete without them.
        paths = [request.path.rsplit("/", 1)[1] for request in emulator.requests]
        assert paths[:4] == ["repository", "custom", "custom", "custom"]

    def test_symlink_loops_in_the_workspace_are_not_followed(self, workdir: Path, emulator: AikidoEmulator) -> None:
        """A pull request's `l0 -> .` links made `**` walk an exponential tree before the action could start."""
        workspace = workdir / "workspace"
        for index in range(3):
            (workspace / f"l{index}").symlink_to(".")
        (workspace / "build" / "root").symlink_to("/")
        started = time.monotonic()
        run = act(workdir, emulator, sbom_files="**/syft-image.json")
        assert time.monotonic() - started < 10
        assert (run.returncode, run.outputs["uploaded-files"]) == (0, "1")
        assert [upload.container_image_name for upload in emulator.scans[1].uploads] == ["ghcr.io/octo-org/web"]

    def test_upload_only(self, workdir: Path, emulator: AikidoEmulator) -> None:
        run = act(workdir, emulator, checkov_sarif_files="build/checkov.sarif", upload_only="true")
        assert (run.returncode, run.outputs["outcome"], run.outputs["scan-id"]) == (0, "SUCCEEDED", "")
        assert emulator.scans == {}
        [upload] = emulator.live_feed
        assert (upload.payload_type, upload.repository_id, upload.scan_id) == ("checkov", "R_kgDOLrq3yg", None)
        assert "uploaded 1 file to Aikido's live feed" in run.stdout


class TestBytesSent:
    """The request bodies, byte for byte: json.dumps of each file's whole text, as the action always sent"""

    def test_real_outputs_grown_past_several_chunks(self, workdir: Path) -> None:
        build = workdir / "workspace" / "build"
        sbom = write(build / "grown.json", grown_syft(3 * CHUNK))
        sarif = write(build / "grown.sarif", grown_checkov(2 * CHUNK), pretty=True, crlf=True)
        sink = Sink(keep_bodies=True)
        try:
            inputs = {"api-base-url": sink.url, "sbom-files": "web=build/grown.json\nbuild/syft-dir.json"}
            run = act(workdir, None, inputs=inputs | {"checkov-sarif-files": "build/grown.sarif"})
        finally:
            sink.close()
        assert (run.returncode, run.outputs["uploaded-files"]) == (0, "3"), run.stdout
        bodies = [seen.body for seen in sink.seen if seen.path.endswith("/custom")]
        fields = [
            {"scan_id": 1, "payload_type": "json-sbom", "container_image_name": "web"},
            {"scan_id": 1, "payload_type": "json-sbom", "container_image_name": "app"},
            {"scan_id": 1, "payload_type": "checkov"},
        ]
        assert bodies == [
            expected_body(path, each) for path, each in zip((sbom, build / "syft-dir.json", sarif), fields, strict=True)
        ]


class TestBadFiles:
    """A bad file stops the run before any scan starts."""

    @pytest.mark.parametrize(
        ("inputs", "message"),
        [
            ({"sbom-files": "build/nothing-*.json"}, "input sbom-files: build/nothing-*.json matches no file"),
            ({"sbom-files": "web:2=build/syft-image.json"}, "input sbom-files: the image name web:2 of build/syft-"),
            ({"checkov-sarif-files": "../../etc/passwd"}, "input checkov-sarif-files: ../../etc/passwd leads outside"),
            ({"upload-only": "true"}, "input upload-only is true, but sbom-files and checkov-sarif-files name no file"),
        ],
    )
    def test_no_scan_is_started(
        self, workdir: Path, emulator: AikidoEmulator, inputs: dict[str, str], message: str
    ) -> None:
        run = act(workdir, emulator, inputs=inputs)
        assert (run.returncode, run.outputs["outcome"]) == (1, "ERROR")
        assert annotations_of(run, "error")[0].startswith(f"::error title=Aikido security gate::{message}")
        assert emulator.requests == []
