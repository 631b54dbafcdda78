"""The body of one upload, streamed: the JSON envelope, the file's bytes escaped chunk by chunk, the closing.

Aikido's CLI sends `payload` as a JSON string holding the file's text (`upload` in
https://github.com/AikidoSec/ci-api-client/blob/main/src/commands/upload.ts); so do we, without
ever holding the file in memory (`gate.uploads.json_string` escapes its text as it is read).
The length is known before the first byte is sent (the validation pass counted it), so the
request has a Content-Length.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from gate.core.models import UploadFile
from gate.flow.ports import Progress
from gate.uploads.json_string import Escaper

PROGRESS_EVERY = 3.0
# Reads of 256 KB: one character past Latin-1 makes the text of the whole read four bytes a
# character to decode and encode, and real SBOMs have a few (a third faster than 1 MB on them).
CHUNK = 1 << 18


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
        escape = Escaper()
        with self._upload.path.open("rb") as handle:
            while data := handle.read(CHUNK):
                chunk = escape(data)
                sent += len(chunk)
                yield chunk
                now = self._clock()
                if self._on_progress and now - shown >= PROGRESS_EVERY:
                    self._on_progress(sent, self.length, now - started)
                    shown = now
        yield self._tail
