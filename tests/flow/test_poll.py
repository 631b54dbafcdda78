"""wait_for_scan: queued answers, a fake clock, the progress a user reads."""

from __future__ import annotations

from gate.core.clock import Deadline
from gate.core.models import ScanStatus, parse_scan_status
from gate.flow.poll import wait_for_scan
from tests.conftest import FakeClock
from tests.support.ports import FakeWorkflow

RUNNING = parse_scan_status({"all_scans_completed": False, "dependency_scan_completed": True})
HALF = parse_scan_status({"all_scans_completed": False, "dependency_scan_completed": True, "sast_scan_completed": True})
DONE = parse_scan_status({"all_scans_completed": True, "dependency_scan_completed": True, "gate_passed": True})


class Answers:
    """Hands out queued answers, one a poll; the last one repeats."""

    def __init__(self, *answers: ScanStatus) -> None:
        self.answers = list(answers)
        self.polled: list[int] = []

    def scan_status(self, scan_id: int) -> ScanStatus:
        self.polled.append(scan_id)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class TestWaitForScan:
    """wait_for_scan"""

    def test_polls_every_interval_until_final(self, clock: FakeClock) -> None:
        source, workflow = Answers(RUNNING, HALF, DONE), FakeWorkflow()
        status = wait_for_scan(
            source, 7, interval=5, deadline=Deadline(clock() + 60, clock), sleep=clock.sleep, workflow=workflow
        )
        assert status is DONE
        assert source.polled == [7, 7, 7]
        assert clock.sleeps == [5, 5]
        assert workflow.lines == [
            "::group::Waiting for Aikido scan 7",
            "[    0s] scan running: dependencies ✓",
            "[    5s] scan running: dependencies ✓, SAST ✓",
            "[   10s] scan complete: dependencies ✓",
            "::endgroup::",
        ]

    def test_a_decided_gate_with_sub_scans_still_running_does_not_say_complete(self, clock: FakeClock) -> None:
        decided = parse_scan_status(
            {"all_scans_completed": False, "dependency_scan_completed": True, "sast_scan_completed": False,
             "gate_passed": False, "open_issues_found": 2}
        )  # fmt: skip
        workflow = FakeWorkflow()
        wait_for_scan(
            Answers(decided), 7, interval=5, deadline=Deadline(clock() + 60, clock), sleep=clock.sleep,
            workflow=workflow,
        )  # fmt: skip
        assert workflow.lines[1] == (
            "[    0s] gate decided, some sub-scans still running in Aikido: dependencies ✓, SAST …"
        )

    def test_returns_the_last_answer_at_the_deadline(self, clock: FakeClock) -> None:
        source = Answers(RUNNING)
        status = wait_for_scan(
            source,
            7,
            interval=5,
            deadline=Deadline(clock() + 12, clock),
            sleep=clock.sleep,
            workflow=FakeWorkflow(),
        )
        assert not status.final
        # The last sleep is cut so that one more poll lands right at the deadline.
        assert clock.sleeps == [5, 5, 2]
        assert len(source.polled) == 4

    def test_unchanged_progress_shows_a_heartbeat(self, clock: FakeClock) -> None:
        workflow = FakeWorkflow()
        wait_for_scan(
            Answers(RUNNING),
            7,
            interval=10,
            deadline=Deadline(clock() + 40, clock),
            sleep=clock.sleep,
            workflow=workflow,
        )
        lines = [line for line in workflow.lines if line.startswith("[")]
        assert lines == ["[    0s] scan running: dependencies ✓", "[   30s] scan running: dependencies ✓"]
