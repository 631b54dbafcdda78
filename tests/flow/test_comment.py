"""gate.flow.comment: what the PR comments do, and in which order, over an in-memory pull request.

The bodies are the core's (tests/core/test_comment.py); PyGithub's adapter is tested against a fake GitHub
in tests/github/test_comments.py.
"""

from __future__ import annotations

import dataclasses

from emulator.github import added_patch
from gate.core.comment import SAST_MARKER, CommentMode, CommentPlan, status_marker
from gate.core.errors import UnexpectedAnswer
from gate.core.models import SastIssue, parse_scan_status
from gate.core.verdict import Problems, Verdict, decide, timed_out
from gate.flow.comment import MAX_INLINE_COMMENTS, MAX_SINGLE_COMMENTS, post_comments
from gate.flow.ports import ChangedFile
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
    """Where the inline comments stand: path and line."""
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
    """Inline SAST review comments: placed on the diff, all in one review, capped, the rest listed in the status"""

    def test_all_in_one_review_written_after_the_status(self) -> None:
        pr = FakePullRequest()
        log = post(pr, FAILED, sast=True)
        assert inline(pr) == [("src/app.py", 12), ("src/app.py", 40)]
        assert pr.reviews[0].body.startswith(f"{SAST_MARKER}\n**Aikido SAST: SQL injection**")
        [(comments, body)] = pr.made
        assert [(c.path, c.start_line, c.line) for c in comments] == [("src/app.py", 10, 12), ("src/app.py", 40, 40)]
        assert body.startswith("**Aikido SAST:** 2 SAST findings introduced by this pull request")
        assert log == "PR status comment: created\nposted 2 inline SAST review comment(s) in one review\n"
        # The status comment first: a verdict never waits behind the review.
        assert pr.writes() == ["create_issue_comment", "create_review"]

    def test_a_repeated_run_writes_nothing(self) -> None:
        pr = FakePullRequest()
        post(pr, FAILED, sast=True)
        before = pr.writes()
        assert post(pr, FAILED, sast=True) == "PR status comment: unchanged\n"
        assert (len(pr.reviews), pr.writes()) == (2, before)

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

    def test_outdated_comments_of_ours_are_left_alone(self) -> None:
        # GitHub gives a comment whose line left the diff no line: two of them on one file are no duplicates.
        pr = FakePullRequest()
        pr.add_review("src/app.py", None, f"{SAST_MARKER}\nold finding")
        pr.add_review("src/app.py", None, f"{SAST_MARKER}\nanother old finding")
        post(pr, FAILED, sast=True)
        assert "delete_review_comment" not in pr.calls
        assert inline(pr) == [("src/app.py", None), ("src/app.py", None), ("src/app.py", 12), ("src/app.py", 40)]

    def test_a_line_outside_the_diff_is_never_tried_and_goes_into_the_status_comment(self) -> None:
        pr = FakePullRequest(diff_lines={("src/app.py", n) for n in (10, 11, 12, 40)})
        post(pr, FAILED, sast=True, issues=[*ISSUES, SastIssue("src/other.py", 3, 3, "Path traversal")])
        assert len(pr.reviews) == 2
        assert "**SAST findings not shown inline (1):**\n\n- **Path traversal** in `src/other.py` line 3" in (
            pr.comments[0].body
        )
        assert pr.writes() == ["create_issue_comment", "create_review"]

    def test_capped_per_pull_request_and_a_repeated_run_posts_no_new_review(self) -> None:
        pr = FakePullRequest()
        many = [SastIssue("src/app.py", n, n, f"finding {n}") for n in range(1, MAX_INLINE_COMMENTS + 4)]
        post(pr, FAILED, sast=True, issues=many)
        [(comments, _)] = pr.made
        assert len(comments) == MAX_INLINE_COMMENTS
        assert "**SAST findings not shown inline (3):**" in pr.comments[0].body
        writes = pr.writes()
        post(pr, FAILED, sast=True, issues=many)
        # The three the cap held back stay in the status comment, which is already right.
        assert (len(pr.made), pr.writes()) == (1, writes)

    def test_the_cap_counts_the_earlier_runs_comments(self) -> None:
        pr = FakePullRequest()
        for line in range(1, MAX_INLINE_COMMENTS - 4):
            pr.add_review("src/app.py", line, f"{SAST_MARKER}\nearlier")
        new = [SastIssue("src/app.py", n, n, f"finding {n}") for n in range(60, 70)]
        post(pr, FAILED, sast=True, issues=new)
        [(comments, _)] = pr.made
        assert [comment.line for comment in comments] == [60, 61, 62, 63, 64]
        assert "**SAST findings not shown inline (5):**" in pr.comments[0].body

    def test_no_findings_read_nothing_of_the_diff(self) -> None:
        pr = FakePullRequest()
        post(pr, FAILED, sast=True, issues=[])
        assert pr.calls == ["issue_comments", "create_issue_comment", "issue_comments"]

    def test_leftovers_without_a_status_comment_are_a_notice(self) -> None:
        pr = FakePullRequest(diff_lines=set())
        log = post(pr, FAILED, CommentMode.OFF, sast=True, issues=[SastIssue("src/other.py", 3, 3, "Path traversal")])
        assert log == (
            "::notice title=Aikido PR comment::1 SAST finding(s) could not be shown inline; set "
            "post-scan-status-comment to on to list them on the pull request\n"
        )
        assert pr.comments == []

    def test_unreadable_files_are_a_warning_and_the_status_lists_every_finding(self) -> None:
        pr = FakePullRequest()
        pr.refuse("changed_files", 502, "Bad gateway")
        log = post(pr, FAILED, sast=True)
        assert log == (
            f"{COMMENT}could not post the inline SAST review comments: GitHub answered HTTP 502: Bad gateway\n"
            "PR status comment: created\n"
        )
        assert "not shown inline (2)" in pr.comments[0].body
        assert pr.writes() == ["create_issue_comment"]

    def test_unreadable_findings_are_a_warning(self) -> None:
        pr = FakePullRequest()
        log = post(pr, FAILED, sast=True, issues=UnexpectedAnswer("Aikido answered HTML"))
        assert log == (
            f"{COMMENT}could not read the scan's SAST issues: Aikido answered HTML\nPR status comment: created\n"
        )

    def test_none_without_a_final_result(self) -> None:
        pr = FakePullRequest()
        post(pr, timed_out(scan_id=7, seconds=300, fail_on_timeout=True), sast=True)
        assert pr.reviews == []


