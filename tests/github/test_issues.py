"""gate.github.issues: the `IssueTracker` port through PyGithub's real HTTP, against a fake GitHub API on loopback."""

from __future__ import annotations

import concurrent.futures
import copy
import io
import threading
from collections.abc import Iterator

import pytest

from emulator.github import REPO, FakeGitHub
from gate.core.automations import Where, issue_marker
from gate.core.clock import Deadline
from gate.core.errors import GitHubRefused
from gate.core.models import parse_scan_status
from gate.core.policy import Action, Automation
from gate.core.verdict import decide
from gate.flow.automations import AutomationRun, Writers, run_automations
from gate.flow.ports import TrackedIssue
from gate.github.issues import PyGithubIssues
from gate.runner.workflow import Workflow
from tests.conftest import FakeClock
from tests.support.answers import FEATURE_DONE

MAIN = Where(REPO, "branch", "main", "c0ffee" * 6 + "1234", "https://github.com/o/r/actions/runs/7", "CI", "aikido", "")
TRACK = Automation("Track open issues on main", True, None, (("vulnerability_found", (Action("create_issue"),)),))
MARKER = issue_marker(TRACK, MAIN)
ME = "github-actions[bot]"  # the token's login (emulator.github.BOT)
MALLORY = {"login": "mallory", "id": 666, "type": "User"}
TITLE = "Aikido: 1 new issue on main"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


def tracker(github: FakeGitHub, clock: FakeClock | None = None) -> PyGithubIssues:
    """The adapter as the wiring makes it, with a budget of 30 s on a fake clock."""
    clock = clock or FakeClock()
    budget = Deadline(clock() + 30, clock)
    return PyGithubIssues(
        github.api_url, "ghs_t", REPO, deadline=budget, sleep=clock.sleep, seconds_between_writes=0, environ={}
    )


class TestWrites:
    """create, update, close: one tracking issue's life, as GitHub keeps it"""

    def test_the_life_of_a_tracking_issue(self, github: FakeGitHub) -> None:
        issues = tracker(github)
        body = MARKER + "\n### body\n"
        link = f"https://github.com/{REPO}/issues/100"
        assert issues.create(TITLE, body, ("security",), ("octocat",)) == TrackedIssue(
            100, True, ME, TITLE, body, "#100", link
        )
        [issue] = github.issues
        assert ([label["name"] for label in issue["labels"]], [a["login"] for a in issue["assignees"]]) == (
            ["security"],
            ["octocat"],
        )
        assert issues.tracked(MARKER, ME) == [TrackedIssue(100, True, ME, TITLE, body, "#100", link)]
        assert issues.update(100, "Aikido: 2 new issues on main", body, reopen=False)
        assert (issue["title"], issue["state"]) == ("Aikido: 2 new issues on main", "open")
        issues.close(100, "Resolved in commit `c0ffeec0ffee`.")
        assert (issue["state"], issue["state_reason"], issue["comments_list"][-1]["body"]) == (
            "closed",
            "completed",
            "Resolved in commit `c0ffeec0ffee`.",
        )
        [closed] = issues.tracked(MARKER, ME)
        assert closed.open is False
        issues.update(100, TITLE, body, reopen=True)
        assert (len(github.issues), issue["state"]) == (1, "open")

    def test_a_403_is_refused_with_github_s_words(self, github: FakeGitHub) -> None:
        github.refuse("POST", "/issues$", 403, "Resource not accessible by integration")
        with pytest.raises(GitHubRefused) as refused:
            tracker(github).create(TITLE, MARKER, (), ())
        assert (refused.value.status, str(refused.value)) == (
            403,
            "GitHub answered HTTP 403: Resource not accessible by integration",
        )

    def test_identity_is_the_token_s_login(self, github: FakeGitHub) -> None:
        assert tracker(github).identity() == ME


