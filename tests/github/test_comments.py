"""gate.github.comments: the `PullRequest` port through PyGithub's real HTTP, against a fake GitHub API on loopback.

Driven as a run drives it (gate.flow.comment.post_comments), so PyGithub's own behaviour is tested with ours:
pages, rate limits, refusals, proxies, GitHub Enterprise Server, who the token is. The flow's decisions alone
are tested over an in-memory port in tests/flow/test_comment.py.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import io
import os
import socket
import threading
from collections.abc import Iterator

import pytest

from emulator.github import BOT, REPO, FakeGitHub, added_patch
from gate.core.clock import Deadline
from gate.core.comment import SAST_MARKER, CommentMode, CommentPlan, status_marker
from gate.core.models import SastIssue, parse_scan_status
from gate.core.verdict import Problems, Verdict, decide
from gate.flow.comment import MAX_INLINE_COMMENTS, MAX_SINGLE_COMMENTS, post_comments
from gate.github.comments import PyGithubPullRequest
from gate.runner.workflow import Workflow
from tests.conftest import FakeClock
from tests.support.answers import FEATURE_DONE
from tests.support.refusing_proxy import RefusingProxy

HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
TOKEN = "ghs_" + "x" * 36
MARKER = status_marker("CI", "aikido", '{"os": "linux"}')
PASSED = decide(
    parse_scan_status(FEATURE_DONE | {"gate_passed": True, "new_issues_found": 0}), scan_id=7, report_only=False
)
CLEAN = decide(
    parse_scan_status(FEATURE_DONE | {"gate_passed": True, "new_issues_found": 0, "new_dependency_issues_found": 0}),
    scan_id=7,
    report_only=False,
)
FAILED = decide(
    parse_scan_status(FEATURE_DONE | {"outcome": {"human_readable_message": "**1 new** issue <script>x</script>"}}),
    scan_id=7,
    report_only=False,
)
ISSUES = [
    SastIssue("src/app.py", 10, 12, "SQL injection", "User input reaches a query.", "Use parameters."),
    SastIssue("src/app.py", 40, 40, "Hard-coded password"),
]
# The pull request's change to src/app.py as GitHub's files listing gives it: its head's lines 7-14 and 39-42.
APP_PATCH = "\n".join(
    [
        "@@ -7,5 +7,8 @@ import db",
        " def find(user):",
        '     """Find a user."""',
        '-    return db.query("SELECT 1")',
        "+    sql = (",
        '+        "SELECT * FROM users WHERE name = \'"',
        '+        + user + "\'")',
        "+    return db.query(sql)",
        " ",
        " ",
        "@@ -36,3 +39,4 @@ def find(user):",
        " ",
        '+PASSWORD = "hunter2"',
        " ",
        " def main():",
    ]
)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.change("src/app.py", APP_PATCH)
        yield fake


class Run:
    """Posts once against the fake and keeps what the user would see."""

    def __init__(self, github: FakeGitHub, clock: FakeClock) -> None:
        self.github, self.clock = github, clock

    def __call__(
        self,
        verdict: Verdict,
        mode: CommentMode = CommentMode.ON,
        *,
        sast: bool = False,
        marker: str = MARKER,
        issues: list[SastIssue] | None = None,
        seconds: float = 60,
    ) -> str:
        pr = PyGithubPullRequest(
            self.github.api_url,
            TOKEN,
            REPO,
            42,
            deadline=Deadline(self.clock() + seconds, self.clock),
            sleep=self.clock.sleep,
            seconds_between_writes=0,
            environ=os.environ,
        )
        plan = CommentPlan(mode=mode, sast=sast, marker=marker, job="aikido", head_commit=HEAD)
        log = io.StringIO()
        post_comments(verdict, plan, pr, lambda: list(ISSUES if issues is None else issues), Workflow(log))
        return log.getvalue()


@pytest.fixture
def post(github: FakeGitHub, clock: FakeClock) -> Run:
    return Run(github, clock)


class TestStatusComment:
    """The sticky status comment."""

    def test_created_once_then_updated_in_place(self, github: FakeGitHub, post: Run) -> None:
        assert post(FAILED) == "PR status comment: created\n"
        assert post(PASSED) == "PR status comment: updated\n"
        [comment] = github.issue_comments
        assert comment["body"].startswith(MARKER + "\n### ✅ Aikido security gate passed")
        assert [w.method for w in github.writes()] == ["POST", "PATCH"]
        assert github.requests[0].headers["Authorization"] == f"token {TOKEN}"

    def test_found_again_on_a_later_page(self, github: FakeGitHub, post: Run) -> None:
        for n in range(130):
            github.add_issue_comment(f"chatter {n}", user={"login": "octocat", "type": "User"})
        ours = github.add_issue_comment(f"{MARKER}\nold", user=BOT)
        post(PASSED)
        assert [(w.method, w.path) for w in github.writes()] == [
            ("PATCH", f"/repos/{REPO}/issues/comments/{ours['id']}")
        ]
        assert [r.query.get("page", ["1"]) for r in github.requests if r.method == "GET"] == [["1"], ["2"]]

    def test_each_job_and_matrix_leg_has_its_own(self, github: FakeGitHub, post: Run) -> None:
        post(PASSED)
        post(PASSED, marker=status_marker("CI", "aikido", '{"os": "windows"}'))
        post(PASSED, marker=status_marker("CI", "other-job", '{"os": "linux"}'))
        assert len(github.issue_comments) == 3

    def test_only_if_new_findings(self, github: FakeGitHub, post: Run) -> None:
        assert post(CLEAN, CommentMode.ONLY_IF_NEW_FINDINGS) == "PR status comment: not needed\n"
        assert github.writes() == []
        assert post(FAILED, CommentMode.ONLY_IF_NEW_FINDINGS) == "PR status comment: created\n"
        # Once it exists, a clean run updates it, so the PR shows the findings are resolved.
        assert post(CLEAN, CommentMode.ONLY_IF_NEW_FINDINGS) == "PR status comment: updated\n"
        assert "passed" in github.issue_comments[0]["body"]

    def test_a_broken_policy_file_of_the_pull_request_is_worth_a_comment(self, github: FakeGitHub, post: Run) -> None:
        broken = dataclasses.replace(CLEAN, head_policy=Problems(".github/gate.yml", ("line 4: x: unknown key",), HEAD))
        assert post(broken, CommentMode.ONLY_IF_NEW_FINDINGS) == "PR status comment: created\n"
        body = github.issue_comments[0]["body"]
        assert body.index("### ✅ Aikido security gate passed") < body.index(
            "#### ❌ This pull request's version of the policy file would break the gate once merged"
        )
        assert "\n- line 4: x: unknown key\n" in body

    def test_unchanged_comment_is_not_rewritten(self, github: FakeGitHub, post: Run) -> None:
        post(PASSED)
        post(PASSED)
        assert [w.method for w in github.writes()] == ["POST"]

    def test_read_only_token_is_a_warning(self, github: FakeGitHub, post: Run) -> None:
        github.refuse("POST", "/comments$", 403, "Resource not accessible by integration")
        log = post(PASSED)
        assert log == (
            "::warning title=Aikido PR comment::could not post the status comment: GitHub answered HTTP 403: "
            "Resource not accessible by integration; give the job `permissions: pull-requests: write` "
            "(fork pull requests only get a read-only token)\n"
        )

    def test_rate_limit_is_waited_out_and_the_comment_sent_once(
        self, github: FakeGitHub, post: Run, clock: FakeClock
    ) -> None:
        github.refuse("POST", "/comments$", 403, "API rate limit exceeded", headers={"Retry-After": "7"})
        assert post(PASSED) == "PR status comment: created\n"
        assert clock.sleeps == [7.0]
        assert [w.method for w in github.writes()] == ["POST", "POST"]
        assert len(github.issue_comments) == 1

    def test_a_rate_limit_is_retried_once_a_second_later(self, github: FakeGitHub, post: Run, clock: FakeClock) -> None:
        github.refuse("POST", "/comments$", 429, "slow down", times=1000, headers={"Retry-After": "0"})
        log = post(PASSED, seconds=30)
        assert (
            "could not post the status comment: GitHub rate-limited us (HTTP 429, and again when retried once): "
            "nothing needs a change; the next run writes again"
        ) in log
        assert clock.sleeps == [1.0]
        assert len(github.writes()) == 2

    def test_a_secondary_rate_limit_asks_for_no_permission(self, github: FakeGitHub, post: Run) -> None:
        github.refuse(
            "POST", "/comments$", 403, "You have exceeded a secondary rate limit", times=2, headers={"Retry-After": "1"}
        )
        log = post(PASSED, seconds=30)
        assert "GitHub rate-limited us (HTTP 403, and again when retried once)" in log
        assert "permissions" not in log
        assert len(github.writes()) == 2

    def test_rate_limit_past_the_deadline_gives_up(self, github: FakeGitHub, post: Run) -> None:
        github.refuse("POST", "/comments$", 429, "slow down", headers={"Retry-After": "120"})
        log = post(PASSED, seconds=30)
        assert "GitHub's rate limit asks for 120 s, more than the time left" in log
        assert len(github.writes()) == 1

    def test_server_error_is_never_resent(self, github: FakeGitHub, post: Run) -> None:
        github.refuse("POST", "/comments$", 502, "Bad gateway")
        log = post(PASSED)
        assert "could not post the status comment: GitHub answered HTTP 502: Bad gateway" in log
        assert len(github.writes()) == 1

    def test_no_answer_names_the_host_and_github_api_url(self, clock: FakeClock) -> None:
        with socket.create_server(("127.0.0.1", 0)) as closed:
            port = closed.getsockname()[1]
        deadline = Deadline(clock() + 60, clock)
        pr = PyGithubPullRequest(
            f"http://127.0.0.1:{port}", TOKEN, REPO, 42, deadline=deadline, sleep=clock.sleep, environ=os.environ
        )
        log = io.StringIO()
        plan = CommentPlan(mode=CommentMode.ON, sast=False, marker=MARKER, job="aikido", head_commit=HEAD)
        post_comments(PASSED, plan, pr, list, Workflow(log))
        assert log.getvalue() == (
            f"::warning title=Aikido PR comment::could not post the status comment: no answer from GitHub at "
            f"127.0.0.1:{port} (ConnectionError): check GITHUB_API_URL and the network to 127.0.0.1:{port}\n"
        )

    def test_a_refusing_proxy_is_named(self, post: Run, monkeypatch: pytest.MonkeyPatch) -> None:
        with RefusingProxy() as proxy:
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
            for name in ("NO_PROXY", "no_proxy", "http_proxy"):
                monkeypatch.delenv(name, raising=False)
            log = post(PASSED)
        assert log == (
            "::warning title=Aikido PR comment::could not post the status comment: the proxy refused the "
            "connection to GitHub: check HTTP_PROXY and its credentials\n"
        )
        assert proxy.request_lines[0].startswith("GET http://127.0.0.1:")

    def test_enterprise_server_base_url(self, clock: FakeClock) -> None:
        with FakeGitHub(prefix="/api/v3") as ghes:
            Run(ghes, clock)(FAILED)
            Run(ghes, clock)(PASSED)
            assert [r.path for r in ghes.requests] == [
                f"/api/v3/repos/{REPO}/issues/42/comments",  # list: none yet
                f"/api/v3/repos/{REPO}/issues/42/comments",  # create
                f"/api/v3/repos/{REPO}/issues/42/comments",  # list again: did another run race?
                f"/api/v3/repos/{REPO}/issues/42/comments",  # the next run lists
                "/api/graphql",
                f"/api/v3/repos/{REPO}/issues/comments/{ghes.issue_comments[0]['id']}",
            ]
            assert len(ghes.issue_comments) == 1


MALLORY = {"login": "mallory", "id": 666, "type": "User"}
APP_BOT = {"login": "acme-security[bot]", "id": 4242, "type": "Bot"}


class TestRacingRuns:
    """Two quick pushes start two runs of one job: they converge on one status comment, the oldest."""

    def test_four_concurrent_first_runs_leave_one_status_comment(self, github: FakeGitHub) -> None:
        github.list_barrier = threading.Barrier(4)  # every run lists before any creates
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            logs = list(pool.map(lambda _: Run(github, FakeClock())(FAILED), range(4)))
        assert sum(request.method == "POST" for request in github.requests if "graphql" not in request.path) == 4
        [comment] = github.issue_comments
        assert comment["id"] == 1001  # the oldest
        assert (
            sorted(log.splitlines()[-1] for log in logs)
            == ["PR status comment: created"] + ["PR status comment: updated"] * 3
        )
        Run(github, FakeClock())(PASSED)
        assert [c["id"] for c in github.issue_comments] == [1001]
        assert "passed" in github.issue_comments[0]["body"]

    def test_copies_left_by_an_earlier_race_are_deleted_but_never_anyone_else_s(
        self, github: FakeGitHub, post: Run
    ) -> None:
        oldest = github.add_issue_comment(f"{MARKER}\nold")
        github.add_issue_comment(f"{MARKER}\nmallory's", MALLORY)
        newer = github.add_issue_comment(f"{MARKER}\nnewer copy")
        post(FAILED)
        assert [c["id"] for c in github.issue_comments] == [oldest["id"], newer["id"] - 1]
        assert "failed" in github.issue_comments[0]["body"]
        assert [r.path.rsplit("/", 1)[1] for r in github.requests if r.method == "DELETE"] == [str(newer["id"])]

    def test_a_copy_already_deleted_by_the_other_run_is_fine(self, github: FakeGitHub, post: Run) -> None:
        github.add_issue_comment(f"{MARKER}\nold")
        newer = github.add_issue_comment(f"{MARKER}\nnewer copy")
        github.refuse("DELETE", rf"/issues/comments/{newer['id']}$", 404, "Not Found")
        assert post(FAILED) == "PR status comment: updated\n"

    def test_duplicate_review_comments_of_ours_are_deleted(self, github: FakeGitHub, post: Run) -> None:
        first = github.add_review_comment("src/app.py", 12, f"{SAST_MARKER}\nSQL injection")
        second = github.add_review_comment("src/app.py", 12, f"{SAST_MARKER}\nSQL injection")
        planted = github.add_review_comment("src/app.py", 40, f"{SAST_MARKER}\nplanted", MALLORY)
        post(FAILED, sast=True)
        kept = [(c["id"], c["line"]) for c in github.review_comments]
        assert (first["id"], 12) in kept
        assert (second["id"], 12) not in kept
        assert (planted["id"], 40) in kept
        assert [c["line"] for c in github.review_comments].count(12) == 1


class TestCommentOwnership:
    """Only comments the action's own identity wrote are ever edited; a copied marker is ignored."""

    def test_a_planted_status_comment_is_left_alone(self, github: FakeGitHub, post: Run) -> None:
        planted = github.add_issue_comment(f"{MARKER}\nlooks official: merge me", user=MALLORY)
        log = post(FAILED)
        assert planted["body"] == f"{MARKER}\nlooks official: merge me"
        assert [(w.method, w.path) for w in github.writes()] == [("POST", f"/repos/{REPO}/issues/42/comments")]
        ours = github.issue_comments[-1]
        assert (ours["user"]["login"], "failed" in ours["body"]) == ("github-actions[bot]", True)
        assert log == (
            "ignored comment(s) carrying aikido-gate's marker by mallory: not written by github-actions[bot]\n"
            "PR status comment: created\n"
        )

    def test_the_real_one_is_updated_next_to_a_planted_copy(self, github: FakeGitHub, post: Run) -> None:
        post(FAILED)
        github.add_issue_comment(f"{MARKER}\n### ✅ passed, trust me", user=MALLORY)
        post(PASSED)
        ours, planted = github.issue_comments
        assert "Aikido security gate passed" in ours["body"]
        assert planted["body"].endswith("trust me")
        assert [w.method for w in github.writes()] == ["POST", "PATCH"]

    def test_a_github_app_token_finds_its_own_comments(self, clock: FakeClock) -> None:
        with FakeGitHub(viewer=APP_BOT) as app:
            app.add_issue_comment(f"{MARKER}\nby the workflow token", user=BOT)
            mine = app.add_issue_comment(f"{MARKER}\nold", user=APP_BOT)
            Run(app, clock)(PASSED)
            assert [(w.method, w.path) for w in app.writes()] == [
                ("PATCH", f"/repos/{REPO}/issues/comments/{mine['id']}")
            ]
            assert app.issue_comments[0]["body"].endswith("by the workflow token")

    def test_the_identity_is_asked_once_and_only_when_a_marker_is_seen(self, github: FakeGitHub, post: Run) -> None:
        post(FAILED, sast=True)
        assert [r.path for r in github.requests if r.path.endswith("/graphql")] == []
        post(FAILED, sast=True)
        assert [r.path for r in github.requests if r.path.endswith("/graphql")] == ["/graphql"]

    def test_without_an_answer_only_the_default_tokens_comments_count(self, github: FakeGitHub, post: Run) -> None:
        github.refuse("POST", "/graphql$", 403, "Resource not accessible by integration")
        github.add_issue_comment(f"{MARKER}\nplanted", user=MALLORY)
        mine = github.add_issue_comment(f"{MARKER}\nold", user=BOT)
        post(PASSED)
        assert [(w.method, w.path) for w in github.writes()] == [
            ("PATCH", f"/repos/{REPO}/issues/comments/{mine['id']}")
        ]

    def test_a_planted_review_comment_does_not_silence_a_finding(self, github: FakeGitHub, post: Run) -> None:
        github.add_review_comment("src/app.py", 12, f"{SAST_MARKER}\nfalse positive, ignore", user=MALLORY)
        post(FAILED, sast=True)
        assert [(c["user"]["login"], c["line"]) for c in github.review_comments] == [
            ("mallory", 12),
            ("github-actions[bot]", 12),
            ("github-actions[bot]", 40),
        ]


