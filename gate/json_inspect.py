"""One streaming pass over a JSON file: valid UTF-8 JSON?, the few values the shape checks need, its escaped length.

Files of several hundred MB are normal for SBOMs, so nothing here loads a whole file. ijson's
C backend parses; its events are filtered in C (`itertools.compress` over a set lookup), so
Python code sees only the handful of watched ones.

A large file is read by two processes at once, one per core: the first half by a lean child
interpreter that imports only this module (a fork would count the parent's memory twice). The
split is a comma between two objects of an array that is a value of the root object (`}, {`, as
between Syft's artifacts), and it is proven, not guessed: the first half is parsed with `]}`
appended, which is valid JSON only if the comma sits exactly there; the second is parsed after
`{"\\u0000": [`, which puts the parser in the very state the full document has after that comma.
Both valid means the whole is valid. When either half fails, one pass over the whole file gives
the real answer.
"""

from __future__ import annotations

import codecs
import contextlib
import itertools
import json
import operator
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from gate.json_string import escaped_length

CHUNK = 1 << 20
# Below this a second process costs more than it saves.
SPLIT_FROM = 8 * CHUNK
_SPLIT = re.compile(rb"\}\s*,\s*\{")
_CLOSE_FIRST_HALF = b"]}"
_OPEN_SECOND_HALF = b'{"\\u0000": ['

# The JSON paths whose values the shape checks need, as ijson names them.
WATCHED = frozenset(
    {"", "descriptor.name", "source.name", "source.metadata.userInput", "source.metadata.tags.item", "version",
     "runs", "runs.item.tool.driver.name"}
)  # fmt: skip
_TAGS = "source.metadata.tags.item"


@dataclass
class JsonFacts:
    """What a pass learned about a JSON file."""

    top_keys: set[str] = field(default_factory=set)
    strings: dict[str, str] = field(default_factory=dict)
    drivers: list[str] = field(default_factory=list)
    runs_is_array: bool = False
    escaped_size: int = 0
    size: int = 0

    def merge(self, later: JsonFacts) -> None:
        """Add what a pass over the bytes after these learned (its values win, as they would in one pass)."""
        self.top_keys |= later.top_keys
        for prefix, value in later.strings.items():
            if prefix == _TAGS:
                self.strings.setdefault(prefix, value)
            else:
                self.strings[prefix] = value
        self.drivers += later.drivers
        self.runs_is_array |= later.runs_is_array
        self.escaped_size += later.escaped_size
        self.size += later.size


class _Range:
    """A reader for ijson over bytes [start, stop) of a file, between synthetic bytes.

    It also decodes the real bytes strictly as UTF-8 and counts their escaped length.
    """

    def __init__(self, handle: BinaryIO, start: int, stop: int, before: bytes = b"", after: bytes = b"") -> None:
        handle.seek(start)
        self._handle, self._offset, self._left = handle, start, stop - start
        self._before, self._after = before, after
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.escaped_size = 0

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson's probe for bytes or text
            return b""
        if self._before:
            data, self._before = self._before, b""
            return data
        want = self._left if size < 0 else min(size, self._left)
        data = self._handle.read(want) if want else b""
        self._left -= len(data)
        try:
            self._decoder.decode(data, final=not self._left)
        except UnicodeDecodeError as error:
            raise ValueError(f"is not UTF-8 text (at byte {self._offset + error.start})") from None
        self._offset += len(data)
        self.escaped_size += escaped_length(data)
        if not data:
            data, self._after = self._after, b""
        return data


def _watched(events: Iterator[tuple[str, str, Any]]) -> Iterator[tuple[str, str, Any]]:
    """Only the events at watched paths, chosen in C: no Python code runs for the others."""
    events, prefixes = itertools.tee(events)
    return itertools.compress(events, map(WATCHED.__contains__, map(operator.itemgetter(0), prefixes)))


def _inspect_range(path: Path, start: int, stop: int, before: bytes = b"", after: bytes = b"") -> JsonFacts:
    facts = JsonFacts(size=stop - start)
    with path.open("rb") as handle:
        reader = _Range(handle, start, stop, before, after)
        try:
            for prefix, event, value in _watched(ijson.parse(reader, buf_size=CHUNK)):
                if prefix == "" and event == "map_key":
                    facts.top_keys.add(value)
                elif prefix == "runs.item.tool.driver.name" and isinstance(value, str):
                    facts.drivers.append(value)
                elif prefix == _TAGS and isinstance(value, str):
                    facts.strings.setdefault(prefix, value)
                elif prefix == "runs" and event == "start_array":
                    facts.runs_is_array = True
                elif event == "string":
                    facts.strings[prefix] = value
        except (ijson.JSONError, ijson.IncompleteJSONError) as error:
            raise ValueError(f"is not valid JSON ({_short(error)})") from None
    facts.escaped_size = reader.escaped_size
    return facts


def _short(error: Exception) -> str:
    return re.sub(r"\s+", " ", str(error)).strip()[:120] or type(error).__name__


def split_point(path: Path, size: int) -> int | None:
    """The offset of a `}, {` comma near the middle of the file, if there is one."""
    with path.open("rb") as handle:
        handle.seek(size // 2)
        window = handle.read(CHUNK)
    match = _SPLIT.search(window)
    return None if match is None else size // 2 + window.index(b",", match.start())


def inspect_json(path: Path) -> JsonFacts:
    """Check `path` is valid UTF-8 JSON and learn its facts; raises ValueError saying why not."""
    size = path.stat().st_size
    if size >= SPLIT_FROM and (split := split_point(path, size)) is not None:
        with contextlib.suppress(ValueError, OSError):
            return _inspect_halves(path, size, split)
    return _inspect_range(path, 0, size)


# The child: `python -I -c CHILD ROOT PATH STOP` prints the first half's facts as JSON.
CHILD = (
    "import sys; sys.path.insert(0, sys.argv[1]); from gate.json_inspect import first_half; "
    "first_half(sys.argv[2], int(sys.argv[3]))"
)
ROOT = str(Path(__file__).resolve().parent.parent)


def first_half(path: str, stop: int) -> None:
    """The child's work: the facts of bytes [0, stop) closed by `]}`, as JSON on stdout (exit 1 if invalid)."""
    try:
        facts = _inspect_range(Path(path), 0, stop, after=_CLOSE_FIRST_HALF)
    except (ValueError, OSError):
        sys.exit(1)
    json.dump(facts.__dict__ | {"top_keys": sorted(facts.top_keys)}, sys.stdout)


def _inspect_halves(path: Path, size: int, split: int) -> JsonFacts:
    """The first half in a child process, the second here; ValueError or OSError if either fails."""
    with subprocess.Popen(  # noqa: S603 -- this interpreter, this module, no shell
        [sys.executable, "-I", "-c", CHILD, ROOT, str(path), str(split)],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    ) as child:
        try:
            second = _inspect_range(path, split + 1, size, before=_OPEN_SECOND_HALF)
        except BaseException:
            child.kill()  # its answer no longer matters
            raise
        answer, _ = child.communicate()
    if child.returncode != 0 or not answer:
        raise ValueError("the first half did not parse")
    first = json.loads(answer)
    facts = JsonFacts(**(first | {"top_keys": set(first["top_keys"])}))
    second.top_keys.discard("\u0000")
    second.size += 1  # the comma between the halves
    second.escaped_size += 1
    facts.merge(second)
    return facts
