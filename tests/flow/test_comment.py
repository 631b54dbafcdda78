"""gate.flow.comment: what the PR comments do, and in which order, over an in-memory pull request.

The bodies are the core's (tests/core/test_comment.py); PyGithub's adapter is tested against a fake GitHub
in tests/github/test_comments.py.
"""

from __future__ import annotations

import dataclasses

from gate.core.comment import SAST_MARKER, CommentMode, CommentPlan, status_marker
from gate.core.errors import UnexpectedAnswer
from gate.core.models import SastIssue, parse_scan_status
from gate.core.verdict import Problems, Verdict, decide, timed_out
from gate.flow.comment import MAX_INLINE_COMMENTS, post_comments
from tests.support.answers import FEATURE_DONE
from tests.support.ports import BOT, FakePullRequest, FakeWorkflow

HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
MARKER = status_marker("CI", "aikido", '{"os": "linux"}')
PASSED = decide(
    parse_scan_status(FEATURE_DONE | {"gate_passed": True, "new_issues_found": 0}), scan_id=7, report_only=False
)
CLEAN = decide(
    parse_scan_status(FEATURE_DONE | {"gate_passed": True, "new_issues_found": 0, "new_dependency_issues_found": 0}),
    scan_id=7,
    report_only=False,
)
FAILED = decide(parse_scan_status(FEATURE_DONE), scan_id=7, report_only=False)
ISSUES = [
    SastIssue("src/app.py", 10, 12, "SQL injection", "User input reaches a query.", "Use parameters."),
    SastIssue("src/app.py", 40, 40, "Hard-coded password"),
]
COMMENT = "::warning title=Aikido PR comment::"


def post(
    pr: FakePullRequest,
    verdict: Verdict,
    mode: CommentMode = CommentMode.ON,
    *,
    sast: bool = False,
    issues: list[SastIssue] | Exception | None = None,
) -> str:
    """Post once; returns the log."""
    plan = CommentPlan(mode=mode, sast=sast, marker=MARKER, job="aikido", head_commit=HEAD)
    workflow = FakeWorkflow()

    def sast_issues() -> list[SastIssue]:
        if isinstance(issues, Exception):
            raise issues
        return list(ISSUES if issues is None else issues)

    post_comments(verdict, plan, pr, sast_issues, workflow)
    return workflow.text


def inline(pr: FakePullRequest) -> list[tuple[str, int | None]]:
    return [(review.path, review.line) for review in pr.reviews]


class TestStatusComment:
    """The sticky status comment: created once, then updated in place"""

    def test_created_once_then_updated_in_place(self) -> None:
        pr = FakePullRequest()
        assert post(pr, FAILED) == "PR status comment: created\n"
        assert post(pr, PASSED) == "PR status comment: updated\n"
        [comment] = pr.comments
        assert comment.body.startswith(MARKER + "\n### ✅ Aikido security gate passed")
        assert pr.writes() == ["create_issue_comment", "edit_issue_comment"]

    def test_unchanged_comment_is_not_rewritten(self) -> None:
        pr = FakePullRequest()
        post(pr, PASSED)
        post(pr, PASSED)
        assert pr.writes() == ["create_issue_comment"]

    def test_only_if_new_findings(self) -> None:
        pr = FakePullRequest()
        assert post(pr, CLEAN, CommentMode.ONLY_IF_NEW_FINDINGS) == "PR status comment: not needed\n"
        assert pr.writes() == []
        assert post(pr, FAILED, CommentMode.ONLY_IF_NEW_FINDINGS) == "PR status comment: created\n"
        # Once it exists, a clean run updates it, so the PR shows the findings are resolved.
        assert post(pr, CLEAN, CommentMode.ONLY_IF_NEW_FINDINGS) == "PR status comment: updated\n"
        assert "passed" in pr.comments[0].body

    def test_no_result_is_worth_a_comment_only_when_it_failed_the_gate(self) -> None:
        pr = FakePullRequest()
        late = timed_out(scan_id=7, seconds=300, fail_on_timeout=False)
        assert post(pr, late, CommentMode.ONLY_IF_NEW_FINDINGS) == "PR status comment: not needed\n"

    def test_a_broken_policy_file_of_the_pull_request_is_worth_a_comment(self) -> None:
        pr = FakePullRequest()
        broken = dataclasses.replace(CLEAN, head_policy=Problems(".github/gate.yml", ("line 4: x: unknown key",), HEAD))
        assert post(pr, broken, CommentMode.ONLY_IF_NEW_FINDINGS) == "PR status comment: created\n"
        assert "\n- line 4: x: unknown key\n" in pr.comments[0].body

    def test_a_refusal_is_a_warning_naming_the_permission(self) -> None:
        pr = FakePullRequest()
        pr.refuse("create_issue_comment", 403, "Resource not accessible by integration")
        assert post(pr, PASSED) == (
            f"{COMMENT}could not post the status comment: GitHub answered HTTP 403: Resource not accessible by "
            "integration; give the job `permissions: pull-requests: write` (fork pull requests only get a read-only "
            "token)\n"
        )

    def test_a_server_error_names_no_permission(self) -> None:
        pr = FakePullRequest()
        pr.refuse("issue_comments", 502, "Bad gateway")
        assert (
            post(pr, PASSED) == f"{COMMENT}could not post the status comment: GitHub answered HTTP 502: Bad gateway\n"
        )


