"""Where an inline comment can go: the head's lines that a pull request's diff shows, read from its hunks.

Pure: a file's `patch` (the unified-diff hunks GitHub's pull request files listing gives) in, line
ranges out. GitHub takes a review comment only on a line that a hunk shows on the side it names
(RIGHT, the head's: an added or a context line), and a multi-line one only when its `start_line` is in
the same hunk; one comment anywhere else and it refuses the whole review ("Pull request review thread
line must be part of the diff"). https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# `@@ -old[,count] +new[,count] @@ section`: a count left out is 1 (GNU diff's unified format).
HUNK_HEADER = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Span:
    """The head's lines an inline comment covers: `start_line` to `line`, one line when they are equal."""

    start_line: int
    line: int


def right_hunks(patch: str | None) -> tuple[range, ...]:
    """The head's lines each hunk of `patch` shows (added or context), one range per hunk, in order.

    No patch (a binary file, or a diff too large for GitHub to show) has none. A hunk's head side is
    one unbroken run of lines: deleted lines (LEFT only) and "\\ No newline at end of file" take none.
    The header's counts say where a hunk ends, so a trailing newline or anything after the last hunk
    is not read as a context line.
    """
    hunks: list[range] = []
    start = seen = old_left = new_left = 0
    in_hunk = False
    for text in (patch or "").split("\n"):
        if header := HUNK_HEADER.match(text):
            if in_hunk:
                hunks.append(range(start, start + seen))
            old_left, start, new_left = _count(header.group(2)), int(header.group(3)), _count(header.group(4))
            seen, in_hunk = 0, True
            continue
        if not in_hunk or (old_left <= 0 and new_left <= 0) or text.startswith("\\"):
            continue
        if text.startswith("-"):
            old_left -= 1
            continue
        if not text.startswith("+"):
            old_left -= 1  # context (" ", or an empty line where a tool dropped the lone space): both sides
        new_left -= 1
        seen += 1
    if in_hunk:
        hunks.append(range(start, start + seen))
    return tuple(hunks)


def _count(text: str | None) -> int:
    return 1 if text is None else int(text)


def place(start_line: int, end_line: int, hunks: Sequence[range]) -> Span | None:
    """Where a finding on `start_line`..`end_line` of a file can be commented on; None when no hunk shows it.

    Its lines within the last hunk that shows any of them: the hunk of its end line when one shows it
    (where GitHub anchors a comment), else the part of the finding that the pull request touched.
    """
    low, high = min(start_line, end_line), max(start_line, end_line)
    for hunk in reversed(hunks):
        first, last = max(low, hunk.start), min(high, hunk.stop - 1)
        if first <= last:
            return Span(first, last)
    return None
