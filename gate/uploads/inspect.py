"""One read of a JSON file: valid UTF-8 JSON?, the few values the shape checks need, its escaped length.

Files of several hundred MB are normal for SBOMs, so nothing here holds a whole file: it is read
in pieces of a few MB, each checked by msgspec's C decoder, which validates every value it skips
without building it (about a GB/s) and hands over the root object's values as raw JSON, of which
only the few that the shape checks read are decoded.

A piece ends at a comma between two objects of an array that is a value of the root object
(`}, {`, as between Syft's artifacts), and that place is proven, not guessed: a piece followed
by another is decoded with `]}` appended, which is valid JSON only if the comma sits exactly
there; a piece after one is decoded after `{"\\ufdd0": [`, which puts the decoder in the very
state the whole document has after that comma. All pieces valid means the whole is valid. The
elements of one array usually begin alike (each of Syft's artifacts with `{"id":`), so a piece's
end is looked for first where the next object begins as the one after the last cut did, then at
any `}, {`, then, in a small piece, at any `}, {` past its first 64 KB.

A file that cannot be cut so (one large value: a SARIF file's runs), whose root is no object,
or that msgspec refuses (it also refuses valid JSON: lone surrogate escapes, nesting over 1,000
deep) gets one streaming pass of ijson's C backend instead, whose answer is final; as flat in
memory, ten times slower.
"""

from __future__ import annotations

import codecs
import io
import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from gate.uploads.json_string import escaped_length

# A piece's planned size: the decoder runs long, memory stays flat (one buffer, a read's text).
PIECE = 4 << 20
# A piece's planned size while no element's beginning is known to look for: failed tries are cheap.
SMALL = 64 << 10
# How far past the planned size a piece's end is looked for.
WINDOW = 1 << 20
# Where a piece may end, tried in turn before a smaller piece, or ijson, is the answer; a small
# piece tries more (most `}, {` in Syft's artifacts are inside one: its CPEs, locations, licenses).
TRIES = 8
SMALL_TRIES = 64
# ijson's reads: 256 KB parse faster than 1 MB (they stay in the CPU cache).
CHUNK = 1 << 18

_CUT = re.compile(rb"\}\s*,\s*\{")
# The beginning of the object after a cut, up to its first key: `{"id":`.
_HEAD = re.compile(rb'\s*(\{\s*"[^"\\]{1,64}"\s*:)')
_CLOSE_BEFORE_CUT = b"]}"
_CONTINUED = "\ufdd0"  # a noncharacter: never a key of a real SBOM or SARIF file
_OPEN_AFTER_CUT = b'{"\\ufdd0": ['

# The string values the shape checks read, by their path (as ijson names it) and keys.
_STRINGS = {
    "descriptor.name": ("descriptor", "name"),
    "source.name": ("source", "name"),
    "source.metadata.userInput": ("source", "metadata", "userInput"),
    "version": ("version",),
}
_TAGS = "source.metadata.tags.item"
_DRIVER = "runs.item.tool.driver.name"
_WATCHED = frozenset({*_STRINGS, _TAGS, _DRIVER, "runs"})
# A SARIF file may hold any number of runs: its tools' names are kept to a handful, then counted.
MAX_DRIVERS = 5

_OBJECT = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ARRAY = msgspec.json.Decoder(list[msgspec.Raw])
_STRING = msgspec.json.Decoder(str)


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


@dataclass
class JsonFacts:
    """What a read of a JSON file learned."""

    top_keys: set[str] = field(default_factory=set)
    strings: dict[str, str] = field(default_factory=dict)
    tools: Tools = field(default_factory=Tools)
    runs_is_array: bool = False
    escaped_size: int = 0
    size: int = 0


def inspect_json(path: Path) -> JsonFacts:
    """Check `path` is valid UTF-8 JSON and learn its facts; raises ValueError saying why not."""
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if (facts := in_pieces(handle, size)) is not None:
            return facts
        handle.seek(0)
        return streamed(handle, size)


def in_pieces(handle: io.BufferedReader, size: int) -> JsonFacts | None:
    """The facts of a file read in proven pieces, or None when it cannot be read so (ijson's pass must answer)."""
    facts = JsonFacts(size=size)
    # One buffer for every piece: the opening before it, room for the closing after it. Reads land
    # in memory already paged in, and a try writes its closing in place rather than copying.
    at = len(_OPEN_AFTER_CUT)
    buffer = bytearray(_OPEN_AFTER_CUT + bytes(PIECE + WINDOW + len(_CLOSE_BEFORE_CUT)))
    view = memoryview(buffer)
    start, follows = 0, None
    # Failed tries count too: past this much decoding, ijson's one pass is the cheaper answer.
    budget = 3 * size + PIECE
    while True:
        # A cut inside `runs` would hide which tools the runs after it name.
        if start and "runs" in facts.top_keys:
            return None
        begin = at if start == 0 else 0  # where the document begins: the opening only after a cut
        planned = SMALL if follows is None else PIECE
        handle.seek(start)
        end = at + handle.readinto(view[at : at + planned + WINDOW])
        if start + end - at >= size:
            if (root := _decode(view[begin:end])) is None:
                return None
            _learn(facts, root, buffer, slice(at, end), start=start)
            return facts
        for cut in itertools.islice(_cuts(buffer, at + planned, end, follows), TRIES if follows else SMALL_TRIES):
            budget -= cut
            if budget < 0:
                return None
            comma = buffer[cut : cut + 2]
            buffer[cut : cut + 2] = _CLOSE_BEFORE_CUT
            if (root := _decode(view[begin : cut + 2])) is not None:
                break
            buffer[cut : cut + 2] = comma
        else:
            if follows is None:
                return None
            follows = None  # the array changed, or its elements begin unlike: look anywhere, in a small piece
            continue
        _learn(facts, root, buffer, slice(at, cut), start=start)
        buffer[cut : cut + 2] = comma  # once what was learned no longer reads the closing
        facts.escaped_size += 1  # the comma between the pieces, sent as it is
        start += cut + 1 - at
        follows = _follows(buffer, cut, end)


