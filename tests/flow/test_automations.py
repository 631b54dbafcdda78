"""gate.flow.automations over the real adapters: issues via PyGithub to a fake GitHub, a chat webhook on loopback."""

from __future__ import annotations

import concurrent.futures
import copy
import io
import random
import re
import threading
from collections.abc import Iterator

import pytest

from emulator.chat import ChatWebhook
from emulator.github import REPO, FakeGitHub
from gate.chat.webhook import Webhook
from gate.core.automations import Where, issue_marker
from gate.core.clock import Deadline
from gate.core.models import parse_scan_status
from gate.core.policy import Action, Automation
from gate.core.sanitize import add_secrets
from gate.core.verdict import Verdict, decide, error
from gate.flow.automations import AutomationRun, Writers, run_automations
from gate.github.issues import PyGithubIssues
from gate.net.http import Retrier
from gate.net.tls import Tls
from gate.runner.workflow import Workflow
from tests.conftest import FakeClock
from tests.support.answers import FEATURE_DONE

MAIN = Where(REPO, "branch", "main", "c0ffee" * 6 + "1234", "https://github.com/o/r/actions/runs/7", "CI", "aikido", "")
TRACK = Automation(
    "Track open issues on main",
    True,
    None,
    (
        ("vulnerability_found", (Action("create_issue", {"labels": ["security"], "assignees": ["octocat"]}),)),
        ("scan_failed", (Action("send_to_communicator"),)),
    ),
)
FAILED = decide(parse_scan_status(FEATURE_DONE), scan_id=1, report_only=False)
PASSED = decide(
    parse_scan_status(FEATURE_DONE | {"gate_passed": True, "new_issues_found": 0}), scan_id=1, report_only=False
)
MALLORY = {"login": "mallory", "id": 666, "type": "User"}
# A refusal after the verdict is a warning annotation, seen and fixed rather than lost in the log.
WARNING = "::warning title=Aikido automation::"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


class NoChat:
    """A webhook given, that this run must not post to."""

    def post(self, text: str) -> None:
        raise AssertionError("this run should not post")


def automate(github: FakeGitHub, verdict: Verdict, chat: ChatWebhook | None = None, rule: Automation = TRACK) -> str:
    """One run's rules against the fake; returns the step's log."""
    clock = FakeClock()
    budget = Deadline(clock() + 30, clock)
    log = io.StringIO()

    issues = PyGithubIssues(
        github.api_url, "ghs_t", REPO, deadline=budget, sleep=clock.sleep, seconds_between_writes=0, environ={}
    )
    webhook = Webhook(chat.url, Retrier(budget, sleep=clock.sleep, rng=random.Random(1)), Tls({})) if chat else NoChat()
    run_automations(verdict, AutomationRun((rule,), None, MAIN), Writers(issues, webhook), Workflow(log))
    return log.getvalue()


