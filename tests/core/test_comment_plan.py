"""gate.core.comment_plan: the comment mode's values are the input's documented spellings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gate.core.comment_plan import CommentMode, CommentPlan


def test_the_modes_are_what_action_yml_documents() -> None:
    description = (Path(__file__).parents[2] / "action.yml").read_text()
    assert "on, off or only_if_new_findings" in description
    assert {mode.value for mode in CommentMode} == {"on", "off", "only_if_new_findings"}


def test_a_plan_cannot_change_once_made() -> None:
    plan = CommentPlan(CommentMode.ON, sast=True, marker="<!-- m -->", job="aikido", head_commit=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.sast = False  # type: ignore[misc]  # the assignment a frozen plan refuses, on purpose