def _cuts(buffer: bytearray, planned: int, end: int, follows: re.Pattern[bytes] | None) -> Iterator[int]:
    """Where a piece may end, from `planned` to `end`: the offsets of commas in `buffer`, best guesses first."""
    tried: set[int] = set()
    for pattern in (follows, _CUT) if follows else (_CUT,):
        for match in pattern.finditer(buffer, planned, end):
            comma = buffer.index(b",", match.start())
            if comma not in tried:
                tried.add(comma)
                yield comma


def _follows(buffer: bytearray, cut: int, end: int) -> re.Pattern[bytes] | None:
    """A cut before an object that begins as the one after `cut` does; None if the buffer ends first."""
    head = _HEAD.match(buffer, cut + 1, end)
    return None if head is None else re.compile(rb"\}\s*,\s*" + re.escape(head.group(1)))


def _decode(document: memoryview) -> dict[str, msgspec.Raw] | None:
    """The root object's members, each as raw JSON; None if `document` is not valid JSON or its root no object."""
    try:
        return _OBJECT.decode(document)
    except msgspec.DecodeError:  # a ValidationError too: a root that is no object fails at its first byte
        return None


def _learn(facts: JsonFacts, root: dict[str, msgspec.Raw], buffer: bytearray, piece: slice, *, start: int) -> None:
    """Add what a valid piece tells: its bytes `buffer[piece]` (at `start` in the file) and its root."""
    _check_utf8(memoryview(buffer)[piece], start)
    facts.escaped_size += escaped_length(buffer, piece.start, piece.stop)
    if start:
        del root[_CONTINUED]
    facts.top_keys |= root.keys()
    for name, keys in _STRINGS.items():
        if (value := _as(_STRING, _at(root, keys))) is not None:
            facts.strings[name] = value
    tags = (_as(_STRING, tag) for tag in _as(_ARRAY, _at(root, ("source", "metadata", "tags"))) or ())
    if (first := next((tag for tag in tags if tag is not None), None)) is not None:
        facts.strings.setdefault(_TAGS, first)
    runs = _as(_ARRAY, root.get("runs"))
    facts.runs_is_array |= runs is not None
    for run in runs or ():
        if (name := _as(_STRING, _at(_as(_OBJECT, run) or {}, ("tool", "driver", "name")))) is not None:
            facts.tools.add(name)


def _check_utf8(piece: memoryview, start: int) -> None:
    """Raise ValueError if the bytes of `piece`, at `start` in the file, are not UTF-8.

    In reads of CHUNK: one character past Latin-1 makes the whole text it is decoded into four
    bytes a character, and real SBOMs have a few.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    for offset in range(0, len(piece), CHUNK):
        held = len(decoder.getstate()[0])  # the start of a character the last read cut
        try:
            decoder.decode(piece[offset : offset + CHUNK], final=offset + CHUNK >= len(piece))
        except UnicodeDecodeError as error:
            raise ValueError(f"is not UTF-8 text (at byte {start + offset - held + error.start})") from None


def _at(members: dict[str, msgspec.Raw], keys: tuple[str, ...]) -> msgspec.Raw | None:
    """The value at `keys` below an object, if each step is an object that has the key."""
    value = members.get(keys[0])
    for key in keys[1:]:
        value = (_as(_OBJECT, value) or {}).get(key)
    return value


def _as(decoder: msgspec.json.Decoder[Any], raw: msgspec.Raw | None) -> Any:
    """`raw` decoded as the decoder's type, or None if it is some other JSON value."""
    if raw is None:
        return None
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError:
        return None


def streamed(handle: BinaryIO, size: int) -> JsonFacts:
    """The facts of a file from one streaming pass of ijson; raises ValueError saying why it is not valid."""
    import ijson  # noqa: PLC0415 -- only for the few files the pieces cannot answer for

    facts = JsonFacts(size=size)
    reader = _Checked(handle)
    try:
        for prefix, event, value in ijson.parse(reader, buf_size=CHUNK):
            if prefix == "" and event == "map_key":
                facts.top_keys.add(value)
            elif prefix not in _WATCHED:
                continue
            elif prefix == "runs" and event == "start_array":
                facts.runs_is_array = True
            elif event != "string":
                continue
            elif prefix == _DRIVER:
                facts.tools.add(value)
            elif prefix == _TAGS:
                facts.strings.setdefault(prefix, value)
            else:
                facts.strings[prefix] = value
    except ijson.JSONError as error:  # IncompleteJSONError too: it is one
        raise ValueError(f"is not valid JSON ({_short(error)})") from None
    facts.escaped_size = reader.escaped_size
    return facts


class _Checked:
    """A reader for ijson that decodes what it reads strictly as UTF-8 and counts its escaped length."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle, self._offset = handle, 0
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.escaped_size = 0

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson's probe for bytes or text
            return b""
        data = self._handle.read(size)
        held = len(self._decoder.getstate()[0])  # the start of a character the last read cut
        try:
            self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            raise ValueError(f"is not UTF-8 text (at byte {self._offset - held + error.start})") from None
        self._offset += len(data)
        self.escaped_size += escaped_length(data)
        return data


def _short(error: Exception) -> str:
    return re.sub(r"\s+", " ", str(error)).strip()[:120] or type(error).__name__
