"""gate.uploads.errors: the uploads' own exceptions stay inside them, each turned into a ConfigError."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.core.errors import ConfigError
from gate.uploads import files
from gate.uploads.errors import PatternTooWide
from gate.uploads.files import expand


class TestPatternTooWide:
    """PatternTooWide: a walk past its bounds, told as the input it came from and what to write instead"""

    def test_it_becomes_a_config_error_naming_the_input(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        def too_wide(pattern: str, root: str, *, seconds: float) -> list[str]:
            raise PatternTooWide("it visits more than 5 entries of the workspace")

        monkeypatch.setattr(files, "glob_files", too_wide)
        with pytest.raises(ConfigError) as refused:
            expand("**/*.json", tmp_path, "sbom-files")
        assert str(refused.value) == (
            "input sbom-files: **/*.json is too wide to expand (it visits more than 5 entries of the workspace); "
            "name the files or their directory more narrowly, e.g. build/sbom/*.json instead of **/*.json"
        )
