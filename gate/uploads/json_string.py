"""A file's UTF-8 text as the inside of a JSON string: escaped at C speed chunk by chunk, and its length counted.

Aikido's CLI (github.com/AikidoSec/ci-api-client, `src/commands/upload.ts`) sends an upload's
`payload` as `JSON.stringify` of the file's text: non-ASCII characters as they are (UTF-8), and
only what JSON requires escaped: the quote, the backslash and the C0 controls. So do we, with
msgspec's encoder, which writes a str byte for byte as `json.dumps(text, ensure_ascii=False)`
does (tests/uploads/test_json_string.py checks every character), in C.
"""

from __future__ import annotations

import codecs

import msgspec

# What the escaped length counts: in a valid JSON document the only control characters are the
# whitespace between tokens (a control character inside a string must be escaped already).
_ONE_MORE = (b'"', b"\\", b"\t", b"\n", b"\r")


class Escaper:
    """Escapes a file's bytes read in chunks of any size: a character cut by a chunk's end is held for the next."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._encode = msgspec.json.Encoder().encode

    def __call__(self, data: bytes, *, final: bool = False) -> bytes:
        """`data` as it goes inside a JSON string; raises UnicodeDecodeError if it is not UTF-8."""
        return self._encode(self._decoder.decode(data, final))[1:-1]


def escaped_length(data: bytes | bytearray, start: int = 0, stop: int | None = None) -> int:
    """The length of `data[start:stop]` once escaped, when those bytes are part of a valid JSON document.

    There the quote, the backslash, tab, LF and CR each take one byte more (`\\"`, `\\\\`, `\\t`,
    `\\n`, `\\r`), and no other byte changes: counting them is cheaper than escaping.
    """
    stop = len(data) if stop is None else stop
    # memchr first: many files have no backslash, and minified JSON no line break at all.
    extra = sum(data.count(byte, start, stop) for byte in _ONE_MORE if data.find(byte, start, stop) >= 0)
    return stop - start + extra