class TestRefusedReview:
    """A review GitHub refuses (422) goes one comment at a time, as before reviews: nothing lost, nothing twice"""

    def test_a_refused_review_goes_one_comment_at_a_time(self) -> None:
        # The files were read before a push moved the head: GitHub no longer counts line 40 as part of the diff.
        pr = FakePullRequest(diff_lines={("src/app.py", n) for n in (10, 11, 12)})
        pr.files = [ChangedFile("src/app.py", added_patch([10, 11, 12, 40]))]
        log = post(pr, FAILED, sast=True)
        assert log == (
            "PR status comment: created\n"
            "GitHub refused the review (GitHub answered HTTP 422: Unprocessable Entity): posting its comments one "
            "at a time\n"
            "posted 1 inline SAST review comment(s) one at a time\n"
            "PR status comment: updated\n"
        )
        assert (pr.made, inline(pr)) == ([], [("src/app.py", 12)])
        assert "**SAST findings not shown inline (1):**\n\n- **Hard-coded password** in `src/app.py` line 40" in (
            pr.comments[0].body
        )
        assert pr.writes() == [
            "create_issue_comment",
            "create_review",
            "create_review_comment",
            "create_review_comment",
            "edit_issue_comment",
        ]

    def test_one_at_a_time_is_capped_and_lists_the_rest(self) -> None:
        pr = FakePullRequest()
        pr.refuse("create_review", 422, "Unprocessable Entity")
        many = [SastIssue("src/app.py", n, n, f"finding {n}") for n in range(1, MAX_SINGLE_COMMENTS + 6)]
        post(pr, FAILED, sast=True, issues=many)
        assert pr.calls.count("create_review_comment") == MAX_SINGLE_COMMENTS
        assert len(pr.reviews) == MAX_SINGLE_COMMENTS
        assert "not shown inline (5)" in pr.comments[0].body

    def test_another_refusal_of_the_review_lists_every_finding_and_sends_nothing_again(self) -> None:
        # A 502 may come back for a review GitHub made: sent again, it would be posted twice.
        pr = FakePullRequest()
        pr.refuse("create_review", 502, "Bad gateway")
        log = post(pr, FAILED, sast=True)
        assert f"{COMMENT}could not post the inline SAST review comments: GitHub answered HTTP 502" in log
        assert pr.writes() == ["create_issue_comment", "create_review", "edit_issue_comment"]
        assert "not shown inline (2)" in pr.comments[0].body

    def test_a_refusal_one_at_a_time_stops_them_and_the_status_lists_the_rest(self) -> None:
        pr = FakePullRequest()
        pr.refuse("create_review", 422, "Unprocessable Entity")
        pr.refuse("create_review_comment", 403, "Resource not accessible by integration")
        log = post(pr, FAILED, sast=True)
        assert f"{COMMENT}could not post the inline SAST review comments: GitHub answered HTTP 403" in log
        assert pr.calls.count("create_review_comment") == 1
        assert "not shown inline (2)" in pr.comments[0].body
