"""gate.flow.run: the flow's decisions, over in-memory ports (tests/support/ports.py)."""

from __future__ import annotations

from typing import Any

import pytest

from gate.boot.settings import load_inputs, load_runner, run_plan
from gate.core.clock import Deadline
from gate.core.errors import AikidoUnreachable, ConfigError
from gate.core.models import parse_scan_status
from gate.core.verdict import Outcome
from gate.flow.run import Collaborators, reach_verdict
from gate.flow.state import RunState
from tests.conftest import FakeClock, sample
from tests.support.ports import FakeFiles, FakeLookups, FakePullRequest, FakeScanner, FakeWorkflow, NoUploads


def wiring(
    clock: FakeClock,
    scanner: FakeScanner,
    workflow: FakeWorkflow,
    pr: FakePullRequest | None = None,
    files: FakeFiles | None = None,
) -> Collaborators:
    return Collaborators(
        scanner=scanner,
        lookups=FakeLookups(),
        pull_request=pr,
        deadline=Deadline(clock() + run_plan(load_inputs(), load_runner()).chosen.timeout_seconds, clock),
        sleep=clock.sleep,
        workflow=workflow,
        state=RunState(),
        uploads=NoUploads(),
        files=files or FakeFiles(),
    )


def gate(clock: FakeClock, scanner: FakeScanner, event: str = "pull_request") -> tuple[Any, str, RunState]:
    workflow = FakeWorkflow()
    wired = wiring(clock, scanner, workflow)
    verdict = reach_verdict(run_plan(load_inputs(), load_runner()), sample(event), wired)
    return verdict, workflow.text, wired.state


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
        wired = wiring(clock, FakeScanner(RUNNING, AikidoUnreachable("gone")), FakeWorkflow())
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

    def test_a_sarif_file_outside_the_workspace_is_refused_before_the_scan(
        self, action_env: Any, clock: FakeClock
    ) -> None:
        action_env(**{"secret-key": "AIK_CI_x", "sarif-file": "out/aikido.sarif"})  # out: a symlink leading out
        scanner = FakeScanner(DONE)
        wired = wiring(clock, scanner, FakeWorkflow(), files=FakeFiles("out/aikido.sarif"))
        with pytest.raises(
            ConfigError, match=r"^input sarif-file: out/aikido.sarif leads outside the workspace or names"
        ):
            reach_verdict(run_plan(load_inputs(), load_runner()), sample("pull_request"), wired)
        assert scanner.bodies == []
