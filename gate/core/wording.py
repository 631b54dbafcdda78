"""Lists in messages: a message built from a file's or an answer's content names a handful, then counts."""

from __future__ import annotations

from collections.abc import Sequence

HANDFUL = 5


def a_few(names: Sequence[str], *, more: int = 0, limit: int = HANDFUL, width: int = 60) -> str:
    """`a, b, c, d, e and 12 more`: at most `limit` names, each cut at `width` characters.

    `more` counts names already left out by the caller (those beyond a bounded collection).
    """
    shown = [name if len(name) <= width else name[: width - 1] + "…" for name in names[:limit]]
    rest = more + max(len(names) - limit, 0)
    return ", ".join(shown) + (f" and {rest} more" if rest else "")
