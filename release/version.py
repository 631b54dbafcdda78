"""Stamp a release into the tree: `python -m release.version vX.Y.Z [--date YYYY-MM-DD] [--then-develop]`.

On main the code says it is not a release: `gate.__version__` (and pyproject's version) is the
next release with `.dev0`, and what that release will contain sits under `## [Unreleased]` in
CHANGELOG.md. The release workflow runs this on the commit it releases, before the image is
built, so the image and the release commit say X.Y.Z: the versions become X.Y.Z and the
Unreleased section becomes `## [X.Y.Z] - DATE` under a new, empty Unreleased. With
`--then-develop` (main after a release) the versions become the next patch's `.dev0`.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

from release import rewrite
from release.notes import NotesError, parse_version

ROOT = Path(__file__).resolve().parent.parent
HOME = "https://github.com/aikido-gate/aikido-gate"
_INIT_VERSION = re.compile(r'^__version__ = "[^"]*"$', re.MULTILINE)
_PYPROJECT_VERSION = re.compile(r'^version = "[^"]*"$', re.MULTILINE)


class VersionError(Exception):
    """The tree cannot be stamped; the message says why."""


def next_development(version: str) -> str:
    """The development version after a release: `1.2.0` gives `1.2.1.dev0`."""
    major, minor, patch = version.split(".")
    return f"{major}.{minor}.{int(patch) + 1}.dev0"


def _replace_once(pattern: re.Pattern[str], replacement: str, text: str, where: str) -> str:
    result, count = pattern.subn(replacement, text)
    if count != 1:
        raise VersionError(f"{where} has {count} version lines, not one")
    return result


def stamp_init(text: str, version: str) -> str:
    return _replace_once(_INIT_VERSION, f'__version__ = "{version}"', text, "gate/__init__.py")


def stamp_pyproject(text: str, version: str) -> str:
    return _replace_once(_PYPROJECT_VERSION, f'version = "{version}"', text, "pyproject.toml")


def stamp_changelog(text: str, version: str, date: str) -> str:
    """Date the Unreleased section as `version`, open a new empty one, and point the links at the tags."""
    heading = re.compile(r"^## \[Unreleased\][^\n]*\n", re.MULTILINE)
    if f"## [{version}]" in text:
        raise VersionError(f"CHANGELOG.md already has a section for {version}")
    if heading.search(text) is None:
        raise VersionError("CHANGELOG.md has no ## [Unreleased] section")
    text = heading.sub(f"## [Unreleased]\n\n## [{version}] - {date}\n", text, count=1)
    # The note on main that nothing is published yet belongs to no release.
    text = re.sub(r"\nWhat the first release, [^\n]*\n(?:[^\n]+\n)*\n", "\n", text, count=1)
    links = re.compile(r"^\[Unreleased\]: \S+$", re.MULTILINE)
    return links.sub(
        f"[Unreleased]: {HOME}/compare/v{version}...HEAD\n[{version}]: {HOME}/releases/tag/v{version}", text, count=1
    )


def stamp(root: Path, tag: str, date: str, *, then_develop: bool = False) -> str:
    """Stamp the tree at `root` as release `tag` (or, with `then_develop`, as the development after it)."""
    version, _ = parse_version(tag)
    rewrite(root / "CHANGELOG.md", lambda text: stamp_changelog(text, version, date))
    written = next_development(version) if then_develop else version
    rewrite(root / "gate" / "__init__.py", lambda text: stamp_init(text, written))
    rewrite(root / "pyproject.toml", lambda text: stamp_pyproject(text, written))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag", help="vX.Y.Z or X.Y.Z")
    parser.add_argument("--date", default=datetime.datetime.now(tz=datetime.UTC).date().isoformat())
    parser.add_argument("--then-develop", action="store_true", help="main after the release: the next .dev0")
    args = parser.parse_args(argv)
    try:
        written = stamp(ROOT, args.tag, args.date, then_develop=args.then_develop)
    except (VersionError, NotesError, OSError) as error:
        print(f"version: {error}", file=sys.stderr)
        return 1
    print(f"CHANGELOG.md dated {args.tag} {args.date}; gate/__init__.py and pyproject.toml say {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
