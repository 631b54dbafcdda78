"""What the PR comments should do: the mode a user chose, and the plan one run follows.

A lean module of values: `gate.boot.settings` parses the input into a `CommentMode` without
loading the comment code, which only the runs that comment need.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CommentMode(StrEnum):
    """`post-scan-status-comment`: always, never, or once the gate has found something."""

    OFF = "off"
    ON = "on"
    ONLY_IF_NEW_FINDINGS = "only_if_new_findings"


@dataclass(frozen=True)
class CommentPlan:
    """What to post, from the inputs and the runner."""

    mode: CommentMode
    sast: bool
    marker: str
    job: str
    head_commit: str | None
