"""gate.flow.after: which runs comment after the verdict, over a fake port."""

from __future__ import annotations

from typing import Any

from gate.boot.settings import load_inputs, load_runner, run_plan
from gate.core.verdict import decide
from gate.flow.after import post_pr_comments
from tests.conftest import FakeClock, sample
from tests.flow.test_run import DONE, wiring
from tests.support.ports import FakePullRequest, FakeScanner, FakeWorkflow


class TestPostPrComments:
    """post_pr_comments over a fake port: which runs comment, and how."""

    def comment(self, clock: FakeClock, event: str, pr: FakePullRequest | None = None) -> str:
        workflow = FakeWorkflow()
        verdict = decide(DONE, scan_id=9, report_only=False)
        wired = wiring(clock, FakeScanner(), workflow, pr)
        post_pr_comments(
            verdict, run_plan(load_inputs(), load_runner()), sample(event), sast_issues=list, collaborators=wired
        )
        return workflow.text

    def test_a_pull_request_gets_its_status_comment(self, action_env: Any, clock: FakeClock) -> None:
        action_env(**{"secret-key": "AIK_CI_x", "post-scan-status-comment": "on", "github-token": "ghs_x"})
        pr = FakePullRequest()
        assert self.comment(clock, "pull_request", pr) == "PR status comment: created\n"
        [body] = [comment.body for comment in pr.comments]
        assert "### ✅ Aikido security gate passed" in body

    def test_no_pull_request_no_comment(self, action_env: Any, clock: FakeClock, monkeypatch: Any) -> None:
        monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
        action_env(**{"secret-key": "AIK_CI_x", "post-scan-status-comment": "on"})
        assert self.comment(clock, "push") == ""

    def test_no_token_is_a_warning(self, action_env: Any, clock: FakeClock, monkeypatch: Any) -> None:
        action_env(**{"secret-key": "AIK_CI_x", "post-scan-status-comment": "on"})
        monkeypatch.delenv("INPUT_GITHUB-TOKEN", raising=False)
        monkeypatch.delenv("INPUT_GITHUB_TOKEN", raising=False)
        assert self.comment(clock, "pull_request") == (
            "::warning title=Aikido PR comment::no github-token: cannot post the PR comment\n"
        )
