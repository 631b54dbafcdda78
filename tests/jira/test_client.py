"""gate.jira.client: the `IssueTracker` port over a fake Jira's real HTTP on loopback (emulator.jira)."""

from __future__ import annotations

import base64
import random
import socket
from collections.abc import Iterator

import pytest

from emulator.jira import BOT_CLOUD, BOT_EMAIL, BOT_SERVER, TOKEN, FakeJira, cloud_rendering
from gate.core.clock import Deadline
from gate.core.errors import JiraRefused
from gate.core.jira import written_digest
from gate.flow.ports import TrackedIssue
from gate.jira.client import JiraIssues, Site, authorization, is_cloud
from gate.net.http import WRITER_ATTEMPTS, Retrier
from gate.net.tls import Tls
from tests.conftest import FakeClock

LABEL = "aikido-gate-0123456789abcdef"
TITLE = "Aikido: 1 new issue on main"
BODY = "h3. (x) Aikido security gate failed\n\n||Category||Count||\n|Open issues|1|\n"
RECORD = "/rest/api/2/issue/10001/properties/aikido-gate"
MADE: list[JiraIssues] = []


def tracker(jira: FakeJira, clock: FakeClock | None = None, **site: str) -> JiraIssues:
    """The adapter as the wiring makes it (Cloud's basic auth when the fake is Cloud), a 30 s budget on a fake clock."""
    clock = clock or FakeClock()
    user = BOT_EMAIL if jira.cloud else None
    given = {"url": jira.url, "project": "SEC", "issue_type": "Bug", "done_transition": "Done"} | site
    retrier = Retrier(Deadline(clock() + 30, clock), sleep=clock.sleep, rng=random.Random(1), attempts=WRITER_ATTEMPTS)
    return made(
        Site(**given, instance="jira-prod", variable="JIRA_API_TOKEN", user=user), authorization(user, TOKEN), retrier
    )


def made(site: Site, credentials: str, retrier: Retrier) -> JiraIssues:
    MADE.append(JiraIssues(site, credentials, retrier, Tls({})))
    return MADE[-1]


@pytest.fixture(autouse=True)
def _closed() -> Iterator[None]:
    """Every adapter a test made, its HTTP client closed after the test (the wiring's exit stack does it in a run)."""
    yield
    while MADE:
        MADE.pop().close_client()


def refusal(call: object) -> JiraRefused:
    """What a call raises: a JiraRefused of one line, never quoting the token in any form."""
    with pytest.raises(JiraRefused) as refused:
        call()  # type: ignore[operator]  # a bound method of the adapter
    text = str(refused.value)
    assert "\n" not in text
    assert TOKEN not in text
    assert base64.b64encode(f"{BOT_EMAIL}:{TOKEN}".encode()).decode() not in text
    return refused.value


class TestLifecycle:
    """identity, tracked, create, update, close: one issue's life, as Jira keeps it"""

    @pytest.mark.parametrize("cloud", [True, False], ids=["cloud", "data-center"])
    def test_the_life_of_a_tracking_issue(self, cloud: bool) -> None:
        with FakeJira(cloud=cloud) as jira:
            issues = tracker(jira)
            me = issues.identity()
            assert me == (BOT_CLOUD["accountId"] if cloud else BOT_SERVER["key"])
            created = issues.create(TITLE, BODY, (LABEL, "security"), ("octocat",))
            link = f"{jira.url}/browse/SEC-1"
            digest = written_digest(TITLE, BODY)
            assert created == TrackedIssue(10001, True, me, TITLE, BODY, "SEC-1", link, digest)
            [issue] = jira.issues
            assert (issue["fields"]["labels"], issue["fields"]["issuetype"], "assignee" in issue["fields"]) == (
                [LABEL, "security"],
                {"name": "Bug"},
                False,
            )
            # Cloud reads the description back re-rendered, with the record; Data Center as sent, without it.
            read, record = (cloud_rendering(BODY), digest) if cloud else (BODY, "")
            assert issues.tracked(LABEL, me) == [TrackedIssue(10001, True, me, TITLE, read, "SEC-1", link, record)]
            assert issues.update(10001, "Aikido: 2 new issues on main", BODY, reopen=False)
            assert issue["fields"]["summary"] == "Aikido: 2 new issues on main"
            issues.close(10001, "Resolved in commit {{c0ffeec0ffee}}.")
            assert (jira.status("SEC-1"), jira.comments("SEC-1")) == ("Done", ["Resolved in commit {{c0ffeec0ffee}}."])
            [closed] = issues.tracked(LABEL, me)
            assert closed.open is False
            assert issues.update(10001, TITLE, BODY, reopen=True)
            assert jira.status("SEC-1") == "To Do"

    def test_the_credentials_and_the_searches_as_jira_takes_them(self) -> None:
        with FakeJira(cloud=True) as jira:
            issues = tracker(jira)
            issues.tracked(LABEL, issues.identity())
            created = issues.create(TITLE, BODY, (LABEL,), ())
            issues.tracked(LABEL, created.author)
        basic = "Basic " + base64.b64encode(f"{BOT_EMAIL}:{TOKEN}".encode()).decode()
        assert {request.headers["Authorization"] for request in jira.requests} == {basic}
        searches = [request for request in jira.requests if "/search" in request.path]
        # Not on *.atlassian.net: Data Center's search first, then Cloud's for good.
        assert [request.path for request in searches] == [
            "/rest/api/2/search",
            "/rest/api/2/search/jql",
            "/rest/api/2/search/jql",
        ]
        assert searches[1].query["jql"] == [f'project = "SEC" AND labels = "{LABEL}" AND reporter = currentUser()']
        assert {request.query["properties"][0] for request in searches} == {"aikido-gate"}
        assert searches[2].query["reconcileIssues"] == ["10001"]  # a fresh issue is found though search lags

    def test_data_center_takes_a_bearer_token(self) -> None:
        with FakeJira(cloud=False) as jira:
            tracker(jira).identity()
        assert jira.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"

    def test_cloud_is_known_by_its_domain(self) -> None:
        assert [is_cloud(url) for url in ("https://acme.atlassian.net", "https://jira.acme.com")] == [True, False]


