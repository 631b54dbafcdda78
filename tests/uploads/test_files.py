"""SBOM and SARIF files: found, validated before any scan, streamed as the API wants them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from gate.core.errors import ConfigError
from gate.core.models import ScanTarget, UploadKind, start_body
from gate.core.precedence import DEFAULTS
from gate.uploads.files import image_name_from
from tests.conftest import SAMPLES
from tests.support.uploads import collect

FIXTURES = SAMPLES / "uploads"
TARGET = ScanTarget("R", "a" * 40, "b" * 40, "m")
OPTIONS = replace(
    DEFAULTS,
    minimum_severity="LOW",
    fail_on_dependency_scan=True,
    fail_on_sast_scan=True,
    fail_on_iac_scan=True,
    fail_on_secrets_scan=True,
)


class TestImageNameFrom:
    """image_name_from"""

    @pytest.mark.parametrize(
        ("reference", "name"),
        [
            ("nginx:1.25", "nginx"),
            ("ghcr.io/octo-org/web:1.4.2", "ghcr.io/octo-org/web"),
            ("localhost:5000/app:dev@sha256:" + "a" * 64, "localhost:5000/app"),
            ("docker:alpine", "alpine"),
            ("registry:quay.io/x/y", "quay.io/x/y"),
            ("web-image.tar", None),
            ("/github/workspace", None),
            ("Has Spaces", None),
        ],
    )
    def test_names(self, reference: str, name: str | None) -> None:
        assert image_name_from(reference) == name


class TestCollect:
    """collect"""

    def test_image_name_from_the_sbom_and_from_the_entry(self, workspace: Path) -> None:
        files, warnings = collect("build/syft-image.json\nweb-dir = build/syft-dir.json\n", "", workspace)
        assert [(f.kind, f.shown, f.image_name) for f in files] == [
            (UploadKind.SBOM, "build/syft-image.json", "ghcr.io/octo-org/web"),
            (UploadKind.SBOM, "build/syft-dir.json", "web-dir"),
        ]
        assert files[0].size == (FIXTURES / "syft-image.json").stat().st_size
        assert warnings == []

    def test_globs_and_absolute_paths_inside_the_workspace(self, workspace: Path) -> None:
        files, _ = collect("", f"build/*.sarif\n{workspace}/build/checkov.sarif", workspace)
        assert [f.shown for f in files] == ["build/checkov.sarif", "build/ruff.sarif"]

    def test_sarif_from_another_tool_is_a_warning(self, workspace: Path) -> None:
        _, warnings = collect("", "build/ruff.sarif", workspace)
        assert warnings == ["build/ruff.sarif was made by ruff, not Checkov; Aikido reads it as Checkov output"]

    def test_a_sarif_with_many_tools_gives_a_bounded_warning(self, workspace: Path) -> None:
        runs = ",".join(
            f'{{"tool": {{"driver": {{"name": "tool-{index}-{"x" * 100}"}}}}, "results": []}}'
            for index in range(300_000)
        )
        (workspace / "many.sarif").write_text(f'{{"version": "2.1.0", "runs": [{runs}]}}')
        _, warnings = collect("", "many.sarif", workspace)
        assert len(warnings) == 1
        assert len(warnings[0]) < 600
        assert warnings[0].startswith("many.sarif was made by tool-0-xxx")
        assert warnings[0].endswith(" and 299995 more, not Checkov; Aikido reads it as Checkov output")

    def test_checkov_anywhere_among_many_tools_is_found(self, workspace: Path) -> None:
        runs = [f'{{"tool": {{"driver": {{"name": "tool-{index}"}}}}}}' for index in range(50)]
        runs.append('{"tool": {"driver": {"name": "Checkov"}}}')
        (workspace / "late.sarif").write_text(f'{{"version": "2.1.0", "runs": [{",".join(runs)}]}}')
        assert collect("", "late.sarif", workspace)[1] == []

    def test_checkov_late_in_a_large_file_is_found(self, workspace: Path) -> None:
        """A cut between runs would hide which tools the runs after it name: such a file is streamed whole."""
        other = '{"tool": {"driver": {"name": "other", "informationUri": "https://x.example/' + "x" * 3000 + '"}}}'
        runs = [other] * 3000 + ['{"tool": {"driver": {"name": "Checkov"}}}']
        path = workspace / "large.sarif"
        path.write_text(f'{{"version": "2.1.0", "runs": [{",".join(runs)}]}}')
        assert collect("", "large.sarif", workspace)[1] == []

    def test_directory_sbom_named_by_syft(self, workspace: Path) -> None:
        files, _ = collect("build/syft-dir.json", "", workspace)
        assert files[0].image_name == "app"

    @pytest.mark.parametrize(
        ("sboms", "sarifs", "message"),
        [
            ("build/none-*.json", "", "input sbom-files: build/none-\\*.json matches no file in the workspace"),
            ("build/missing.json", "", "input sbom-files: build/missing.json does not exist in the workspace"),
            ("", "build/missing.sarif", "input checkov-sarif-files: build/missing.sarif does not exist"),
            ("../outside.json", "", "input sbom-files: ../outside.json leads outside the workspace"),
            ("/etc/passwd", "", "input sbom-files: /etc/passwd is outside the workspace"),
            ("build", "", "input sbom-files: build is not a regular file"),
            ("build/checkov.sarif", "", "input sbom-files: build/checkov.sarif is not a Syft JSON SBOM"),
            ("", "build/syft-dir.json", "input checkov-sarif-files: build/syft-dir.json is not a SARIF 2.1.0 file"),
            (
                "web:1.0=build/syft-image.json",
                "",
                "input sbom-files: the image name web:1.0 of build/syft-image.json has a tag or digest; "
                "Aikido wants the name alone: web=build/syft-image.json",
            ),
            ("=build/syft-dir.json", "", "input sbom-files: =build/syft-dir.json has an empty image name"),
            (
                "app=build/syft-image.json\nbuild/syft-dir.json",
                "",
                "input sbom-files: build/syft-image.json and build/syft-dir.json both have the image name app",
            ),
        ],
    )
    def test_bad_entries_name_the_input_and_the_file(
        self, workspace: Path, sboms: str, sarifs: str, message: str
    ) -> None:
        (workspace.parent / "outside.json").write_text("{}")
        with pytest.raises(ConfigError, match=f"^{message}"):
            collect(sboms, sarifs, workspace)

    def test_symlink_out_of_the_workspace(self, workspace: Path) -> None:
        (workspace.parent / "secret.json").write_text("{}")
        (workspace / "build" / "link.json").symlink_to(workspace.parent / "secret.json")
        with pytest.raises(ConfigError, match=r"^input sbom-files: build/link\.json leads outside the workspace"):
            collect("build/*.json", "", workspace)

    @pytest.mark.parametrize(("content", "problem"), [(b"", "is empty"), (b"{oops", "is not valid JSON")])
    def test_empty_or_broken_file(self, workspace: Path, content: bytes, problem: str) -> None:
        (workspace / "build" / "bad.json").write_bytes(content)
        with pytest.raises(ConfigError, match=f"^input sbom-files: build/bad.json {problem}"):
            collect("build/bad.json", "", workspace)


class TestStartBodyWithUploads:
    """start_body with uploads"""

    def test_self_managed_scanners_and_expected_sboms(self, workspace: Path) -> None:
        files, _ = collect("build/syft-image.json\nb=build/syft-dir.json", "build/checkov.sarif", workspace)
        body = start_body(
            ScanTarget("R", "a" * 40, "b" * 40, "m"),
            OPTIONS,
            tuple(files),
        )
        assert body["self_managed_scanners"] == ["json-sbom", "checkov"]
        assert body["expected_amount_json_sboms"] == 2

    def test_checkov_alone(self, workspace: Path) -> None:
        files, _ = collect("", "build/checkov.sarif", workspace)
        body = start_body(
            ScanTarget("R", "a" * 40, "b" * 40, "m"),
            OPTIONS,
            tuple(files),
        )
        assert body["self_managed_scanners"] == ["checkov"]
        assert "expected_amount_json_sboms" not in body
