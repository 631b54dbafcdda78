"""gate.flow.report: annotations, outputs and the summary written for a verdict, within GitHub's limits."""

from __future__ import annotations

from gate.core.models import ScanStatus, parse_scan_status
from gate.core.verdict import Problems, Verdict, decide, skipped
from gate.flow.report import report, report_head_policy
from tests.support.answers import DEFAULT_DONE, FEATURE_DONE
from tests.support.ports import FakeWorkflow

PASSED = parse_scan_status(FEATURE_DONE | {"gate_passed": True, "new_issues_found": 0})
FAILED = parse_scan_status(FEATURE_DONE)
DEFAULT_FAILED = parse_scan_status(DEFAULT_DONE)


class TestReport:
    """report"""

    def run(self, verdict_: Verdict) -> tuple[int, str, dict[str, str], str]:
        workflow = FakeWorkflow()
        code = report(verdict_, workflow)
        return code, workflow.text, workflow.outputs, workflow.summary

    def test_failure_annotates_each_issue_link(self) -> None:
        code, log, values, _ = self.run(decide(DEFAULT_FAILED, scan_id=5, report_only=False))
        assert code == 10
        assert log.splitlines() == [
            "::error title=Aikido issue::Open issue: https://app.aikido.dev/queue?sidebarIssue=1",
            "::error title=Aikido issue::Open issue: https://app.aikido.dev/queue?sidebarIssue=2",
            "::error title=Aikido security gate::the Aikido gate failed. 2 open issues",
        ]
        assert values["open-issues-found"] == "2"

    def test_report_only_warns(self) -> None:
        code, log, _, _ = self.run(decide(DEFAULT_FAILED, scan_id=5, report_only=True))
        assert code == 0
        assert all(line.startswith("::warning ") for line in log.splitlines())

    def test_unwritable_outputs_fail_the_step(self) -> None:
        workflow = FakeWorkflow(outputs_fail=FileNotFoundError(2, "No such file or directory"))
        assert report(skipped("nothing to do"), workflow) == 1
        assert "::error title=Aikido security gate::could not write the step outputs: " in workflow.text


class TestReportLimits:
    """report under GitHub's limits and a broken summary file"""

    def test_an_unwritable_summary_is_a_warning_and_the_verdict_stands(self) -> None:
        workflow = FakeWorkflow(summary_fails=IsADirectoryError(21, "Is a directory"))
        assert report(skipped("nothing to do"), workflow) == 0
        assert "::warning title=Aikido security gate::could not write the job summary" in workflow.text
        assert workflow.outputs["outcome"] == "SKIPPED"

    def test_many_issue_links_give_a_handful_of_annotations(self) -> None:
        links = tuple(f"https://app.aikido.dev/queue?sidebarIssue={n}" for n in range(500))
        status = ScanStatus(final=True, gate_passed=False, issue_links=links)
        workflow = FakeWorkflow()
        assert report(decide(status, scan_id=1, report_only=False), workflow) == 10
        errors = [line for line in workflow.lines if line.startswith("::error")]
        assert len(errors) == 7
        assert "… and 495 more open issues: see the job summary" in errors[5]


class TestReportHeadPolicy:
    """report_head_policy"""

    def test_each_problem_is_an_error_and_the_summary_lists_them(self) -> None:
        workflow = FakeWorkflow()
        report_head_policy(Problems(".github/gate.yml", ("line 1: a", "line 2: b"), "ec26c3e57ca3a9"), workflow)
        assert workflow.lines == [
            "::error title=Aikido policy::this pull request's version of .github/gate.yml would break the gate once "
            "merged: line 1: a",
            "::error title=Aikido policy::this pull request's version of .github/gate.yml would break the gate once "
            "merged: line 2: b",
        ]
        summary = workflow.summary
        assert "\n\n- line 1: a\n- line 2: b\n\n" in summary