class TestWhatWasWritten:
    """unchanged: the record of the texts last written (the issue property aikido-gate), not the texts as read"""

    @pytest.mark.parametrize("cloud", [True, False], ids=["cloud", "data-center"])
    def test_each_create_and_edit_is_recorded_after_it(self, cloud: bool) -> None:
        with FakeJira(cloud=cloud) as jira:
            issues = tracker(jira)
            issues.create(TITLE, BODY, (LABEL,), ())
            issues.update(10001, "Aikido: 2 new issues on main", BODY, reopen=False)
            writes = [(request.method, request.path, request.body) for request in jira.writes()]
            assert writes == [
                ("POST", "/rest/api/2/issue", writes[0][2]),
                ("PUT", RECORD, {"digest": written_digest(TITLE, BODY), "version": 1}),
                ("PUT", "/rest/api/2/issue/10001", writes[2][2]),
                ("PUT", RECORD, {"digest": written_digest("Aikido: 2 new issues on main", BODY), "version": 1}),
            ]
            assert jira.issues[0]["properties"] == {"aikido-gate": writes[3][2]}

    def test_on_cloud_the_record_read_back_says_unchanged_though_the_text_is_not(self) -> None:
        with FakeJira(cloud=True) as jira:
            issues = tracker(jira)
            issues.create(TITLE, BODY, (LABEL,), ())
            [found] = issues.tracked(LABEL, issues.identity())
            assert found.body != BODY
            assert issues.unchanged(found, TITLE, BODY)
            assert not issues.unchanged(found, "Aikido: 2 new issues on main", BODY)
            assert not issues.unchanged(found, TITLE, BODY.replace("|1|", "|2|"))

    def test_a_summary_past_jira_s_limit_is_compared_as_sent(self) -> None:
        with FakeJira(cloud=True) as jira:
            issues = tracker(jira)
            long = "Aikido: " + "x" * 300
            issues.create(long, BODY, (LABEL,), ())
            [found] = issues.tracked(LABEL, issues.identity())
            assert (len(found.title), issues.unchanged(found, long, BODY)) == (255, True)

    @pytest.mark.parametrize(("cloud", "unchanged"), [(True, False), (False, True)], ids=["cloud", "data-center"])
    def test_without_a_record_cloud_edits_once_and_data_center_compares_the_texts(
        self, cloud: bool, unchanged: bool
    ) -> None:
        with FakeJira(cloud=cloud) as jira:
            jira.add_issue(TITLE, BODY, labels=(LABEL,), by=jira.bot)  # as the gate made it before it kept records
            issues = tracker(jira)
            [found] = issues.tracked(LABEL, issues.identity())
            assert (found.digest, issues.unchanged(found, TITLE, BODY)) == ("", unchanged)
            assert not issues.unchanged(found, "Aikido: 2 new issues on main", BODY)

    @pytest.mark.parametrize(
        "record",
        [{"digest": "not a digest", "version": 1}, {"digest": "0" * 64, "version": 2}, {"digest": "0" * 64}, "0" * 64],
    )
    def test_a_record_of_another_shape_is_none(self, record: object) -> None:
        with FakeJira(cloud=True) as jira:
            issues = tracker(jira)
            issues.create(TITLE, BODY, (LABEL,), ())
            jira.issues[0]["properties"]["aikido-gate"] = record
            [found] = issues.tracked(LABEL, issues.identity())
            assert (found.digest, issues.unchanged(found, TITLE, BODY)) == ("", False)

    @pytest.mark.parametrize("status", [403, 500])
    def test_a_record_jira_refuses_loses_neither_the_issue_nor_the_edit(self, status: int) -> None:
        with FakeJira(cloud=True) as jira:
            issues = tracker(jira)
            jira.answer_with(status, path="/properties/")
            created = issues.create(TITLE, BODY, (LABEL,), ())
            assert (created.shown, created.digest, jira.issues[0]["properties"]) == ("SEC-1", "", {})
            assert issues.update(10001, "Aikido: 2 new issues on main", BODY, reopen=False)
            assert jira.issues[0]["fields"]["summary"] == "Aikido: 2 new issues on main"
            [found] = issues.tracked(LABEL, issues.identity())
            assert not issues.unchanged(found, "Aikido: 2 new issues on main", BODY)  # the next run edits once more
        # The same body again does no harm: a 500 is retried once, as a read is.
        recorded = [request for request in jira.requests if request.path == RECORD]
        assert len(recorded) == (4 if status == 500 else 2)


