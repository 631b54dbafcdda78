"""gate.core.comment: the comment modes as documented, the plan, and the status and review comments' Markdown."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gate.core.comment import (
    CommentMode,
    CommentPlan,
    render_review,
    render_review_body,
    render_status,
    status_marker,
)
from gate.core.models import SastIssue, parse_scan_status
from gate.core.verdict import ReleaseGate, decide, error, timed_out
from tests.support.answers import FEATURE_DONE

HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
MARKER = status_marker("CI", "aikido", '{"os": "linux"}')
FAILED = decide(
    parse_scan_status(FEATURE_DONE | {"outcome": {"human_readable_message": "**1 new** issue <script>x</script>"}}),
    scan_id=7,
    report_only=False,
)


def test_the_modes_are_what_action_yml_documents() -> None:
    description = (Path(__file__).parents[2] / "action.yml").read_text()
    assert "on, off or only_if_new_findings" in description
    assert {mode.value for mode in CommentMode} == {"on", "off", "only_if_new_findings"}


def test_a_plan_cannot_change_once_made() -> None:
    plan = CommentPlan(CommentMode.ON, sast=True, marker="<!-- m -->", job="aikido", head_commit=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.sast = False  # type: ignore[misc]  # the assignment a frozen plan refuses, on purpose


class TestRenderStatus:
    """render_status"""

    def test_failure_shows_counts_link_commit_and_a_safe_message(self) -> None:
        body = render_status(FAILED, marker=MARKER, head_commit=HEAD, leftovers=[], job="aikido")
        assert body.startswith(f"{MARKER}\n### ❌ Aikido security gate failed")
        assert "| New dependency issues | 1 |" in body
        assert "[Open the scan in Aikido](https://app.aikido.dev/featurebranch/scan/1?groupId=1)" in body
        assert "commit `ec26c3e57ca3`" in body
        assert "\\*\\*1 new\\*\\* issue &lt;script&gt;x&lt;/script&gt;" in body
        assert "<script>" not in body

    def test_a_release_gate_says_so_and_lists_a_handful_of_open_issues(self) -> None:
        links = [f"https://app.aikido.dev/queue?sidebarIssue={n}" for n in range(1, 14)]
        answer = {"gate_passed": False, "open_issues_found": 13, "issue_links": links}
        verdict = dataclasses.replace(
            decide(parse_scan_status(answer), scan_id=7, report_only=False),
            release=ReleaseGate(HEAD, "HIGH", "main"),
        )
        body = render_status(verdict, marker=MARKER, head_commit=HEAD, leftovers=[], job="aikido")
        assert "### ❌ Aikido security gate failed: open issues in this commit block the release" in body
        assert "**Release gate** of commit `ec26c3e57ca3`: open issues at or above `HIGH`, base branch `main`" in body
        assert "**Open issues (13):**" in body
        assert f"- [{links[9]}]({links[9]})" in body
        assert links[10] not in body
        assert "- … and 3 more in Aikido" in body

    def test_timeout_and_error_say_so(self) -> None:
        late = render_status(
            timed_out(scan_id=7, seconds=300, fail_on_timeout=True),
            marker=MARKER,
            head_commit=None,
            leftovers=[],
            job="",
        )
        assert "### ⏱️ Aikido security gate timed out" in late
        assert "The Aikido scan did not finish within 300 s (timeout-seconds); it goes on in Aikido as scan 7." in late
        assert "Raise timeout-seconds to wait longer, or set fail-on-timeout to false" in late
        broken = render_status(error("Aikido refused <b>"), marker=MARKER, head_commit=None, leftovers=[], job="")
        assert "Aikido refused &lt;b&gt;." in broken

    def test_marker_hashes_names_that_could_break_html(self) -> None:
        marker = status_marker("CI -->", "job", "null")
        assert marker.startswith("<!-- aikido-gate:status:")
        assert marker.count("-->") == 1

    def test_a_long_list_of_leftovers_names_fifty(self) -> None:
        leftovers = [SastIssue(f"src/{n}.py", 3, 4, f"finding {n}") for n in range(53)]
        body = render_status(FAILED, marker=MARKER, head_commit=HEAD, leftovers=leftovers, job="aikido")
        assert "**SAST findings not shown inline (53):**" in body
        assert "- **finding 49** in `src/49.py` lines 3–4" in body
        assert "finding 50" not in body
        assert "- … and 3 more in Aikido" in body


class TestRenderReview:
    """render_review"""

    def test_title_description_remediation_and_the_link(self) -> None:
        issue = SastIssue("src/app.py", 10, 12, "SQL <injection>", "User input reaches a query.", "Use parameters.")
        assert render_review(issue, "https://app.aikido.dev/featurebranch/scan/1") == (
            "<!-- aikido-gate:sast -->\n**Aikido SAST: SQL &lt;injection&gt;**\n\nUser input reaches a query.\n\n"
            "**Remediation:**\n\nUse parameters.\n\n[Open the scan in Aikido](https://app.aikido.dev/featurebranch/scan/1)\n"
        )

    def test_a_bare_finding_is_its_title(self) -> None:
        assert render_review(SastIssue("a.py", 1, 1, "Hard-coded password"), None) == (
            "<!-- aikido-gate:sast -->\n**Aikido SAST: Hard-coded password**\n"
        )


class TestRenderReviewBody:
    """render_review_body"""

    def test_counts_the_findings_and_links_the_scan(self) -> None:
        assert render_review_body(30, "https://app.aikido.dev/featurebranch/scan/1") == (
            "**Aikido SAST:** 30 SAST findings introduced by this pull request, commented on the lines below.\n\n"
            "[Open the scan in Aikido](https://app.aikido.dev/featurebranch/scan/1)\n"
        )

    def test_one_finding_without_a_link(self) -> None:
        assert render_review_body(1, None) == (
            "**Aikido SAST:** 1 SAST finding introduced by this pull request, commented on the lines below.\n"
        )