class TestRacingRuns:
    """Two quick pushes start two runs of one job: they converge on one status comment, the oldest of ours"""

    def test_a_run_that_raced_keeps_the_older_comment(self) -> None:
        pr = FakePullRequest()
        pr.raced = f"{MARKER}\nthe other run's"
        assert post(pr, FAILED) == (
            "another run of this job created its status comment at the same time: kept the older one\n"
            "PR status comment: updated\n"
        )
        [kept] = pr.comments
        assert (kept.id, "failed" in kept.body) == (1001, True)

    def test_copies_left_by_an_earlier_race_are_deleted_but_never_anyone_else_s(self) -> None:
        pr = FakePullRequest()
        oldest = pr.add_comment(f"{MARKER}\nold")
        planted = pr.add_comment(f"{MARKER}\nmallory's", "mallory")
        pr.add_comment(f"{MARKER}\nnewer copy")
        post(pr, FAILED)
        assert [comment.id for comment in pr.comments] == [oldest.id, planted.id]
        assert "failed" in pr.comments[0].body

    def test_a_copy_already_deleted_by_the_other_run_is_fine(self) -> None:
        pr = FakePullRequest()
        pr.add_comment(f"{MARKER}\nold")
        pr.add_comment(f"{MARKER}\nnewer copy")
        pr.refuse("delete_issue_comment", 404, "Not Found")
        assert post(pr, FAILED) == "PR status comment: updated\n"


class TestOwnership:
    """Only comments the action's own identity wrote are ever edited; a copied marker is ignored"""

    def test_a_planted_status_comment_is_left_alone(self) -> None:
        pr = FakePullRequest()
        pr.add_comment(f"{MARKER}\nlooks official: merge me", "mallory")
        assert post(pr, FAILED) == (
            f"ignored comment(s) carrying aikido-gate's marker by mallory: not written by {BOT}\n"
            "PR status comment: created\n"
        )
        assert [(comment.author, comment.body.endswith("merge me")) for comment in pr.comments] == [
            ("mallory", True),
            (BOT, False),
        ]

    def test_another_identity_finds_its_own(self) -> None:
        pr = FakePullRequest(me="acme-security[bot]")
        pr.add_comment(f"{MARKER}\nby the workflow token")
        mine = pr.add_comment(f"{MARKER}\nold", "acme-security[bot]")
        post(pr, PASSED)
        assert pr.writes() == ["edit_issue_comment"]
        assert [comment.body.startswith(MARKER + "\n### ✅") for comment in pr.comments] == [False, True]
        assert pr.comments[1].id == mine.id

    def test_the_identity_is_asked_only_when_a_marker_is_seen(self) -> None:
        pr = FakePullRequest()
        post(pr, FAILED, sast=True)
        assert pr.calls.count("identity") == 0
        post(pr, FAILED, sast=True)
        assert pr.calls.count("identity") == 2  # once for the review comments, once for the status comment