class TestTrackingIssue:
    """create_issue: opens, updates, closes and reopens one issue per rule and key"""

    def test_the_life_of_a_tracking_issue(self, github: FakeGitHub) -> None:
        assert automate(github, FAILED) == "Track open issues on main: issue #100 created\n"
        [issue] = github.issues
        assert issue["title"] == "Aikido: 1 new issue on main"
        assert issue["body"].startswith(issue_marker(TRACK, MAIN))
        assert ([label["name"] for label in issue["labels"]], [a["login"] for a in issue["assignees"]]) == (
            ["security"],
            ["octocat"],
        )
        assert automate(github, FAILED) == "Track open issues on main: issue #100 updated\n"
        assert automate(github, PASSED) == "Track open issues on main: issue #100 closed\n"
        assert (issue["state"], issue["comments_list"][-1]["body"].startswith("Resolved in commit `c0ffeec0ffee`")) == (
            "closed",
            True,
        )
        assert automate(github, PASSED) == ""  # already closed: nothing to do
        assert automate(github, FAILED) == "Track open issues on main: issue #100 reopened\n"
        assert (len(github.issues), issue["state"]) == (1, "open")

    def test_no_result_neither_opens_nor_closes(self, github: FakeGitHub) -> None:
        automate(github, FAILED)
        chat = ChatWebhook()
        with chat:
            log = automate(github, error("Aikido unreachable"), chat=chat)
        assert log == "Track open issues on main: chat message sent\n"
        assert github.issues[0]["state"] == "open"

    def test_a_planted_marker_in_someone_else_s_issue_is_ignored(self, github: FakeGitHub) -> None:
        github.add_issue("Aikido: 1 new issue on main", issue_marker(TRACK, MAIN) + "\nplanted", MALLORY)
        assert automate(github, FAILED) == "Track open issues on main: issue #101 created\n"
        automate(github, PASSED)
        assert [issue["state"] for issue in github.issues] == ["open", "closed"]

    def test_many_issues_are_read_across_pages(self, github: FakeGitHub) -> None:
        for number in range(230):
            github.add_issue(f"other {number}", "unrelated")
        github.add_issue("Aikido: 1 new issue on main", issue_marker(TRACK, MAIN))
        assert automate(github, FAILED) == "Track open issues on main: issue #330 updated\n"
        assert len(github.issues) == 231
        pages = [r.query.get("page", ["1"])[0] for r in github.requests if r.path.endswith("/issues")]
        assert pages == ["1", "2", "3"]
        # Nothing fetched again issue by issue: the listing carries what is read.
        assert not [r for r in github.requests if r.method == "GET" and "/issues/" in r.path]

    def test_two_concurrent_runs_converge_on_the_oldest(self, github: FakeGitHub) -> None:
        github.issues_barrier = threading.Barrier(2)  # both list before either creates
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            logs = list(pool.map(lambda _: automate(github, FAILED), range(2)))
        assert [(issue["number"], issue["state"]) for issue in github.issues] == [(100, "open"), (101, "closed")]
        assert github.issues[1]["comments_list"][-1]["body"] == "Duplicate of #100, opened by a run that raced it."
        assert sorted(logs) == [
            "Track open issues on main: issue #100 created\n",
            "Track open issues on main: issue #100 updated (another run had just opened it)\n",
        ]
        automate(github, FAILED)
        assert [issue["state"] for issue in github.issues] == ["open", "closed"]

    def test_a_403_is_a_warning_naming_the_permission(self, github: FakeGitHub) -> None:
        github.refuse("POST", "/issues$", 403, "Resource not accessible by integration")
        log = automate(github, FAILED)
        # A warning annotation, not a plain log line: the permission to fix is seen.
        assert log.startswith(
            "::warning title=Aikido automation::Track open issues on main: tracking issue not written (GitHub "
            "answered HTTP 403: "
        )
        assert log.endswith("; give the job permissions: issues: write)\n")


class TestChat:
    """send_to_communicator: the body's shape, retries, the URL in no output"""

    def test_the_line_retried_past_a_503_and_the_url_never_shown(self, github: FakeGitHub) -> None:
        chat = ChatWebhook(503, 429)
        add_secrets([chat.url])
        with chat:
            log = automate(github, error("Aikido unreachable"), chat=chat)
        assert log == "Track open issues on main: chat message sent\n"
        assert chat.bodies == [{"text": "Aikido gate ERROR on octo-org/octo-repo main"}] * 3
        assert "/services/T000" not in log

    def test_a_refusing_webhook_is_one_line_without_the_url(self, github: FakeGitHub) -> None:
        chat = ChatWebhook(404)
        with chat:
            log = automate(github, error("x"), chat=chat)
        assert log == (
            "::warning title=Aikido automation::Track open issues on main: chat message not sent (the chat webhook "
            f"at {chat.url.split('/')[2]} answered HTTP 404: the webhook was deleted or the URL is wrong; set "
            "communicator-webhook-url to the webhook's current URL)\n"
        )
        assert len(chat.bodies) == 1  # a 404 is not retried


