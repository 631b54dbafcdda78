"""gate.core.plan, as gate.boot.settings.run_plan fills it: the choices of the inputs and the runner, no secret."""

from __future__ import annotations

from typing import Any

from gate.boot.settings import load_inputs, load_runner, run_plan
from gate.core.comment import CommentMode


def test_the_plan_holds_the_choices_not_the_secrets(action_env: Any) -> None:
    action_env(**{"secret-key": "AIK_CI_k", "minimum-severity": "high", "post-scan-status-comment": "on"})
    plan = run_plan(load_inputs(), load_runner())
    assert (plan.chosen.minimum_severity, plan.comment_mode, plan.secret_given) == ("HIGH", CommentMode.ON, True)
    assert "AIK_CI_k" not in repr(plan)


def test_fails_on_nothing_and_when_sast_blocks(action_env: Any) -> None:
    action_env(**{"fail-on-dependency-scan": "false"})
    assert run_plan(load_inputs(), load_runner()).chosen.fails_on_nothing is True
    action_env(**{"fail-on-sast-scan": "true"})
    plan = run_plan(load_inputs(), load_runner())
    assert (plan.chosen.fails_on_nothing, plan.sast_blocks) == (False, True)
    action_env(**{"report-only": "true"})
    assert run_plan(load_inputs(), load_runner()).sast_blocks is False


def test_the_runner_s_facts_are_plain_values(action_env: Any, monkeypatch: Any, tmp_path: Any) -> None:
    action_env()
    monkeypatch.setenv("GITHUB_JOB", "aikido")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    job = run_plan(load_inputs(), load_runner()).job
    assert (job.event_name, job.job, job.workspace) == ("pull_request", "aikido", tmp_path)