class TestReviewComments:
    """Inline SAST review comments: one per finding and line, capped, the rest listed in the status comment"""

    def test_one_per_issue_on_its_lines(self) -> None:
        pr = FakePullRequest()
        log = post(pr, FAILED, sast=True)
        assert inline(pr) == [("src/app.py", 12), ("src/app.py", 40)]
        assert pr.reviews[0].body.startswith(f"{SAST_MARKER}\n**Aikido SAST: SQL injection**")
        assert log == "PR status comment: created\nposted 2 inline SAST review comment(s)\n"
        # The status comment first: a verdict never waits behind the review comments.
        assert pr.writes()[0] == "create_issue_comment"

    def test_not_posted_twice_on_the_same_line(self) -> None:
        pr = FakePullRequest()
        post(pr, FAILED, sast=True)
        post(pr, FAILED, sast=True)
        assert len(pr.reviews) == 2

    def test_duplicates_of_ours_are_deleted_a_planted_one_silences_nothing(self) -> None:
        pr = FakePullRequest()
        first = pr.add_review("src/app.py", 12, f"{SAST_MARKER}\nSQL injection")
        pr.add_review("src/app.py", 12, f"{SAST_MARKER}\nSQL injection")
        planted = pr.add_review("src/app.py", 40, f"{SAST_MARKER}\nfalse positive, ignore", "mallory")
        post(pr, FAILED, sast=True)
        assert [(review.id, review.author, review.line) for review in pr.reviews] == [
            (first.id, BOT, 12),
            (planted.id, "mallory", 40),
            (pr.reviews[-1].id, BOT, 40),
        ]

    def test_a_line_outside_the_diff_goes_into_the_status_comment(self) -> None:
        pr = FakePullRequest(diff_lines={("src/app.py", 12), ("src/app.py", 40)})
        post(pr, FAILED, sast=True, issues=[*ISSUES, SastIssue("src/other.py", 3, 3, "Path traversal")])
        assert len(pr.reviews) == 2
        assert "**SAST findings not shown inline (1):**\n\n- **Path traversal** in `src/other.py` line 3" in (
            pr.comments[0].body
        )
        assert pr.writes() == ["create_issue_comment", *["create_review_comment"] * 3, "edit_issue_comment"]

    def test_capped_per_run_refused_attempts_included(self) -> None:
        pr = FakePullRequest(diff_lines=set())
        outside = [SastIssue(f"src/{n}.py", 3, 3, f"finding {n}") for n in range(40)]
        post(pr, FAILED, sast=True, issues=outside)
        assert pr.calls.count("create_review_comment") == MAX_INLINE_COMMENTS
        assert "not shown inline (40)" in pr.comments[0].body

    def test_leftovers_without_a_status_comment_are_a_notice(self) -> None:
        pr = FakePullRequest(diff_lines=set())
        log = post(pr, FAILED, CommentMode.OFF, sast=True, issues=[SastIssue("src/other.py", 3, 3, "Path traversal")])
        assert log == (
            "::notice title=Aikido PR comment::1 SAST finding(s) could not be shown inline; set "
            "post-scan-status-comment to on to list them on the pull request\n"
        )
        assert pr.comments == []

    def test_a_refusal_stops_them_and_the_status_lists_the_rest(self) -> None:
        pr = FakePullRequest()
        pr.refuse("create_review_comment", 403, "Resource not accessible by integration")
        log = post(pr, FAILED, sast=True)
        assert f"{COMMENT}could not post the inline SAST review comments: GitHub answered HTTP 403" in log
        assert pr.calls.count("create_review_comment") == 1
        assert "not shown inline (2)" in pr.comments[0].body

    def test_unreadable_findings_are_a_warning(self) -> None:
        pr = FakePullRequest()
        log = post(pr, FAILED, sast=True, issues=UnexpectedAnswer("Aikido answered HTML"))
        assert log == (
            f"PR status comment: created\n{COMMENT}could not read the scan's SAST issues: Aikido answered HTML\n"
        )

    def test_none_without_a_final_result(self) -> None:
        pr = FakePullRequest()
        post(pr, timed_out(scan_id=7, seconds=300, fail_on_timeout=True), sast=True)
        assert pr.reviews == []
