"""End to end: entrypoint.py writes the sarif-file a code-scanning upload step reads, whatever the outcome."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from emulator.aikido import AikidoEmulator
from tests.conftest import KEY, sample
from tests.support.action import act, annotations_of, use
from tests.support.sarif import check


def sarif(tmp_path: Path, name: str = "build/aikido.sarif") -> dict[str, Any]:
    path = tmp_path / "workspace" / name
    # Readable by the later steps, which run as another user than the container's root.
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    document: dict[str, Any] = json.loads(path.read_text())
    check(document)
    return document


class TestSarifFile:
    @use("sast-odd")
    def test_a_failed_gate_writes_its_sast_findings(self, tmp_path: Path, scenario: AikidoEmulator) -> None:
        run = act(tmp_path, scenario, sarif_file="build/aikido.sarif", fail_on_sast_scan="true")
        assert (run.returncode, run.outputs["sarif-file"]) == (10, "build/aikido.sarif")
        [sarif_run] = sarif(tmp_path)["runs"]
        results = sarif_run["results"]
        assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results] == [
            "src/app.py",
            "src/with%20space/donn%C3%A9es.py",
        ]
        assert {r["level"] for r in results} == {"error"}
        assert sarif_run["automationDetails"]["id"].startswith("aikido/CI/aikido/")
        warnings = annotations_of(run, "warning")
        assert (
            "::warning title=Aikido SARIF::a SAST finding's file ../outside/escape.py leads outside the repository"
            in (warnings[0])
        )
        assert "wrote 2 SAST finding(s) to build/aikido.sarif (SARIF 2.1.0)" in run.stdout
        # The file's directory is created; nothing else is left behind (the temp file was renamed).
        assert sorted(p.name for p in (tmp_path / "workspace" / "build").iterdir()) == ["aikido.sarif"]

    @use("hostile")
    def test_hostile_findings_leave_no_secret_in_the_file(self, tmp_path: Path, scenario: AikidoEmulator) -> None:
        act(tmp_path, scenario, secret_key=scenario.secret, sarif_file="aikido.sarif")
        text = (tmp_path / "workspace" / "aikido.sarif").read_text()
        assert scenario.secret not in text
        assert scenario.secret.lower() not in text
        assert "\\u001b" not in text
        check(json.loads(text))

    @pytest.mark.parametrize(
        ("case", "outcome"),
        [("fork-skip", "SKIPPED"), ("bad-payload", "ERROR"), ("timeout", "TIMED_OUT")],
    )
    def test_no_result_still_leaves_an_empty_valid_run(
        self, tmp_path: Path, emulator: AikidoEmulator, case: str, outcome: str
    ) -> None:
        if case == "fork-skip":
            run = act(tmp_path, None, payload=sample("pull_request_fork"), secret_key="", sarif_file="aikido.sarif")
        elif case == "bad-payload":
            payload = sample("pull_request")
            payload["pull_request"]["head"]["sha"] = "HEAD"
            run = act(tmp_path, emulator, payload=payload, sarif_file="aikido.sarif")
        else:
            with AikidoEmulator("timeout") as never_done:
                run = act(tmp_path, never_done, sarif_file="aikido.sarif", timeout_seconds="2")
        assert (run.outputs["outcome"], run.outputs["sarif-file"]) == (outcome, "aikido.sarif")
        assert sarif(tmp_path, "aikido.sarif")["runs"][0]["results"] == []

    @pytest.mark.parametrize("value", ["../aikido.sarif", "/tmp/aikido.sarif", "a/../../b.sarif"])
    def test_a_path_outside_the_workspace_is_refused_before_any_scan(
        self, tmp_path: Path, emulator: AikidoEmulator, value: str
    ) -> None:
        run = act(tmp_path, emulator, sarif_file=value)
        assert run.returncode == 1
        assert annotations_of(run, "error") == [
            f"::error title=Aikido security gate::input sarif-file is {json.dumps(value)}: must be a path inside the "
            "workspace, relative to it, such as results/aikido.sarif (see https://github.com/aikido-gate/aikido-gate#inputs)"
        ]
        assert emulator.requests == []

    def test_a_symlink_out_of_the_workspace_is_refused_before_any_scan(
        self, tmp_path: Path, emulator: AikidoEmulator
    ) -> None:
        (tmp_path / "workspace").mkdir()
        os.symlink(tmp_path, tmp_path / "workspace" / "out")
        run = act(tmp_path, emulator, sarif_file="out/aikido.sarif")
        assert run.returncode == 1
        assert "input sarif-file: out/aikido.sarif leads outside the workspace" in annotations_of(run, "error")[0]
        assert emulator.requests == []
        assert not (tmp_path / "aikido.sarif").exists()
        assert KEY not in run.stdout.replace(f"::add-mask::{KEY}", "")
