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
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from gate.uploads.json_string import CHUNK, escaped_length

# Below this a second process costs more than it saves.
SPLIT_FROM = 8 << 20
_SPLIT = re.compile(rb"\}\s*,\s*\{")
_CLOSE_FIRST_HALF = "]}"
_OPEN_SECOND_HALF = '{"\\u0000": ['
_SYNTHETIC_KEY = "\u0000"

_DRIVER = "runs.item.tool.driver.name"
_SPLIT_DRIVER = f"{_SYNTHETIC_KEY}.item.tool.driver.name"
# The JSON paths whose values the shape checks need, as ijson names them.
WATCHED = frozenset(
    {"", "descriptor.name", "source.name", "source.metadata.userInput", "source.metadata.tags.item", "version",
     "runs", _DRIVER, _SPLIT_DRIVER}
)  # fmt: skip
_TAGS = "source.metadata.tags.item"
# A SARIF file may hold any number of runs: its tools' names are kept to a handful, then counted.
MAX_DRIVERS = 5


@dataclass
class Tools:
    """The tool names of a SARIF file's runs: the first few distinct ones (cut short), a count of the rest."""

    names: list[str] = field(default_factory=list)
    others: int = 0
    checkov: bool = False

    def add(self, name: str) -> None:
        self.checkov |= name.strip().lower() == "checkov"
        name = name[:60]
        if name in self.names:
            return
        if len(self.names) < MAX_DRIVERS:
            self.names.append(name)
        else:
            self.others += 1

    def merge(self, later: Tools) -> None:
        for name in later.names:
            self.add(name)
        self.others += later.others
        self.checkov |= later.checkov


@dataclass
class JsonFacts:
    """What a pass learned about a JSON file."""

    top_keys: set[str] = field(default_factory=set)
    strings: dict[str, str] = field(default_factory=dict)
    tools: Tools = field(default_factory=Tools)
    # A second half starts inside the top-level array the split fell in, under a synthetic key:
    # its tool names count once the first half shows that array was `runs` (`join`).
    split_tools: Tools = field(default_factory=Tools)
    last_key: str = ""
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
        if self.last_key == "runs":
            self.tools.merge(later.split_tools)
        self.tools.merge(later.tools)
        self.last_key = later.last_key if later.last_key != _SYNTHETIC_KEY else self.last_key
        self.runs_is_array |= later.runs_is_array
        self.escaped_size += later.escaped_size
        self.size += later.size

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"top_keys": sorted(self.top_keys)}

    @classmethod
    def from_json(cls, fields: dict[str, Any]) -> JsonFacts:
        tools, split = Tools(**fields["tools"]), Tools(**fields["split_tools"])
        return cls(**(fields | {"top_keys": set(fields["top_keys"]), "tools": tools, "split_tools": split}))


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


def _short(error: Exception) -> str:
    return re.sub(r"\s+", " ", str(error)).strip()[:120] or type(error).__name__


