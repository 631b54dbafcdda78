"""Verdicts, outputs, the summary and the annotations a user reads."""

from __future__ import annotations

import pytest

from gate.core.models import parse_scan_status
from gate.core.summary import render
from gate.core.verdict import Outcome, decide, error, skipped, timed_out
from tests.support.answers import DEFAULT_DONE, FEATURE_DONE

PASSED = parse_scan_status(FEATURE_DONE | {"gate_passed": True, "new_issues_found": 0})
FAILED = parse_scan_status(FEATURE_DONE)
DEFAULT_FAILED = parse_scan_status(DEFAULT_DONE)


class TestDecide:
    """decide, timed_out, skipped, error"""

    def test_pass(self) -> None:
        verdict = decide(PASSED, scan_id=1, report_only=False)
        assert (verdict.outcome, verdict.exit_code) == (Outcome.SUCCEEDED, 0)

    def test_fail_exits_10(self) -> None:
        verdict = decide(FAILED, scan_id=1, report_only=False)
        assert (verdict.outcome, verdict.exit_code) == (Outcome.FAILED, 10)

    def test_report_only_keeps_the_outcome_but_passes_the_step(self) -> None:
        verdict = decide(FAILED, scan_id=1, report_only=True)
        assert (verdict.outcome, verdict.exit_code) == (Outcome.FAILED, 0)
        assert verdict.reason == (
            "the Aikido scan found issues that would fail the gate; report-only: they are reported, not enforced"
        )
        summary = render(verdict)
        assert summary.startswith("## ⚠️ Aikido security gate found issues: reported, not enforced (report-only)\n")
        assert "block this change" not in summary

    @pytest.mark.parametrize(
        ("fail_on_timeout", "code", "next_step"),
        [
            (
                True,
                1,
                ". Raise timeout-seconds to wait longer, or set fail-on-timeout to false so a slow scan does not fail "
                "the step (see https://github.com/aikido-gate/aikido-gate#troubleshooting)",
            ),
            (
                False,
                0,
                ". fail-on-timeout is false: the step does not fail; raise timeout-seconds to wait for the result",
            ),
        ],
    )
    def test_timeout_says_how_long_where_the_scan_goes_on_and_what_to_change(
        self, fail_on_timeout: bool, code: int, next_step: str
    ) -> None:
        verdict = timed_out(scan_id=12, seconds=300, fail_on_timeout=fail_on_timeout)
        assert (verdict.outcome, verdict.exit_code) == (Outcome.TIMED_OUT, code)
        assert verdict.reason == (
            "the Aikido scan did not finish within 300 s (timeout-seconds); it goes on in Aikido as scan 12" + next_step
        )

    def test_skip_and_error(self) -> None:
        assert (skipped("x").outcome, skipped("x").exit_code) == (Outcome.SKIPPED, 0)
        assert (error("x").outcome, error("x").exit_code) == (Outcome.ERROR, 1)
