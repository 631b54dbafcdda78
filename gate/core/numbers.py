"""Numbers read from text nobody vouches for: headers, Aikido's answers, the workflow's inputs."""

from __future__ import annotations

import re

_WHOLE = re.compile(r"[0-9]{1,15}")


def whole_number(text: str) -> int | None:
    """A non-negative whole number written in ASCII digits, else None.

    `str.isdigit` accepts `²` and other Unicode digits that `int()` then rejects (or reads as
    another number), and a thousand-digit string is no count: both come back as None.
    """
    stripped = text.strip()
    return int(stripped) if _WHOLE.fullmatch(stripped) else None