class TestNothingChanged:
    """A run whose tracking issue would read the same writes nothing to GitHub"""

    def test_a_repeated_push_leaves_the_issue_as_it_is(self, github: FakeGitHub) -> None:
        failed = decide(parse_scan_status(FEATURE_DONE), scan_id=1, report_only=False)

        def push() -> str:
            log = io.StringIO()
            run_automations(failed, AutomationRun((TRACK,), None, MAIN), Writers(tracker(github)), Workflow(log))
            return log.getvalue()

        assert push() == "Track open issues on main: issue #100 created\n"
        writes = [(w.method, w.path) for w in github.writes()]
        assert writes == [("POST", f"/repos/{REPO}/issues")]
        push()
        assert [(w.method, w.path) for w in github.writes()] == writes
        # A different title is written, once.
        github.issues[0]["title"] = "edited by hand"
        push()
        assert [(w.method, w.path) for w in github.writes()] == [*writes, ("PATCH", f"/repos/{REPO}/issues/100")]
        assert github.issues[0]["title"] == TITLE


class TestOnlyOurIssuesAreTracked:
    """tracked: issues, not pull requests, by the token's identity, whose body begins with the marker"""

    def test_a_planted_marker_in_someone_else_s_issue_is_ignored(self, github: FakeGitHub) -> None:
        github.add_issue(TITLE, MARKER + "\nplanted", MALLORY)
        assert tracker(github).tracked(MARKER, ME) == []
        assert github.requests[-1].query["creator"] == [ME]  # GitHub narrows the listing to the author too

    def test_many_issues_are_read_across_pages(self, github: FakeGitHub) -> None:
        for number in range(230):
            github.add_issue(f"other {number}", "unrelated")
        github.add_issue(TITLE, MARKER)
        assert [issue.number for issue in tracker(github).tracked(MARKER, ME)] == [330]
        pages = [r.query.get("page", ["1"])[0] for r in github.requests if r.path.endswith("/issues")]
        assert pages == ["1", "2", "3"]
        # Nothing fetched again issue by issue: the listing carries what is read.
        assert not [r for r in github.requests if r.method == "GET" and "/issues/" in r.path]

    def test_a_pull_request_by_the_same_bot_quoting_the_marker_is_never_taken(self, github: FakeGitHub) -> None:
        # Every workflow's GITHUB_TOKEN writes as github-actions[bot], and the marker is computable from public data.
        starts = github.add_pull_request("chore: release 1.2.0", MARKER + "\n:robot: I have created a release")
        quotes = github.add_pull_request("chore: release 1.2.1", f"* fix: {MARKER} ([#9](https://x))")
        closed = github.add_pull_request("chore: release 1.1.0", MARKER + "\nold")
        closed["state"] = "closed"
        before = copy.deepcopy([starts, quotes, closed])
        assert tracker(github).tracked(MARKER, ME) == []
        assert [starts, quotes, closed] == before

    def test_only_a_body_that_begins_with_the_marker_is_ours(self, github: FakeGitHub) -> None:
        github.add_issue("Why did the gate open an issue?", f"It wrote `{MARKER}`\nat the top.")
        github.add_issue(TITLE, " " + MARKER + "\nindented")
        github.add_issue(TITLE, MARKER + " and more\n")
        # GitHub may give a body back with CRLF line endings.
        github.add_issue(TITLE, MARKER + "\r\n### body\r\n")
        assert tracker(github).tracked(MARKER, ME) == [
            TrackedIssue(103, True, ME, TITLE, MARKER + "\n### body\n", "#103", f"https://github.com/{REPO}/issues/103")
        ]


class TestRacingRuns:
    """Two runs of one key list before either creates: the flow converges, as the listing (never search) sees both."""

    def test_two_concurrent_runs_converge_on_the_oldest(self, github: FakeGitHub) -> None:
        github.issues_barrier = threading.Barrier(2)  # both list before either creates
        failed = decide(parse_scan_status(FEATURE_DONE), scan_id=1, report_only=False)

        def run(_: int) -> str:
            log = io.StringIO()
            run_automations(failed, AutomationRun((TRACK,), None, MAIN), Writers(tracker(github)), Workflow(log))
            return log.getvalue()

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            logs = list(pool.map(run, range(2)))
        assert [(issue["number"], issue["state"]) for issue in github.issues] == [(100, "open"), (101, "closed")]
        assert github.issues[1]["comments_list"][-1]["body"] == "Duplicate of #100, opened by a run that raced it."
        assert sorted(logs) == [
            "Track open issues on main: issue #100 created\n",
            "Track open issues on main: issue #100 updated (another run had just opened it)\n",
        ]