def split_point(path: Path, size: int) -> int | None:
    """The offset of a `}, {` comma near the middle of the file, if there is one."""
    with path.open("rb") as handle:
        handle.seek(size // 2)
        window = handle.read(1 << 20)
    match = _SPLIT.search(window)
    return None if match is None else size // 2 + window.index(b",", match.start())


@dataclass(frozen=True)
class Part:
    """Bytes [start, stop) of a file between synthetic bytes: the whole file, or one half of a proven split."""

    path: str
    start: int
    stop: int
    before: str = ""
    after: str = ""


def parts(path: Path, size: int) -> list[Part]:
    """How to inspect `path`: whole, or in two halves when it is large and has a split point near its middle."""
    if size >= SPLIT_FROM and (split := split_point(path, size)) is not None:
        return [Part(str(path), 0, split, after=_CLOSE_FIRST_HALF), Part(str(path), split + 1, size, _OPEN_SECOND_HALF)]
    return [Part(str(path), 0, size)]


def inspect_part(part: Part) -> JsonFacts:
    """The facts of one part; raises ValueError saying why it is not valid UTF-8 JSON."""
    import ijson  # noqa: PLC0415 -- only the runs that upload a file load the JSON parser

    facts = JsonFacts(size=part.stop - part.start)
    with Path(part.path).open("rb") as handle:
        reader = _Range(handle, part.start, part.stop, part.before.encode(), part.after.encode())
        try:
            for prefix, event, value in _watched(ijson.parse(reader, buf_size=CHUNK)):
                if prefix == "" and event == "map_key":
                    facts.top_keys.add(value)
                    facts.last_key = value
                elif prefix == _DRIVER and isinstance(value, str):
                    facts.tools.add(value)
                elif prefix == _SPLIT_DRIVER and isinstance(value, str):
                    facts.split_tools.add(value)
                elif prefix == _TAGS and isinstance(value, str):
                    facts.strings.setdefault(prefix, value)
                elif prefix == "runs" and event == "start_array":
                    facts.runs_is_array = True
                elif event == "string":
                    facts.strings[prefix] = value
        except ijson.JSONError as error:  # IncompleteJSONError too: it is one
            raise ValueError(f"is not valid JSON ({_short(error)})") from None
    facts.escaped_size = reader.escaped_size
    return facts


def join(facts: list[JsonFacts]) -> JsonFacts:
    """The facts of a whole file from those of its parts (one, or two halves in order)."""
    if len(facts) == 1:
        return facts[0]
    first, second = facts
    second.top_keys.discard(_SYNTHETIC_KEY)
    second.size += 1  # the comma between the halves
    second.escaped_size += 1
    first.merge(second)
    return first


def inspect_json(path: Path) -> JsonFacts:
    """Check `path` is valid UTF-8 JSON and learn its facts; raises ValueError saying why not."""
    size = path.stat().st_size
    plan = parts(path, size)
    if len(plan) == 2:
        with contextlib.suppress(ValueError, OSError):
            return _inspect_halves(plan)
    return inspect_part(Part(str(path), 0, size))


def _inspect_halves(plan: list[Part]) -> JsonFacts:
    """The first half in a worker, the second here; ValueError or OSError if either fails."""
    with subprocess.Popen(worker_command([plan[0]]), stdout=subprocess.PIPE, stdin=subprocess.DEVNULL) as child:  # noqa: S603 -- our own interpreter and module
        try:
            second = inspect_part(plan[1])
        except BaseException:
            child.kill()  # its answer no longer matters
            raise
        answer, _ = child.communicate()
    first = read_answer(answer)
    if first is None:
        raise ValueError("the first half did not parse")
    return join([first, second])


# A worker: a lean interpreter that imports only this module, inspects the parts it is given
# (as JSON in argv) in order, and prints one line of JSON per part.
_WORKER = "import sys; sys.path.insert(0, sys.argv[1]); from gate.uploads.inspect import work; work(sys.argv[2])"
_ROOT = str(Path(__file__).resolve().parents[2])


def worker_command(plan: list[Part]) -> list[str]:
    return [sys.executable, "-I", "-c", _WORKER, _ROOT, json.dumps([part.__dict__ for part in plan])]


def work(spec: str) -> None:  # pragma: no cover -- runs in the worker; its answers are what the tests check
    """The worker's loop: `{"facts": …}` or `{"error": …}` per part, flushed as each is done."""
    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()
    for fields in json.loads(spec):
        try:
            facts = inspect_part(Part(**fields))
            line = json.dumps({"facts": facts.as_json()})
        except (ValueError, OSError) as error:
            line = json.dumps({"error": str(error)})
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def _end_with(parent: int) -> None:  # pragma: no cover -- runs in the worker
    """End this worker once its parent is gone (cancelled, or exited without waiting for it)."""
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


def read_answer(line: bytes | str) -> JsonFacts | None:
    """A worker's facts for one part, or None when it failed (or said nothing)."""
    try:
        answer = json.loads(line)
        return JsonFacts.from_json(answer["facts"])
    except (ValueError, KeyError, TypeError):
        return None
