"""run_gate with fake collaborators: the flow's decisions without a network."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pytest

from gate.clock import Deadline
from gate.errors import AikidoUnreachable
from gate.event import Lookups
from gate.models import SastIssue, ScanStatus, parse_scan_status
from gate.run import Scanner, run_gate
from gate.settings import load_inputs, load_runner
from gate.state import RunState
from gate.verdict import Outcome
from gate.workflow import Workflow
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


def gate(clock: FakeClock, scanner: FakeScanner, event: str = "pull_request") -> tuple[Any, str, RunState]:
    stream, state = io.StringIO(), RunState()

    def make_scanner() -> Scanner:
        return scanner

    def make_lookups() -> Lookups:
        return FakeLookups()

    inputs = load_inputs()
    verdict = run_gate(
        inputs,
        load_runner(),
        sample(event),
        scanner=make_scanner,
        lookups=make_lookups,
        deadline=Deadline(clock() + inputs.timeout_seconds, clock),
        sleep=clock.sleep,
        workflow=Workflow(stream),
        state=state,
    )
    return verdict, stream.getvalue(), state


DONE = parse_scan_status({"all_scans_completed": True, "gate_passed": True})
RUNNING = parse_scan_status({"all_scans_completed": False})


class TestRunGate:
    """run_gate"""

    def test_fails_on_nothing_warns(self, action_env: Any, clock: FakeClock) -> None:
        action_env(**{"secret-key": "AIK_CI_x", "fail-on-dependency-scan": "false"})
        verdict, log, _ = gate(clock, FakeScanner(DONE))
        assert verdict.outcome is Outcome.SUCCEEDED
        assert (
            "::warning title=Aikido gate fails on nothing::all four fail-on-* inputs are false: "
            "nothing can fail this gate" in log.splitlines()
        )

    def test_error_after_start_keeps_the_scan_id(self, action_env: Any, clock: FakeClock) -> None:
        action_env(**{"secret-key": "AIK_CI_x"})
        verdict, _, state = gate(clock, FakeScanner(RUNNING, AikidoUnreachable("gone")))
        assert (verdict.outcome, verdict.scan_id, verdict.reason, state.scan_id) == (Outcome.ERROR, 9, "gone", 9)

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