class TestOnlyOurIssues:
    """A person's issue is never ours, whatever its summary or labels"""

    def test_a_person_s_issue_with_our_label_and_summary_is_not_ours(self) -> None:
        with FakeJira() as jira:
            jira.add_issue(TITLE, BODY, labels=(LABEL,))
            issues = tracker(jira)
            assert issues.tracked(LABEL, issues.identity()) == []

    def test_a_search_that_returns_a_person_s_issue_does_not_make_it_ours(self) -> None:
        with FakeJira() as jira:
            person = jira.add_issue(TITLE, BODY, labels=(LABEL,))
            issues = tracker(jira)
            me = issues.identity()
            jira.answer_with(200, {"issues": [person | {"comments": None}]}, path="/search")
            assert issues.tracked(LABEL, me) == []

    def test_our_issue_without_the_label_is_not_this_rule_s(self) -> None:
        with FakeJira() as jira:
            issues = tracker(jira)
            issues.create(TITLE, BODY, ("aikido-gate-ffffffffffffffff",), ())
            jira.answer_with(200, {"issues": [dict(jira.issues[0])]}, path="/search")
            assert issues.tracked(LABEL, issues.identity()) == []


class TestTransitions:
    """Closing through doneTransition, reopening to a status not done"""

    def test_a_workflow_with_no_way_back_cannot_reopen(self) -> None:
        with FakeJira(workflow={"31": "Done"}) as jira:
            issues = tracker(jira)
            issues.create(TITLE, BODY, (LABEL,), ())
            issues.close(10001, "done")
            assert issues.update(10001, "changed", BODY, reopen=True) is False
            assert (jira.issues[0]["fields"]["summary"], jira.status("SEC-1")) == (TITLE, "Done")

    def test_an_unknown_transition_names_those_offered_and_comments_nothing(self) -> None:
        with FakeJira(workflow={"11": "To Do", "41": "Closed *[~admin]*\x1b[31m"}) as jira:
            issues = tracker(jira, done_transition="Resolve")
            issues.create(TITLE, BODY, (LABEL,), ())
            refused = refusal(lambda: issues.close(10001, "resolved"))
            assert str(refused) == (
                f"Jira at 127.0.0.1:{jira.url.rsplit(':', 1)[1]} offers no transition named 'Resolve' for the "
                "tracking issue (it offers 'To Do', 'Closed *[~admin]*'): set doneTransition of instance "
                "jira-prod to the one that closes an issue"
            )
            assert jira.comments("SEC-1") == []

    def test_the_transition_is_matched_in_any_case(self) -> None:
        with FakeJira() as jira:
            issues = tracker(jira, done_transition="done")
            issues.create(TITLE, BODY, (LABEL,), ())
            issues.close(10001, "resolved")
            assert jira.status("SEC-1") == "Done"


