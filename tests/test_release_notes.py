"""release/notes.py: the release notes come from the changelog, for the package's own version only."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate import __version__
from release.notes import NotesError, main, notes, parse_version, release_of, section

ROOT = Path(__file__).resolve().parent.parent
CHANGELOG = """# Changelog

## [Unreleased]

### Fixed
- later

## [1.2.0] - 2026-12-01

### Added
- a thing

## [1.1.0] - 2026-11-01

- older

[1.2.0]: https://example.test/v1.2.0
"""


class TestParseVersion:
    """parse_version"""

    @pytest.mark.parametrize(("tag", "want"), [("v1.2.3", ("1.2.3", "v1")), ("10.0.0", ("10.0.0", "v10"))])
    def test_reads_the_version_and_its_major_tag(self, tag: str, want: tuple[str, str]) -> None:
        assert parse_version(tag) == want

    @pytest.mark.parametrize("tag", ["v1.2", "v01.2.3", "v1.2.3-rc1", "latest", "v1.2.3\n--x"])
    def test_refuses_anything_but_x_y_z(self, tag: str) -> None:
        with pytest.raises(NotesError, match=r"is not a version vX\.Y\.Z"):
            parse_version(tag)


class TestSection:
    """section"""

    def test_the_body_up_to_the_next_version(self) -> None:
        assert section(CHANGELOG, "1.2.0") == "### Added\n- a thing\n"

    def test_drops_link_definitions_of_the_last_section(self) -> None:
        assert section(CHANGELOG, "1.1.0") == "- older\n"

    def test_a_missing_version_is_an_error(self) -> None:
        with pytest.raises(NotesError, match=r"no section ## \[1.3.0\]"):
            section(CHANGELOG, "1.3.0")


class TestNotes:
    """notes"""

    def test_refuses_a_tag_that_is_not_the_package_version(self) -> None:
        with pytest.raises(NotesError, match=r"the tag says 1\.1\.0 but gate/__init__\.py says 1\.2\.0"):
            notes(CHANGELOG, "v1.1.0", "1.2.0")

    def test_on_main_the_notes_are_the_unreleased_section(self) -> None:
        assert notes(CHANGELOG, "v1.3.0", "1.3.0.dev0") == "### Fixed\n- later\n"

    def test_a_development_version_leads_only_to_its_own_release(self) -> None:
        with pytest.raises(NotesError, match=r"the tag says 1\.4\.0 but gate/__init__\.py says 1\.3\.0\.dev0"):
            notes(CHANGELOG, "v1.4.0", "1.3.0.dev0")

    def test_the_real_changelog_has_the_package_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main([f"v{release_of(__version__)}"]) == 0
        out = capsys.readouterr().out
        assert out.strip()
        assert out == section((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), "Unreleased")
