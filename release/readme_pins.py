"""Point README's examples at a release: `python -m release.readme_pins OWNER/NAME SHA vX.Y.Z [README.md]`.

README's examples pin the action by full commit SHA with the version in a comment, the
form zizmor accepts and Dependabot updates. The release workflow runs this on main after
it has made the release commit, so the examples always name the latest release.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from release import rewrite
from release.notes import NotesError, parse_version

_SHA = re.compile(r"[0-9a-f]{40}")
_REPOSITORY = re.compile(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+")


class PinsError(Exception):
    """README cannot be re-pinned; the message says why."""


def pins(readme: str, repository: str) -> list[tuple[str, str]]:
    """Every (sha, tag) pin of `repository` in the text, in order."""
    pattern = re.compile(rf"{re.escape(repository)}@([0-9a-f]{{40}}) # (v\d+\.\d+\.\d+)\b")
    return [(match[1], match[2]) for match in pattern.finditer(readme)]


def repin(readme: str, repository: str, sha: str, tag: str) -> str:
    """The text with every `repository@<sha> # vX.Y.Z` pin naming `sha` and `tag`."""
    if not _REPOSITORY.fullmatch(repository):
        raise PinsError(f"{repository!r} is not OWNER/NAME")
    if not _SHA.fullmatch(sha):
        raise PinsError(f"{sha!r} is not a full commit SHA (40 lower-case hexadecimal characters)")
    try:
        parse_version(tag)
    except NotesError as error:
        raise PinsError(str(error)) from None
    pattern = re.compile(rf"({re.escape(repository)}@)[0-9a-f]{{40}}( # )v\d+\.\d+\.\d+\b")
    text, count = pattern.subn(rf"\g<1>{sha}\g<2>{tag}", readme)
    if count == 0:
        raise PinsError(f"README has no {repository}@<sha> # vX.Y.Z pin to update")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repository")
    parser.add_argument("sha")
    parser.add_argument("tag")
    parser.add_argument("readme", nargs="?", type=Path, default=Path("README.md"))
    args = parser.parse_args(argv)
    try:
        text = rewrite(args.readme, lambda text: repin(text, args.repository, args.sha, args.tag))
    except (PinsError, OSError) as error:
        print(f"readme_pins: {error}", file=sys.stderr)
        return 1
    print(f"{args.readme}: {len(pins(text, args.repository))} example(s) pinned to {args.sha} # {args.tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