class TestRefusals:
    """Every failure is one line naming what to fix; nothing is sent twice that could act twice"""

    @pytest.mark.parametrize(
        ("status", "said"),
        [
            (401, "refused the token (HTTP 401) while reading who the token is: set JIRA_API_TOKEN to an API token of "
                  f"{BOT_EMAIL}, or check user of instance jira-prod"),
            (403, "forbade reading who the token is (HTTP 403: HTTP 403): give the token's account the permissions to "
                  "browse, create, edit, comment on and transition issues in project SEC"),
            (404, "answered HTTP 404: HTTP 404 while reading who the token is: check url (Jira's address, with its "
                  "context path) and project SEC of instance jira-prod"),
            (302, "answered with a redirect (HTTP 302), not followed: set url of instance jira-prod to Jira's own "
                  "address"),
        ],
    )  # fmt: skip
    def test_a_refusal_says_what_to_fix(self, status: int, said: str) -> None:
        with FakeJira() as jira:
            jira.answer_with(status)
            refused = refusal(tracker(jira).identity)
        assert (str(refused).split(" ", 3)[3], refused.status) == (said, status)

    def test_a_wrong_token_is_jira_s_401(self) -> None:
        with FakeJira() as jira:
            site = Site(jira.url, "SEC", "Bug", "Done", "jira-prod", "JIRA_API_TOKEN")
            issues = made(site, authorization(None, "not-the-token"), Retrier(Deadline.after(30)))
            refused = refusal(issues.identity)
        assert "set JIRA_API_TOKEN to a personal access token (user left out)" in str(refused)

    def test_a_bad_issue_type_quotes_jira_cleaned(self) -> None:
        with FakeJira() as jira:
            refused = refusal(lambda: tracker(jira, issue_type="Bug\x1b[2J").create(TITLE, BODY, (LABEL,), ()))
        assert str(refused).endswith(
            "refused creating an issue of type Bug in project SEC (HTTP 400: issuetype: Specify a valid "
            "issue type): check project, issueType and doneTransition of instance jira-prod, and the fields the "
            "project requires"
        )

    def test_retried_once_past_a_429_after_its_retry_after(self) -> None:
        clock = FakeClock()
        with FakeJira() as jira:
            jira.answer_with(429, times=1, headers={"Retry-After": "2"})
            assert tracker(jira, clock).identity() == BOT_CLOUD["accountId"]
        assert (len(jira.requests), clock.sleeps) == (2, [2.0])

    def test_a_429_then_a_503_is_not_retried_again(self) -> None:
        clock = FakeClock()
        with FakeJira() as jira:
            jira.answer_with(429, times=1, headers={"Retry-After": "2"})
            jira.answer_with(503, times=1)
            refused = refusal(tracker(jira, clock).identity)
        assert "is failing (HTTP 429, then HTTP 503 when retried once) while reading who" in str(refused)
        assert (len(jira.requests), clock.sleeps, refused.status) == (2, [2.0], 503)

    def test_a_create_is_never_sent_twice_after_a_500(self) -> None:
        with FakeJira() as jira:
            issues = tracker(jira)
            jira.answer_with(500, path="/issue$", times=1)
            refused = refusal(lambda: issues.create(TITLE, BODY, (LABEL,), ()))
            assert [request.method for request in jira.writes()] == ["POST"]
        assert refused.status == 500

    @pytest.mark.parametrize(("status", "busy"), [(503, "is failing"), (429, "is rate-limiting us")])
    def test_jira_failing_is_retried_once(self, status: int, busy: str) -> None:
        with FakeJira() as jira:
            jira.answer_with(status)
            refused = refusal(tracker(jira).identity)
        assert str(refused) == (
            f"Jira at {jira.url.split('/')[2]} {busy} (HTTP {status}, and again when retried once) while reading who "
            "the token is: instance jira-prod needs no change; the next run writes again"
        )
        assert (len(jira.requests), refused.status) == (2, status)

    def test_nothing_listening(self) -> None:
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]
        site = Site(f"http://127.0.0.1:{port}", "SEC", "Bug", "Done", "jira-prod", "JIRA_API_TOKEN")
        issues = made(
            site, authorization(None, TOKEN), Retrier(Deadline.after(30), sleep=lambda seconds: None, attempts=2)
        )
        assert str(refusal(issues.identity)).startswith(f"could not connect to Jira at 127.0.0.1:{port} (")

    @pytest.mark.parametrize(
        ("kind", "what"),
        [
            ("huge", "answered far too much while reading who the token is"),
            ("html", "answered what Jira never answers while reading who the token is (not JSON)"),
            (
                "malformed",
                "answered what Jira never answers while reading who the token is (no accountId, key or name)",
            ),
        ],
    )
    def test_a_hostile_answer_is_one_line(self, kind: str, what: str) -> None:
        with FakeJira() as jira:
            jira.hostile(kind)
            assert what in str(refusal(tracker(jira).identity))

    def test_a_malformed_search_is_one_line(self) -> None:
        with FakeJira() as jira:
            issues = tracker(jira)
            me = issues.identity()
            jira.hostile("malformed")
            assert "(an issue without its id, key and fields)" in str(refusal(lambda: issues.tracked(LABEL, me)))
            assert "(a transition without an id)" in str(refusal(lambda: issues.close(10001, "x")))