class TestOnlyOurIssuesAreTracked:
    """PyGithubIssues.tracked: issues, not pull requests, by the token's identity, whose body begins with the marker"""

    def test_a_pull_request_by_the_same_bot_quoting_the_marker_is_never_taken(self, github: FakeGitHub) -> None:
        marker = issue_marker(TRACK, MAIN)
        # Every workflow's GITHUB_TOKEN writes as github-actions[bot], and the marker is computable from public data.
        starts = github.add_pull_request("chore: release 1.2.0", marker + "\n:robot: I have created a release")
        quotes = github.add_pull_request("chore: release 1.2.1", f"* fix: {marker} ([#9](https://x))")
        closed = github.add_pull_request("chore: release 1.1.0", marker + "\nold")
        closed["state"] = "closed"
        before = copy.deepcopy([starts, quotes, closed])
        assert automate(github, FAILED) == "Track open issues on main: issue #103 created\n"
        assert automate(github, FAILED) == "Track open issues on main: issue #103 updated\n"
        assert automate(github, PASSED) == "Track open issues on main: issue #103 closed\n"
        assert [starts, quotes, closed] == before
        assert [r.path for r in github.requests if re.search(r"/issues/10[012]\b", r.path)] == []

    def test_only_a_body_that_begins_with_the_marker_is_ours(self, github: FakeGitHub) -> None:
        marker = issue_marker(TRACK, MAIN)
        quoting = github.add_issue("Why did the gate open an issue?", f"It wrote `{marker}`\nat the top.")
        indented = github.add_issue("Aikido: 1 new issue on main", " " + marker + "\nindented")
        longer = github.add_issue("Aikido: 1 new issue on main", marker + " and more\n")
        # GitHub may give a body back with CRLF line endings.
        ours = github.add_issue("Aikido: 1 new issue on main", marker + "\r\n### body\r\n")
        before = copy.deepcopy([quoting, indented, longer])
        assert automate(github, FAILED) == "Track open issues on main: issue #103 updated\n"
        assert automate(github, PASSED) == "Track open issues on main: issue #103 closed\n"
        assert ([quoting, indented, longer], ours["state"]) == (before, "closed")


class TestChatFailures:
    """Webhook.post: a failed chat line names what to fix and the webhook's host and port, never its path"""

    # The webhook's path and query hold its token (emulator.chat's is /services/T000/B000/demo).
    SECRET_PARTS = ("/services", "T000", "B000", "demo")

    @pytest.mark.parametrize(
        ("status", "said"),
        [
            (
                404,
                "answered HTTP 404: the webhook was deleted or the URL is wrong; set communicator-webhook-url to "
                "the webhook's current URL",
            ),
            (
                410,
                "answered HTTP 410: the webhook was deleted or the URL is wrong; set communicator-webhook-url to "
                "the webhook's current URL",
            ),
            (
                403,
                "refused the message (HTTP 403): the webhook was revoked or disabled; create a new one and set "
                "communicator-webhook-url to its URL",
            ),
            (
                401,
                "refused the message (HTTP 401): the webhook was revoked or disabled; create a new one and set "
                "communicator-webhook-url to its URL",
            ),
            (
                302,
                "answered with a redirect (HTTP 302), not followed: set communicator-webhook-url to the webhook's "
                "current URL",
            ),
            (
                400,
                "refused the message (HTTP 400): check that communicator-webhook-url is the URL of an incoming "
                'webhook that takes {"text": ...}',
            ),
        ],
    )
    def test_a_refusal_says_what_to_fix(self, github: FakeGitHub, status: int, said: str) -> None:
        chat = ChatWebhook(status)
        with chat:
            log = automate(github, error("x"), chat=chat)
        where = chat.url.split("/")[2]
        assert (
            log == f"{WARNING}Track open issues on main: chat message not sent (the chat webhook at {where} {said})\n"
        )
        assert [part for part in self.SECRET_PARTS if part in log] == []

    @pytest.mark.parametrize(("status", "doing"), [(503, "is failing"), (429, "is rate-limiting us")])
    def test_a_failing_service_after_the_retries(self, github: FakeGitHub, status: int, doing: str) -> None:
        chat = ChatWebhook(*[status] * 100)
        with chat:
            log = automate(github, error("x"), chat=chat)
        where = chat.url.split("/")[2]
        assert log == (
            f"{WARNING}Track open issues on main: chat message not sent (the chat service at {where} {doing} "
            f"(HTTP {status} until the time budget ran out): communicator-webhook-url needs no change; see the "
            "service's status page)\n"
        )
        assert len(chat.bodies) > 1
        assert [part for part in self.SECRET_PARTS if part in log] == []

    def test_no_answer_names_host_and_port_only(self, github: FakeGitHub) -> None:
        chat = ChatWebhook()
        with chat:
            pass  # stopped: its port now refuses connections
        log = automate(github, error("x"), chat=chat)
        where = chat.url.split("/")[2]
        assert log.startswith(
            f"{WARNING}Track open issues on main: chat message not sent (could not connect to the chat webhook at "
            f"{where} (ConnectError: "
        )
        assert log.endswith("): check communicator-webhook-url and the network to it)\n")
        assert where.startswith("127.0.0.1:")
        assert [part for part in self.SECRET_PARTS if part in log] == []