class TestReviewComments:
    """Inline SAST review comments: one review, on lines the diff shows, the rest in the status comment."""

    def test_all_in_one_review_on_their_lines(self, github: FakeGitHub, post: Run) -> None:
        assert post(FAILED, sast=True) == (
            "PR status comment: created\nposted 2 inline SAST review comment(s) in one review\n"
        )
        [review] = github.reviews
        assert (review["state"], review["commit_id"]) == ("COMMENTED", HEAD)
        assert review["body"].startswith("**Aikido SAST:** 2 SAST findings introduced by this pull request")
        first, second = github.review_comments
        assert (first["path"], first["start_line"], first["line"], first["commit_id"]) == ("src/app.py", 10, 12, HEAD)
        assert (first["side"], first["start_side"], first["pull_request_review_id"]) == ("RIGHT", "RIGHT", review["id"])
        assert first["body"].startswith(f"{SAST_MARKER}\n**Aikido SAST: SQL injection**")
        assert "**Remediation:**\n\nUse parameters." in first["body"]
        assert (second["line"], second["start_line"], second["pull_request_review_id"]) == (40, None, review["id"])
        # One write for the status, one for every inline comment; the commit is named, never fetched.
        assert [(w.method, w.path) for w in github.writes()] == [
            ("POST", f"/repos/{REPO}/issues/42/comments"),
            ("POST", f"/repos/{REPO}/pulls/42/reviews"),
        ]
        assert github.writes()[1].body["event"] == "COMMENT"
        assert [r.path for r in github.requests if "/commits/" in r.path] == []

    def test_a_repeated_run_writes_nothing(self, github: FakeGitHub, post: Run) -> None:
        issues = [*ISSUES, SastIssue("src/other.py", 3, 3, "Path traversal")]
        post(FAILED, sast=True, issues=issues)
        writes = len(github.writes())
        assert post(FAILED, sast=True, issues=issues) == "PR status comment: unchanged\n"
        assert (len(github.writes()), len(github.reviews), len(github.review_comments)) == (writes, 1, 2)

    def test_placed_only_where_github_takes_a_comment(self, github: FakeGitHub, post: Run) -> None:
        github.change("img/logo.png", None, status="added")
        renamed = "@@ -1,3 +1,3 @@\n a\n-b\n+c\n d"
        github.change("src/new_name.py", renamed, status="renamed", previous_filename="src/old_name.py")
        github.change("src/gone.py", "@@ -1,2 +0,0 @@\n-x\n-y", status="removed")
        issues = [
            SastIssue("src/app.py", 10, 12, "in a hunk"),
            SastIssue("src/app.py", 12, 40, "across two hunks"),
            SastIssue("src/app.py", 9, 9, "on the line where one was deleted"),
            SastIssue("src/app.py", 20, 20, "between the hunks"),
            SastIssue("img/logo.png", 1, 1, "in a binary file"),
            SastIssue("src/new_name.py", 2, 2, "in a renamed file"),
            SastIssue("src/old_name.py", 2, 2, "under a renamed file's old name"),
            SastIssue("src/gone.py", 1, 1, "in a deleted file"),
        ]
        post(FAILED, sast=True, issues=issues)
        assert [(c["path"], c["start_line"], c["line"]) for c in github.review_comments] == [
            ("src/app.py", 10, 12),
            ("src/app.py", 39, 40),  # start_line in the hunk of its line, as GitHub wants
            ("src/app.py", None, 9),  # the head's line 9 is an added one
            ("src/new_name.py", None, 2),
        ]
        body = github.issue_comments[0]["body"]
        assert "**SAST findings not shown inline (4):**" in body
        for title in ("between the hunks", "in a binary file", "under a renamed file's old name", "in a deleted file"):
            assert f"- **{title}**" in body

    def test_files_are_read_across_pages(self, github: FakeGitHub, post: Run) -> None:
        for n in range(130):
            github.change(f"docs/{n}.md", "@@ -0,0 +1 @@\n+text")
        github.change("src/last.py", "@@ -0,0 +1 @@\n+x = eval(input())")
        post(FAILED, sast=True, issues=[SastIssue("src/last.py", 1, 1, "eval")])
        assert [c["path"] for c in github.review_comments] == ["src/last.py"]
        pages = [
            (r.query["per_page"], r.query.get("page", ["1"])) for r in github.requests if r.path.endswith("/files")
        ]
        assert pages == [(["100"], ["1"]), (["100"], ["2"])]

    def test_capped_the_rest_listed_and_a_repeated_run_posts_no_new_review(self, github: FakeGitHub, post: Run) -> None:
        github.change("src/app.py", added_patch(range(1, 100)))
        many = [SastIssue("src/app.py", n, n, f"Issue {n}") for n in range(1, MAX_INLINE_COMMENTS + 4)]
        post(FAILED, sast=True, issues=many)
        assert (len(github.reviews), len(github.review_comments)) == (1, MAX_INLINE_COMMENTS)
        assert "not shown inline (3)" in github.issue_comments[0]["body"]
        writes = len(github.writes())
        post(FAILED, sast=True, issues=many)
        assert (len(github.writes()), len(github.reviews)) == (writes, 1)

    def test_several_findings_on_one_line_get_one_comment(self, github: FakeGitHub, post: Run) -> None:
        many = [SastIssue("src/app.py", 40, 40, f"Issue {n}") for n in range(MAX_INLINE_COMMENTS + 3)]
        post(FAILED, sast=True, issues=many)
        assert len(github.review_comments) == 1

    def test_leftovers_without_a_status_comment_are_a_notice(self, github: FakeGitHub, post: Run) -> None:
        outside = SastIssue("src/other.py", 3, 3, "Path traversal")
        log = post(FAILED, CommentMode.OFF, sast=True, issues=[outside])
        assert log == (
            "::notice title=Aikido PR comment::1 SAST finding(s) could not be shown inline; set "
            "post-scan-status-comment to on to list them on the pull request\n"
        )
        assert github.issue_comments == []

    def test_a_forbidden_review_warns_and_the_status_lists_them(self, github: FakeGitHub, post: Run) -> None:
        github.refuse("POST", "/pulls/42/reviews$", 403, "Resource not accessible by integration")
        log = post(FAILED, sast=True)
        assert "could not post the inline SAST review comments: GitHub answered HTTP 403" in log
        assert "not shown inline (2)" in github.issue_comments[0]["body"]
        assert not [r for r in github.requests if r.path.endswith("/pulls/42/comments") and r.method == "POST"]


