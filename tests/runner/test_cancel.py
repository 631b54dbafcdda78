"""cancel_message: what a cancellation says in each phase (the end-to-end tests send real signals)."""

from __future__ import annotations

import dataclasses
import io
import signal

import pytest

from gate.core.verdict import Problems, skipped
from gate.flow.state import RunState
from gate.runner.cancel import cancel_message, cancelled_outputs
from gate.runner.workflow import Workflow


@pytest.mark.parametrize(
    ("state", "said"),
    [
        (RunState(), "cancelled (SIGINT) before an Aikido scan was started"),
        (RunState(start_sent=True), "cancelled (SIGINT) while Aikido was starting the scan; one may have started"),
        (RunState(uploading="a.json"), "cancelled (SIGINT) while uploading a.json; that upload did not complete"),
        (
            RunState(start_sent=True, scan_id=3, uploading="a.json"),
            "cancelled (SIGINT) while uploading a.json; Aikido scan 3 waits for this upload",
        ),
        (RunState(start_sent=True, scan_id=3), "cancelled (SIGINT); Aikido scan 3 was started"),
        (
            RunState(reported=skipped("nothing to scan")),
            "cancelled (SIGINT) after the verdict (SARIF file, PR comments); the verdict (SKIPPED) is already in",
        ),
    ],
)
def test_says_what_is_true(state: RunState, said: str) -> None:
    assert cancel_message(state, signal.SIGINT).startswith(f"::warning::{said}")


def test_after_a_broken_policy_file_of_the_pull_request_says_the_step_fails() -> None:
    broken = dataclasses.replace(skipped("nothing to scan"), head_policy=Problems(".github/gate.yml", ("line 1: a",)))
    assert cancel_message(RunState(reported=broken, exit_code=1), signal.SIGTERM).endswith(
        "the verdict (SKIPPED) is already in the step's outputs and summary; the step fails: this pull request's "
        "version of the policy file would break the gate"
    )


def test_closes_an_open_group_first() -> None:
    workflow = Workflow(io.StringIO())
    state = RunState(workflow=workflow)
    with workflow.group("Waiting"):
        assert cancel_message(state, signal.SIGTERM).splitlines() == [
            "::endgroup::",
            "::warning::cancelled (SIGTERM) before an Aikido scan was started",
        ]
    assert cancel_message(state, signal.SIGTERM).splitlines()[0].startswith("::warning::")


class TestCancelledOutputs:
    """cancelled_outputs"""

    def test_before_a_verdict_the_outcome_is_cancelled_with_the_scan(self) -> None:
        assert cancelled_outputs(RunState(scan_id=3)) == {"outcome": "CANCELLED", "scan-id": "3"}

    def test_once_the_verdict_is_being_written_it_stands(self) -> None:
        assert cancelled_outputs(RunState(scan_id=3, reporting=True)) == {}
