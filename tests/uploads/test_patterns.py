"""gate.uploads.patterns: glob's rules, without following a symlinked directory, within bounds."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest

from gate.uploads.errors import PatternTooWide
from gate.uploads.patterns import glob_files

TREE = (
    "a/x.syft.json",
    "a/b/y.syft.json",
    "a/b/c/z.syft.json",
    "a/b/c/Q.SARIF",
    "a/.hidden/h.syft.json",
    "a/.dot.syft.json",
    ".top/x/t.syft.json",
    "r.syft.json",
    "z/q.sarif",
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in TREE:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    (tmp_path / "z" / "link.syft.json").symlink_to(tmp_path / "r.syft.json")
    return tmp_path


class TestGlobFiles:
    """glob_files"""

    @pytest.mark.parametrize(
        "pattern",
        ["**/*.syft.json", "a/**", "**", "*/*.sarif", "a/*/c/*", "a/b/y.syft.json", "a/[bx]*", "**/c/*",
         ".top/**/*.json", "a/.*", "**/*.SARIF", "z/*", "a/**/c", "**/", "nothing/*", "a/b/c/nothing"],
    )  # fmt: skip
    def test_the_same_files_as_glob_where_there_are_no_symlinked_directories(self, tree: Path, pattern: str) -> None:
        by_glob = glob.glob(pattern, root_dir=tree, recursive=True)
        assert glob_files(pattern, str(tree)) == sorted(name for name in by_glob if not (tree / name).is_dir())

    def test_symlink_loops_are_not_followed(self, tree: Path) -> None:
        for index in range(3):
            (tree / f"l{index}").symlink_to(".")
        (tree / "a" / "up").symlink_to("/")
        assert glob_files("**/*.syft.json", str(tree)) == [
            "a/b/c/z.syft.json",
            "a/b/y.syft.json",
            "a/x.syft.json",
            "r.syft.json",
            "z/link.syft.json",
        ]
        assert glob_files("*/*/*/*.syft.json", str(tree)) == ["a/b/c/z.syft.json"]

    def test_glob_itself_would_follow_them(self, tree: Path) -> None:
        """The test above can fail: glob walks into the symlinked directory."""
        (tree / "l0").symlink_to("a")
        assert "l0/x.syft.json" in glob.glob("**/*.syft.json", root_dir=tree, recursive=True)
        assert "l0/x.syft.json" not in glob_files("**/*.syft.json", str(tree))

    def test_a_literal_directory_may_be_a_symlink(self, tree: Path) -> None:
        (tree / "alias").symlink_to("a")
        assert glob_files("alias/*.json", str(tree)) == ["alias/x.syft.json"]

    def test_too_many_entries(self, tree: Path) -> None:
        with pytest.raises(PatternTooWide, match=r"^it visits more than 5 entries of the workspace$"):
            glob_files("**/*.json", str(tree), max_entries=5)

    def test_too_long(self, tree: Path) -> None:
        ticks = iter(range(100))
        with pytest.raises(PatternTooWide, match=r"^walking the workspace for it takes more than 3 s$"):
            glob_files("**/*.json", str(tree), seconds=3, clock=lambda: float(next(ticks)))