class TestRefusedReview:
    """GitHub refuses a review whole for one comment off its diff: then one comment at a time, none lost or twice."""

    def test_a_push_since_the_files_were_read_makes_it_one_comment_at_a_time(
        self, github: FakeGitHub, post: Run
    ) -> None:
        # The run comments on its own head, whose diff lacked line 40: a push since added it to the files listed.
        github.files_at[HEAD] = [{"filename": "src/app.py", "patch": APP_PATCH.split("\n@@ -36")[0]}]
        log = post(FAILED, sast=True)
        assert log == (
            "PR status comment: created\n"
            "GitHub refused the review (GitHub answered HTTP 422: Unprocessable Entity (Pull request review thread "
            "line must be part of the diff and Pull request review thread diff hunk can't be blank)): posting its "
            "comments one at a time\n"
            "posted 1 inline SAST review comment(s) one at a time\n"
            "PR status comment: updated\n"
        )
        assert github.reviews[0]["body"] == ""  # the single comment's own review: nothing of the refused one
        assert [(c["start_line"], c["line"]) for c in github.review_comments] == [(10, 12)]
        assert (
            "**SAST findings not shown inline (1):**\n\n- **Hard-coded password** in `src/app.py` line 40"
            in (github.issue_comments[0]["body"])
        )
        assert [(w.method, w.path.rsplit("/", 1)[1]) for w in github.writes()] == [
            ("POST", "comments"),
            ("POST", "reviews"),
            ("POST", "comments"),
            ("POST", "comments"),
            ("PATCH", str(github.issue_comments[0]["id"])),
        ]

    def test_one_at_a_time_is_capped(self, github: FakeGitHub, post: Run) -> None:
        github.change("src/app.py", added_patch(range(1, 100)))
        github.files_at[HEAD] = []  # the head's diff showed none of them
        many = [SastIssue("src/app.py", n, n, f"finding {n}") for n in range(1, 26)]
        post(FAILED, sast=True, issues=many)
        tried = [r for r in github.requests if r.method == "POST" and r.path.endswith("/pulls/42/comments")]
        assert len(tried) == MAX_SINGLE_COMMENTS
        assert (github.review_comments, "not shown inline (25)" in github.issue_comments[0]["body"]) == ([], True)


