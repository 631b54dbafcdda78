"""Point `action.yml` at a pushed image by digest: `python -m release.pin_image IMAGE@sha256:… [action.yml]`.

The release commit's action.yml must name the exact multi-arch index that was built,
attested and pushed, so users never build the Dockerfile and a mutable tag can never
change what a pinned release runs. Only the value of `runs.image` changes; every other
byte of the file stays as it was, so the release commit's diff is one line.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from release import rewrite

# ghcr.io/owner/name@sha256:<64 hex>: a registry host, a lower-case repository path, a digest and no tag.
_REFERENCE = re.compile(
    r"(?:docker://)?"
    r"(?P<host>[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]+)?)/"
    r"(?P<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"@sha256:(?P<digest>[0-9a-f]{64})"
)
# `runs:` at the top level, then its indented `image:` line (with an optional quote and comment).
_RUNS = re.compile(r"^runs:[ \t]*(?:#[^\r\n]*)?\r?$", re.MULTILINE)
_IMAGE = re.compile(r"^(?P<indent>[ \t]+)image:[ \t]*(?P<value>[^\r\n]*?)(?P<eol>\r?\n|$)", re.MULTILINE)


class PinError(Exception):
    """The reference or the action.yml cannot be pinned; the message says why."""


def docker_reference(reference: str) -> str:
    """`docker://host/path@sha256:…` for a digest reference; refuses tags and anything else."""
    match = _REFERENCE.fullmatch(reference.strip())
    if match is None:
        raise PinError(
            f"{reference!r} is not an image reference by digest (HOST/OWNER/NAME@sha256:<64 hex>); "
            "a tag can be moved, so a release never points at one"
        )
    return f"docker://{match['host']}/{match['path']}@sha256:{match['digest']}"


def pin(action_yml: str, reference: str) -> str:
    """`action_yml` with `runs.image` set to the digest reference; every other byte unchanged."""
    wanted = docker_reference(reference)
    runs = list(_RUNS.finditer(action_yml))
    if len(runs) != 1:
        raise PinError("action.yml has no single top-level runs: section")
    start = runs[0].end()
    following = re.search(r"^\S", action_yml[start + 1 :], re.MULTILINE)
    end = start + 1 + following.start() if following else len(action_yml)
    images = list(_IMAGE.finditer(action_yml, start, end))
    if len(images) != 1:
        raise PinError("the runs: section of action.yml has no single image: line")
    image = images[0]
    if "using: docker" not in action_yml[start:end]:
        raise PinError("action.yml is not a Docker action (runs.using is not docker)")
    return action_yml[: image.start("value")] + wanted + action_yml[image.end("value") :]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", help="the pushed image by digest, e.g. ghcr.io/owner/name@sha256:…")
    parser.add_argument("action_yml", nargs="?", type=Path, default=Path("action.yml"))
    args = parser.parse_args(argv)
    try:
        rewrite(args.action_yml, lambda text: pin(text, args.reference))
    except (PinError, OSError) as error:
        print(f"pin_image: {error}", file=sys.stderr)
        return 1
    print(f"{args.action_yml}: runs.image = {docker_reference(args.reference)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
