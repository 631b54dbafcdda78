"""Release tooling: run by `.github/workflows/release.yml`, unit-tested like the gate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def rewrite(path: Path, change: Callable[[str], str]) -> str:
    """Replace the text of `path` with `change(text)` and return it; nothing is written if `change` raises.

    newline="" both ways, so a CRLF file stays CRLF and every untouched byte stays as it was.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        text = change(handle.read())
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return text
