"""gate.flow.run: the flow's decisions, and the PR comments over a fake port."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pytest

from gate.boot.settings import load_inputs, load_runner, run_plan
from gate.core.clock import Deadline
from gate.core.errors import AikidoUnreachable
from gate.core.models import SastIssue, ScanStatus, parse_scan_status
from gate.core.verdict import Outcome
from gate.flow.ports import Comment, PullRequest, ReviewComment
from gate.flow.run import Collaborators, reach_verdict
from gate.flow.state import RunState
from gate.runner.workflow import AtomicFiles, Workflow
from gate.uploads.workspace import WorkspaceUploads
from tests.conftest import FakeClock, sample
from tests.support.lookups import FakeLookups


class FakeScanner:
    def __init__(self, *answers: ScanStatus | Exception) -> None:
        self.answers = list(answers)
        self.bodies: list[dict[str, Any]] = []

    def start_scan(self, body: dict[str, Any]) -> int:
        self.bodies.append(body)
        return 9

    def scan_status(self, scan_id: int) -> ScanStatus:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def upload(self, body: Iterable[bytes], length: int, what: str) -> None:
        raise AssertionError("these runs upload nothing")

    def introduced_sast_issues(self, scan_id: int) -> list[SastIssue]:
        return []


class FakePullRequest:
    """The comments' port in memory: what a flow posts, without GitHub."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def identity(self) -> str:
        return "github-actions[bot]"

    def issue_comments(self) -> list[Comment]:
        return []

    def create_issue_comment(self, body: str) -> Comment:
        self.created.append(body)
        return Comment(len(self.created), body, self.identity())

    def edit_issue_comment(self, comment_id: int, body: str) -> None:
        raise AssertionError("nothing to edit")

    def delete_issue_comment(self, comment_id: int) -> None:
        raise AssertionError("nothing to delete")

    def review_comments(self) -> list[ReviewComment]:
        return []

    def delete_review_comment(self, comment_id: int) -> None:
        raise AssertionError("nothing to delete")

    def create_review_comment(self, body: str, *, commit: str, path: str, start_line: int, end_line: int) -> None:
        raise AssertionError("no review comments asked for")


def wiring(
    clock: FakeClock, scanner: FakeScanner, stream: io.StringIO, pr: FakePullRequest | None = None
) -> Collaborators:
    opened: list[int] = []

    def pull_request(number: int, budget: Deadline) -> PullRequest:
        opened.append(number)
        assert pr is not None, "this run should not comment"
        return pr

    return Collaborators(
        scanner=lambda: scanner,
        lookups=FakeLookups,
        pull_request=pull_request,
        deadline=Deadline(clock() + run_plan(load_inputs(), load_runner()).timeout_seconds, clock),
        sleep=clock.sleep,
        workflow=Workflow(stream),
        state=RunState(),
        uploads=WorkspaceUploads,
        files=AtomicFiles(),
    )


def gate(clock: FakeClock, scanner: FakeScanner, event: str = "pull_request") -> tuple[Any, str, RunState]:
    stream = io.StringIO()
    wired = wiring(clock, scanner, stream)
    verdict = reach_verdict(run_plan(load_inputs(), load_runner()), sample(event), wired)
    return verdict, stream.getvalue(), wired.state


DONE = parse_scan_status({"all_scans_completed": True, "gate_passed": True})
RUNNING = parse_scan_status({"all_scans_completed": False})


class TestReachVerdict:
    """reach_verdict"""

    def test_fails_on_nothing_warns(self, action_env: Any, clock: FakeClock) -> None:
        action_env(**{"secret-key": "AIK_CI_x", "fail-on-dependency-scan": "false"})
        verdict, log, _ = gate(clock, FakeScanner(DONE))
        assert verdict.outcome is Outcome.SUCCEEDED
        assert (
            "::warning title=Aikido gate fails on nothing::all four fail-on-* inputs are false: "
            "nothing can fail this gate" in log.splitlines()
        )

    def test_an_error_after_the_start_is_raised_with_the_scan_id_kept(self, action_env: Any, clock: FakeClock) -> None:
        action_env(**{"secret-key": "AIK_CI_x"})
        wired = wiring(clock, FakeScanner(RUNNING, AikidoUnreachable("gone")), io.StringIO())
        with pytest.raises(AikidoUnreachable, match="gone"):
            reach_verdict(run_plan(load_inputs(), load_runner()), sample("pull_request"), wired)
        assert wired.state.scan_id == 9

    def test_timeout_spends_the_whole_deadline(self, action_env: Any, clock: FakeClock) -> None:
        action_env(**{"secret-key": "AIK_CI_x", "timeout-seconds": "12", "poll-interval-seconds": "5"})
        verdict, _, _ = gate(clock, FakeScanner(RUNNING, RUNNING, RUNNING, RUNNING))
        assert verdict.outcome is Outcome.TIMED_OUT
        assert sum(clock.sleeps) == pytest.approx(12)

    def test_schedule_run_uses_the_lookups(self, action_env: Any, clock: FakeClock, monkeypatch: Any) -> None:
        monkeypatch.setenv("GITHUB_EVENT_NAME", "schedule")
        monkeypatch.setenv("GITHUB_SHA", "c0ffee0000000000000000000000000000000001")
        monkeypatch.setenv("GITHUB_REF", "refs/heads/main")
        action_env(**{"secret-key": "AIK_CI_x"})
        scanner = FakeScanner(DONE)
        verdict, _, _ = gate(clock, scanner, event="schedule")
        assert verdict.outcome is Outcome.SUCCEEDED
        assert (scanner.bodies[0]["repository_id"], scanner.bodies[0]["base_commit_id"]) == ("R_fromApi", "1" * 40)
