"""The release notes of one version from CHANGELOG.md: `python -m release.notes 1.2.3`.

Also the release's consistency check: the version must be the package's own
(`gate.__version__`: the release itself, or its `.dev0` on main) and the changelog must hold
its notes (its own section, or on main the Unreleased section that will become it), so a tag
can never publish a version the code and the changelog do not know.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_DEV = re.compile(r"(?P<base>\d+\.\d+\.\d+)\.dev\d+")
_VERSION = re.compile(r"v?(?P<version>(?P<major>0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*))")


class NotesError(Exception):
    """No notes can be made for this version; the message says why."""


def parse_version(text: str) -> tuple[str, str]:
    """`v1.2.3` or `1.2.3` -> (`1.2.3`, `v1`); refuses anything that is not X.Y.Z."""
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        raise NotesError(f"{text!r} is not a version vX.Y.Z")
    return match["version"], f"v{match['major']}"


def release_of(version: str) -> str:
    """The release a package version is or leads to: `1.2.0.dev0` and `1.2.0` both give `1.2.0`."""
    match = _DEV.fullmatch(version)
    return match["base"] if match else version


def section(changelog: str, version: str) -> str:
    """The body of `## [version]` up to the next `## ` heading (link definitions dropped)."""
    heading = re.compile(rf"^## \[{re.escape(version)}\][^\n]*\n", re.MULTILINE)
    match = heading.search(changelog)
    if match is None:
        raise NotesError(f"CHANGELOG.md has no section ## [{version}]")
    rest = changelog[match.end() :]
    following = re.search(r"^## ", rest, re.MULTILINE)
    body = rest[: following.start()] if following else rest
    body = re.sub(r"^\[[^\]]+\]: \S+\s*$", "", body, flags=re.MULTILINE).strip()
    if not body:
        raise NotesError(f"the CHANGELOG.md section of {version} is empty")
    return body + "\n"


def notes(changelog: str, tag: str, package_version: str) -> str:
    """The notes of `tag`, after checking it is the package's version."""
    version, _ = parse_version(tag)
    if version != release_of(package_version):
        raise NotesError(f"the tag says {version} but gate/__init__.py says {package_version}: bump one of them")
    if package_version != version and f"## [{version}]" not in changelog:
        return section(changelog, "Unreleased")  # main, before release.version dates it
    return section(changelog, version)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag", help="vX.Y.Z or X.Y.Z")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from gate import __version__  # noqa: PLC0415 -- the package of this checkout, found through ROOT

    try:
        text = notes((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), args.tag, __version__)
    except (NotesError, OSError) as error:
        print(f"notes: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
