"""The body of one upload, streamed: the JSON envelope, the file's text escaped chunk by chunk, the closing.

Aikido's CLI sends `payload` as a JSON string holding the file's text; so do we, without
ever holding the file in memory. The length is known before the first byte is sent
(the validation pass measured the escaped text), so the request has a Content-Length.
"""

from __future__ import annotations

import codecs
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from gate.models import UploadFile
from gate.uploads import CHUNK, escape_text

Progress = Callable[[int, int, float], None]
PROGRESS_EVERY = 3.0


class UploadBody:
    """An iterable of bytes that can be sent again from the start (for a retry), with its length."""

    def __init__(
        self,
        upload: UploadFile,
        fields: dict[str, Any],
        *,
        on_progress: Progress | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._upload = upload
        envelope = json.dumps(fields)
        self._head = (envelope[:-1] + (", " if fields else "") + '"payload": "').encode()
        self._tail = b'"}'
        self.length = len(self._head) + upload.escaped_size + len(self._tail)
        self._on_progress = on_progress
        self._clock = clock

    def __iter__(self) -> Iterator[bytes]:
        started = shown = self._clock()
        sent = len(self._head)
        yield self._head
        decoder = codecs.getincrementaldecoder("utf-8")()
        with self._upload.path.open("rb") as handle:
            while data := handle.read(CHUNK):
                chunk = escape_text(decoder.decode(data)).encode("ascii")
                sent += len(chunk)
                yield chunk
                now = self._clock()
                if self._on_progress and now - shown >= PROGRESS_EVERY:
                    self._on_progress(sent, self.length, now - started)
                    shown = now
            rest = decoder.decode(b"", final=True)
        if rest:
            yield escape_text(rest).encode("ascii")
        yield self._tail
