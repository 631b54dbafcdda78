"""Real Syft and Checkov outputs grown past a few MB with text that is hard to escape, for byte-exact checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import SAMPLES

FIXTURES = SAMPLES / "uploads"
# Non-ASCII of every UTF-8 length (astral ones as 4 bytes), what JSON must escape, and what it must not.
TRICKY = 'é✓🐍 "quoted" back\\slash\ttab\nline\r\x01\x1f\x7f\u2028\u2029\ufeff\U0010ffff '


def _filler(index: int, length: int) -> str:
    """Mostly 2-, 3- and 4-byte characters, so a cut at any byte offset likely falls inside one."""
    dense = "🐍é✓𝄞" * (length // 4)
    return f"{index}:{TRICKY}{dense}{TRICKY[::-1]}"


def grown_syft(size: int) -> dict[str, Any]:
    """The real syft-image.json with artifacts added until its text is about `size` bytes."""
    document: dict[str, Any] = json.loads((FIXTURES / "syft-image.json").read_text(encoding="utf-8"))
    model = document["artifacts"][0]
    for index in range(size // 4000 + 1):
        document["artifacts"].append(model | {"id": f"{index:016x}", "name": _filler(index, 1000)})
    return document


def grown_checkov(size: int) -> dict[str, Any]:
    """The real checkov.sarif with results added until its text is about `size` bytes."""
    document: dict[str, Any] = json.loads((FIXTURES / "checkov.sarif").read_text(encoding="utf-8"))
    run = document["runs"][0]
    model = run["results"][0]
    for index in range(size // 4000 + 1):
        run["results"].append(model | {"message": {"text": _filler(index, 1000)}})
    return document


def write(path: Path, document: dict[str, Any], *, pretty: bool = False, crlf: bool = False) -> Path:
    """`document` as Syft writes it (compact, UTF-8) or pretty-printed, with CRLF line ends if asked."""
    text = json.dumps(document, ensure_ascii=False, indent=2 if pretty else None)
    path.write_bytes((text.replace("\n", "\r\n") if crlf else text).encode())
    return path


def expected_body(path: Path, fields: dict[str, Any]) -> bytes:
    """What the action must send: the envelope with the file's whole text as `payload`, by json.dumps."""
    return json.dumps(fields | {"payload": path.read_bytes().decode("utf-8")}, ensure_ascii=False).encode()
