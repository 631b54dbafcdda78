"""gate.core.summary: the outputs, the job summary and the escaping of every text for Markdown."""

from __future__ import annotations

from gate.core.markdown import md_block, md_code, md_link, md_text
from gate.core.models import parse_scan_status
from gate.core.summary import counts_line, fit_summary, head_policy_lines, outputs, render
from gate.core.verdict import Problems, decide, error
from tests.support.answers import DEFAULT_DONE, FEATURE_DONE

PASSED = parse_scan_status(FEATURE_DONE | {"gate_passed": True, "new_issues_found": 0})
FAILED = parse_scan_status(FEATURE_DONE)
DEFAULT_FAILED = parse_scan_status(DEFAULT_DONE)


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
            "policy-profile": "",
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
        assert md_block(text) == "Use \\`x\\`.\n\n\\- item\n\\`\\`\\`\n&lt;!-- aikido-gate:\u200bstatus:x --&gt;"

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


class TestCountsLine:
    """counts_line"""

    def test_feature_branch(self) -> None:
        status = parse_scan_status(FEATURE_DONE | {"new_issues_found": 3, "new_sast_issues_found": 2})
        assert counts_line(status) == "3 new issues (1 dependency, 2 SAST, 0 IaC, 0 leaked secrets)"

    def test_unknown_counts_are_left_out(self) -> None:
        status = parse_scan_status({"all_scans_completed": True, "gate_passed": True, "new_issues_found": 1})
        assert counts_line(status) == "1 new issue"
        assert counts_line(parse_scan_status({"gate_passed": True})) == ""


class TestProblemsListed:
    """outcome_lines and head_policy_lines: problems one per line, each escaped"""

    def test_several_problems_are_a_list_per_source(self) -> None:
        verdict = error(
            "3 wrong in one line",
            problems=(
                Problems(None, ('input minimum-severity is "severe": must be one of LOW',)),
                Problems(".github/gate.yml", ("line 4: cicdProfiles[0].x: unknown key", "line 7: version: must be 1")),
            ),
        )
        assert render(verdict).splitlines()[2:] == [
            "**Outcome:** `ERROR`: 3 problems stop the gate; fix each of them:",
            "",
            "**Inputs:**",
            "",
            '- input minimum-severity is "severe": must be one of LOW',
            "",
            "**Policy file `.github/gate.yml`:**",
            "",
            "- line 4: cicdProfiles\\[0\\].x: unknown key",
            "- line 7: version: must be 1",
        ]

    def test_one_problem_stays_the_reason(self) -> None:
        verdict = error("the reason <b>", problems=(Problems(".github/gate.yml", ("the reason <b>",)),))
        assert render(verdict).splitlines()[2] == "**Outcome:** `ERROR`: the reason &lt;b&gt;"

    def test_a_pull_requests_broken_policy_file(self) -> None:
        found = Problems(".github/gate.yml", ("line 2: [x](javascript:y)", "line 3: @octo-org"), "ec26c3e57ca3a959ca")
        assert head_policy_lines(found, "###") == [
            "### ❌ This pull request's version of the policy file would break the gate once merged",
            "",
            "`.github/gate.yml` at commit `ec26c3e57ca3`, as this pull request leaves it, has 2 problems:",
            "",
            "- line 2: \\[x\\](javascript:y)",
            "- line 3: @\u200bocto-org",
            "",
            "The base's version judged the scan; this job fails until this pull request fixes its version.",
            "",
        ]
        assert head_policy_lines(None, "###") == []


class TestFitSummary:
    """fit_summary"""

    def test_a_huge_summary_is_cut_below_one_mebibyte(self) -> None:
        text = "".join(f"- line {n}\n" for n in range(200_000))
        cut = fit_summary(text)
        assert len(cut.encode()) <= 1_000_000
        assert cut.endswith("the summary was cut short at GitHub's size limit; the scan in Aikido has everything.\n")
