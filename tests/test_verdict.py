"""Verdicts, outputs, the summary and the annotations a user reads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from emulator.runner import parse_outputs
from gate.models import ScanStatus, parse_scan_status
from gate.report import fit_summary, report
from gate.summary import counts_line, cut_short, md_block, md_code, md_link, md_text, outputs, render
from gate.verdict import Outcome, decide, error, skipped, timed_out
from gate.workflow import Workflow
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


class TestOutputs:
    """outputs"""

    def test_feature_branch(self) -> None:
        assert outputs(decide(FAILED, scan_id=5, report_only=False)) == {
            "outcome": "FAILED",
            "scan-id": "5",
            "diff-url": FEATURE_DONE["diff_url"],
            "scanResultUrl": FEATURE_DONE["diff_url"],
            "gate-passed": "false",
            "new-issues-found": "1",
            "new-dependency-issues-found": "1",
            "new-sast-issues-found": "0",
            "new-iac-issues-found": "0",
            "new-leaked-secret-issues-found": "0",
            "open-issues-found": "",
            "issue-links": "",
            "uploaded-files": "0",
        }

    def test_issue_links_one_per_line(self) -> None:
        values = outputs(decide(DEFAULT_FAILED, scan_id=5, report_only=False))
        assert values["issue-links"] == (
            "https://app.aikido.dev/queue?sidebarIssue=1\nhttps://app.aikido.dev/queue?sidebarIssue=2"
        )

    def test_error_has_only_the_outcome(self) -> None:
        values = outputs(error("boom"))
        assert values["outcome"] == "ERROR"
        assert {value for name, value in values.items() if name not in ("outcome", "uploaded-files")} == {""}


class TestMarkdown:
    """md_text, md_link, render"""

    def test_text_cannot_inject_html_links_or_table_cells(self) -> None:
        assert md_text("<img src=x> [a](javascript:x) | *b*\n# h") == (
            r"&lt;img src=x&gt; \[a\](javascript:x) \| \*b\* # h"
        )

    def test_text_cannot_mention_or_start_a_block(self) -> None:
        assert md_text("@octo-org/security") == "@\u200bocto-org/security"
        assert md_text("# title") == r"\# title"
        assert md_text("1. first") == r"\1. first"

    def test_block_keeps_lines_and_closes_nothing(self) -> None:
        text = "Use `x`.\n\n\n\n- item\n```\n<!-- aikido-gate:status:x -->"
        assert md_block(text) == "Use \\`x\\`.\n\n\\- item\n\\`\\`\\`\n&lt;!-- aikido-gate:status:x --&gt;"

    def test_link_url_cannot_close_the_link(self) -> None:
        assert md_link("scan", "https://a.example/x) [evil](https://b") == (
            "[scan](https://a.example/x%29%20%5Bevil%5D%28https://b)"
        )

    def test_code_span_survives_backticks_and_pipes(self) -> None:
        assert md_code("a`b|c") == r"`` a`b\|c ``"
        assert md_code("build/x.json") == "`build/x.json`"

    def test_non_http_link_is_text(self) -> None:
        assert md_link("x", "javascript:alert(1)") == "x"

    def test_summary_of_a_failure(self) -> None:
        text = render(decide(FAILED, scan_id=5, report_only=False))
        assert text.startswith("## ❌ Aikido security gate failed: the scan found issues that block this change\n")
        assert "[open the scan in Aikido](https://app.aikido.dev/featurebranch/scan/1?groupId=1)" in text
        assert "| New dependency issues | 1 |" in text
        assert "Open issues" not in text

    def test_summary_lists_fifty_issue_links_then_a_count(self) -> None:
        links = [f"https://app.aikido.dev/queue?sidebarIssue={n}" for n in range(1, 61)]
        status = parse_scan_status({"gate_passed": False, "open_issues_found": 60, "issue_links": links})
        text = render(decide(status, scan_id=5, report_only=False))
        assert "**Issues (60):**" in text
        assert f"- [{links[49]}]({links[49]})" in text
        assert links[50] not in text
        assert "- … and 10 more in Aikido" in text

    def test_summary_lists_every_issue_link(self) -> None:
        text = render(decide(DEFAULT_FAILED, scan_id=5, report_only=False))
        assert "**Issues (2):**" in text
        assert "- [https://app.aikido.dev/queue?sidebarIssue=2](https://app.aikido.dev/queue?sidebarIssue=2)" in text


class TestReport:
    """report"""

    def run(self, tmp_path: Path, verdict_: object) -> tuple[int, str, dict[str, str], str]:
        stream = io.StringIO()
        workflow = Workflow(stream, output_path=tmp_path / "out", summary_path=tmp_path / "sum.md")
        code = report(verdict_, workflow)  # type: ignore[arg-type]
        return code, stream.getvalue(), parse_outputs((tmp_path / "out").read_text()), (tmp_path / "sum.md").read_text()

    def test_failure_annotates_each_issue_link(self, tmp_path: Path) -> None:
        code, log, values, _ = self.run(tmp_path, decide(DEFAULT_FAILED, scan_id=5, report_only=False))
        assert code == 10
        assert log.splitlines() == [
            "::error title=Aikido issue::Open issue: https://app.aikido.dev/queue?sidebarIssue=1",
            "::error title=Aikido issue::Open issue: https://app.aikido.dev/queue?sidebarIssue=2",
            "::error title=Aikido security gate::the Aikido gate failed. 2 open issues",
        ]
        assert values["open-issues-found"] == "2"

    def test_report_only_warns(self, tmp_path: Path) -> None:
        code, log, _, _ = self.run(tmp_path, decide(DEFAULT_FAILED, scan_id=5, report_only=True))
        assert code == 0
        assert all(line.startswith("::warning ") for line in log.splitlines())

    def test_unwritable_outputs_fail_the_step(self, tmp_path: Path) -> None:
        stream = io.StringIO()
        workflow = Workflow(stream, output_path=tmp_path / "missing" / "out")
        assert report(skipped("nothing to do"), workflow) == 1
        assert "::error title=Aikido security gate::could not write the step outputs: " in stream.getvalue()


class TestCountsLine:
    """counts_line"""

    def test_feature_branch(self) -> None:
        status = parse_scan_status(FEATURE_DONE | {"new_issues_found": 3, "new_sast_issues_found": 2})
        assert counts_line(status) == "3 new issues (1 dependency, 2 SAST, 0 IaC, 0 leaked secrets)"

    def test_unknown_counts_are_left_out(self) -> None:
        status = parse_scan_status({"all_scans_completed": True, "gate_passed": True, "new_issues_found": 1})
        assert counts_line(status) == "1 new issue"
        assert counts_line(parse_scan_status({"gate_passed": True})) == ""


class TestReportLimits:
    """report under GitHub's limits and a broken summary file"""

    def test_an_unwritable_summary_is_a_warning_and_the_verdict_stands(self, tmp_path: Path) -> None:
        stream = io.StringIO()
        (tmp_path / "summary.md").mkdir()  # a directory where the file should be
        workflow = Workflow(stream, output_path=tmp_path / "out", summary_path=tmp_path / "summary.md")
        assert report(skipped("nothing to do"), workflow) == 0
        assert "::warning title=Aikido security gate::could not write the job summary" in stream.getvalue()
        assert "outcome=SKIPPED" in (tmp_path / "out").read_text()

    def test_many_issue_links_give_a_handful_of_annotations(self) -> None:
        links = tuple(f"https://app.aikido.dev/queue?sidebarIssue={n}" for n in range(500))
        status = ScanStatus(final=True, gate_passed=False, issue_links=links)
        stream = io.StringIO()
        assert report(decide(status, scan_id=1, report_only=False), Workflow(stream)) == 10
        errors = [line for line in stream.getvalue().splitlines() if line.startswith("::error")]
        assert len(errors) == 7
        assert "… and 495 more open issues: see the job summary" in errors[5]

    @pytest.mark.parametrize(
        ("text", "unit", "expected"),
        [
            ("short\n", "utf-8", "short\n"),
            ("aaaa\nbbbb\ncccc\n", "utf-8", "aaaa\n\n[cut]"),
            ("é" * 10, "utf-8", "éé\n\n[cut]"),  # two bytes each, never half a character
            ("🐍" * 10, "utf-16-le", "🐍🐍\n\n[cut]"),  # two UTF-16 units each
            ("x" * 20, "utf-16-le", "xxxxx\n\n[cut]"),  # one line: cut inside it
        ],
    )
    def test_cut_short_counts_in_the_sinks_unit(self, text: str, unit: str, expected: str) -> None:
        assert cut_short(text, 12, "[cut]", unit=unit) == expected

    def test_a_huge_summary_is_cut_below_one_mebibyte(self) -> None:
        text = "".join(f"- line {n}\n" for n in range(200_000))
        cut = fit_summary(text)
        assert len(cut.encode()) <= 1_000_000
        assert cut.endswith("the summary was cut short at GitHub's size limit; the scan in Aikido has everything.\n")
