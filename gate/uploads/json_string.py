"""A file's UTF-8 bytes as the inside of a JSON string, at C speed, without decoding them.

Aikido's CLI (github.com/AikidoSec/ci-api-client, `src/commands/upload.ts`) sends an upload's
`payload` as `JSON.stringify` of the file's text: non-ASCII
characters as they are (UTF-8), and only what JSON requires escaped: the quote, the backslash
and the C0 controls. So do we, chunk by chunk. No byte of a multi-byte UTF-8 sequence is below
0x80, so a chunk can be cut anywhere without splitting an escape; `bytes.replace`, `count` and
`translate` run in C, where escaping character by character would not.
"""

from __future__ import annotations

import re

# Reads of 256 KB parse and escape faster than of 1 MB (they stay in the CPU cache) and keep memory flat.
CHUNK = 1 << 18
_QUOTE, _BACKSLASH = b'"', b"\\"
_CONTROLS = bytes(range(0x20))
# The controls JSON has a two-character escape for; the others become \u00XX.
_SHORT = {b"\b": b"\\b", b"\t": b"\\t", b"\n": b"\\n", b"\f": b"\\f", b"\r": b"\\r"}
_OTHER_CONTROL = re.compile(rb"[\x00-\x07\x0b\x0e-\x1f]")


def _controls(chunk: bytes) -> int:
    return len(chunk) - len(chunk.translate(None, _CONTROLS))


def escaped_length(chunk: bytes) -> int:
    """len(escape(chunk)), by counting what needs an escape rather than escaping it."""
    extra = chunk.count(_QUOTE) + chunk.count(_BACKSLASH)
    if controls := _controls(chunk):
        short = sum(chunk.count(control) for control in _SHORT)
        extra += short + 5 * (controls - short)
    return len(chunk) + extra


def escape(chunk: bytes) -> bytes:
    """`chunk` as it goes inside a JSON string: the same as json.dumps(text, ensure_ascii=False)[1:-1], encoded."""
    out = chunk.replace(_BACKSLASH, b"\\\\").replace(_QUOTE, b'\\"')
    if controls := _controls(out):
        for control, escaped in _SHORT.items():
            if found := out.count(control):  # counting first spares a copy for each one absent
                out = out.replace(control, escaped)
                controls -= found
        if controls:
            out = _OTHER_CONTROL.sub(lambda match: b"\\u%04x" % match[0][0], out)
    return out
