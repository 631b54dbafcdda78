"""gate.plan: one run's choices read once from the inputs."""

from __future__ import annotations

from typing import Any

from gate.comment_plan import CommentMode
from gate.plan import RunPlan
from gate.settings import load_inputs


def test_the_plan_holds_the_choices_not_the_secrets(action_env: Any) -> None:
    action_env(**{"secret-key": "AIK_CI_k", "minimum-severity": "high", "post-scan-status-comment": "on"})
    plan = RunPlan.from_inputs(load_inputs())
    assert (plan.options.minimum_severity, plan.comment_mode, plan.secret_given) == ("HIGH", CommentMode.ON, True)
    assert "AIK_CI_k" not in repr(plan)


def test_fails_on_nothing_and_when_sast_blocks(action_env: Any) -> None:
    action_env(**{"fail-on-dependency-scan": "false"})
    assert RunPlan.from_inputs(load_inputs()).fails_on_nothing is True
    action_env(**{"fail-on-sast-scan": "true"})
    plan = RunPlan.from_inputs(load_inputs())
    assert (plan.fails_on_nothing, plan.sast_blocks) == (False, True)
    action_env(**{"report-only": "true"})
    assert RunPlan.from_inputs(load_inputs()).sast_blocks is False
