"""gate.core.plan, as gate.boot.settings.run_plan fills it: the choices of the inputs and the runner, no secret."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gate.boot.settings import load_inputs, load_runner, run_plan
from gate.core.comment import CommentMode
from gate.core.plan import Location, parse_location


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


class TestParseLocation:
    """parse_location: the policy-file input"""

    def test_this_repository_and_another(self) -> None:
        assert parse_location(".github/aikido-gate.yml") == Location(".github/aikido-gate.yml")
        assert parse_location("my-org/security-policy/aikido-gate.yml@v1") == Location(
            "aikido-gate.yml", "my-org/security-policy", "v1"
        )

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("/etc/passwd", "relative to the repository root"),
            ("../x.yml", "without .."),
            ("a//b.yml", "empty parts"),
            ("my-org/repo@v1", "OWNER/REPO/PATH@REF"),
            ("a\nb", "must be one line"),
        ],
    )
    def test_bad(self, text: str, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            parse_location(text)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("my-org/../gate.yml@v1", 'has ".." as REPO: must be OWNER/REPO/PATH@REF naming a repository'),
            ("my-org/./gate.yml@v1", 'has "." as REPO: must be OWNER/REPO/PATH@REF naming a repository'),
            ("../policy/gate.yml@v1", 'has ".." as OWNER: must be OWNER/REPO/PATH@REF naming a repository'),
            ("./policy/gate.yml@v1", 'has "." as OWNER: must be OWNER/REPO/PATH@REF naming a repository'),
        ],
    )
    def test_dot_or_dot_dot_as_owner_or_repository(self, text: str, message: str) -> None:
        # In the contents API's URL, /repos/my-org/../contents would climb out of the repository.
        with pytest.raises(ValueError, match=r"^has ") as caught:
            parse_location(text)
        assert str(caught.value) == f"{message}, e.g. my-org/policy/gate.yml@v1"

    def test_shown_as_written(self) -> None:
        assert json.dumps(parse_location("o/r/p.yml@main").shown) == '"o/r/p.yml@main"'
