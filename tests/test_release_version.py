"""release/version.py, and the version story on main: every piece says the same unreleased version."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import gate
from release.notes import release_of, section
from release.version import VersionError, main, next_development, stamp, stamp_changelog

ROOT = Path(__file__).resolve().parent.parent
CHANGELOG = """# Changelog

## [Unreleased]

What the first release, 1.0.0, will contain; the release workflow dates this section when it publishes
it (`release/version.py`). Nothing has been tagged or published yet.

### Added
- the gate

[Unreleased]: https://github.com/aikido-gate/aikido-gate/commits/main
"""


class TestTheStoryOnMain:
    """The pieces agree: code, package metadata, changelog and README examples."""

    def test_the_code_says_it_is_not_a_release(self) -> None:
        assert re.fullmatch(r"\d+\.\d+\.\d+\.dev0", gate.__version__)
        pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
        assert f'\nversion = "{gate.__version__}"\n' in pyproject
        assert gate.__version__ in gate.USER_AGENT

    def test_what_the_release_will_contain_is_unreleased_and_undated(self) -> None:
        changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
        upcoming = release_of(gate.__version__)
        assert f"## [{upcoming}]" not in changelog
        assert section(changelog, "Unreleased").strip()

    def test_readme_examples_name_a_version_that_contains_what_they_use(self) -> None:
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        tags = set(re.findall(r"aikido-gate/aikido-gate@[0-9a-f]{40} # v(\d+\.\d+\.\d+)", readme))
        assert tags == {release_of(gate.__version__)}

    def test_the_verify_recipe_reads_the_pinned_commit_not_a_moving_tag(self) -> None:
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        [url] = re.findall(r"https://raw\.githubusercontent\.com/\S+/action\.yml", readme)
        assert "/$pin/" in url


class TestStamp:
    """stamp_changelog, stamp and main"""

    def test_the_unreleased_section_is_dated_and_a_new_one_opened(self) -> None:
        stamped = stamp_changelog(CHANGELOG, "1.0.0", "2027-01-02")
        assert stamped.startswith(
            "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2027-01-02\n\n### Added\n- the gate\n"
        )
        assert "Nothing has been tagged" not in stamped
        assert stamped.endswith(
            "[Unreleased]: https://github.com/aikido-gate/aikido-gate/compare/v1.0.0...HEAD\n"
            "[1.0.0]: https://github.com/aikido-gate/aikido-gate/releases/tag/v1.0.0\n"
        )
        assert section(stamped, "1.0.0") == "### Added\n- the gate\n"

    def test_a_version_already_there_is_refused(self) -> None:
        once = stamp_changelog(CHANGELOG, "1.0.0", "2027-01-02")
        with pytest.raises(VersionError, match=r"already has a section for 1\.0\.0"):
            stamp_changelog(once, "1.0.0", "2027-01-03")

    def test_the_real_tree_stamps_and_then_develops(self, tmp_path: Path) -> None:
        for name in ("CHANGELOG.md", "pyproject.toml", "gate/__init__.py"):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / name, tmp_path / name)
        upcoming = release_of(gate.__version__)
        assert stamp(tmp_path, f"v{upcoming}", "2027-01-02") == upcoming
        assert f'__version__ = "{upcoming}"' in (tmp_path / "gate/__init__.py").read_text()
        assert f"## [{upcoming}] - 2027-01-02" in (tmp_path / "CHANGELOG.md").read_text()
        assert next_development(upcoming) == upcoming.rsplit(".", 1)[0] + f".{int(upcoming.rsplit('.', 1)[1]) + 1}.dev0"

    def test_main_refuses_a_bad_tag(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["latest"]) == 1
        assert capsys.readouterr().err == "version: 'latest' is not a version vX.Y.Z\n"