class TickingClock(FakeClock):
    """A clock that moves a second each time it is read: every request takes time, as GitHub's do."""

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


class TestNeverAStalePass:
    """The status comment is written before the review, whatever the findings."""

    def test_forty_findings_off_the_diff_still_update_the_status(self, github: FakeGitHub, clock: FakeClock) -> None:
        Run(github, clock)(PASSED)
        assert "passed" in github.issue_comments[0]["body"]
        outside = [SastIssue(f"src/{n}.py", 3, 3, f"finding {n}") for n in range(40)]
        Run(github, TickingClock())(FAILED, sast=True, issues=outside, seconds=30)
        [comment] = github.issue_comments
        assert "failed" in comment["body"]
        assert "passed" not in comment["body"]

    def test_findings_off_the_diff_are_never_sent(self, github: FakeGitHub, post: Run) -> None:
        outside = [SastIssue(f"src/{n}.py", 3, 3, f"finding {n}") for n in range(40)]
        post(FAILED, sast=True, issues=outside)
        assert [r for r in github.requests if r.method == "POST" and "/pulls/42/" in r.path] == []
        assert "not shown inline (40)" in github.issue_comments[0]["body"]


class TestCommentSize:
    """GitHub refuses a body over 65,536 characters: ours are cut short, the marker kept."""

    def test_a_huge_status_comment_is_cut_and_still_posted(self, github: FakeGitHub, post: Run) -> None:
        outside = [SastIssue(f"src/{n}.py", 3, 3, "🐍" * 3000) for n in range(50)]
        log = post(FAILED, sast=True, issues=outside)
        [comment] = github.issue_comments
        body = comment["body"]
        assert len(body.encode("utf-16-le")) // 2 <= 65_536
        assert body.startswith(MARKER + "\n")
        assert body.endswith(
            "\n\n… cut short at GitHub's size limit for a comment; the scan in Aikido has everything.\n"
        )
        assert log == "PR status comment: created\n"  # written once, with the findings it lists
        # Cut at a line end: no finding is left half-written.
        assert body.split("\n\n… cut short")[0].splitlines()[-1].endswith("line 3")

    def test_a_huge_review_comment_is_cut_and_still_posted(self, github: FakeGitHub, post: Run) -> None:
        long_issue = SastIssue("src/app.py", 40, 40, "x" * 70_000)
        post(FAILED, sast=True, issues=[long_issue])
        [comment] = github.review_comments
        assert comment["body"].startswith(SAST_MARKER + "\n")
        assert comment["body"].endswith("the scan in Aikido has everything.\n")
