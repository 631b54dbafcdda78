"""gate.flow.automations: which rule acts, on which issue, and what the log and the summary say, over in-memory ports.

The adapters are tested against their fake services: PyGithubIssues in tests/github/test_issues.py, the
chat webhook in tests/chat/test_webhook.py.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from gate.core.automations import Where, issue_marker
from gate.core.errors import JiraRefused, MailRefused, WebhookRefused
from gate.core.jira import JIRA_ISSUES
from gate.core.models import parse_scan_status
from gate.core.policy import Action, Automation, Instance
from gate.core.summary import RunReport
from gate.core.verdict import Verdict, decide, error
from gate.flow.automations import AutomationRun, Writers, run_automations
from gate.flow.ports import Unusable
from tests.support.answers import FEATURE_DONE
from tests.support.ports import FakeChat, FakeMailer, FakeTracker, FakeWorkflow

REPO = "octo-org/octo-repo"
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
MARKER = issue_marker(TRACK, MAIN)
FAILED = decide(parse_scan_status(FEATURE_DONE), scan_id=1, report_only=False)
PASSED = decide(
    parse_scan_status(FEATURE_DONE | {"gate_passed": True, "new_issues_found": 0}), scan_id=1, report_only=False
)
WARNING = "::warning title=Aikido automation::"
ON_MAIN = AutomationRun((TRACK,), None, MAIN)


def automate(
    tracker: FakeTracker,
    verdict: Verdict,
    chat: FakeChat | None = None,
    run: AutomationRun = ON_MAIN,
) -> FakeWorkflow:
    """One run's rules over the in-memory ports (a webhook given unless the test gives one); returns what the step
    showed."""
    workflow = FakeWorkflow()
    run_automations(verdict, run, Writers(tracker, chat or FakeChat()), workflow)
    return workflow


class TestTrackingIssue:
    """create_issue: opens, updates, closes and reopens one issue per rule and key"""

    def test_the_life_of_a_tracking_issue(self) -> None:
        tracker = FakeTracker()
        assert automate(tracker, FAILED).text == "Track open issues on main: issue #100 created\n"
        [(title, body, labels, assignees)] = tracker.created
        assert (title, body.startswith(MARKER + "\n"), labels, assignees) == (
            "Aikido: 1 new issue on main",
            True,
            ("security",),
            ("octocat",),
        )
        assert automate(tracker, FAILED).text == "Track open issues on main: issue #100 unchanged\n"
        assert automate(tracker, PASSED).text == "Track open issues on main: issue #100 closed\n"
        assert tracker.closing[100].startswith("Resolved in commit `c0ffeec0ffee`")
        assert automate(tracker, PASSED).text == ""  # already closed: nothing to do
        assert automate(tracker, FAILED).text == "Track open issues on main: issue #100 reopened\n"
        assert [(issue.number, issue.open) for issue in tracker.issues] == [(100, True)]

    def test_an_unchanged_issue_is_not_written_again(self) -> None:
        tracker = FakeTracker()
        automate(tracker, FAILED)
        automate(tracker, FAILED)
        assert tracker.calls.count("update") == 0
        tracker.issues[0] = dataclasses.replace(tracker.issues[0], title="an old title")
        automate(tracker, FAILED)
        assert (tracker.calls.count("update"), tracker.issues[0].title) == (1, "Aikido: 1 new issue on main")

    def test_the_tracker_says_whether_the_issue_changed_not_the_texts_as_read(self) -> None:
        tracker = FakeTracker(text_format="jira")
        automate(tracker, FAILED)
        tracker.issues[0] = dataclasses.replace(tracker.issues[0], body="h3. :cross_mark: as Jira Cloud reads it")
        tracker.verdict = True
        assert automate(tracker, FAILED).text == "Track open issues on main: issue SEC-100 unchanged\n"
        tracker.verdict = False
        assert automate(tracker, FAILED).text == "Track open issues on main: issue SEC-100 updated\n"
        assert (tracker.calls.count("unchanged"), tracker.calls.count("update")) == (2, 1)

    def test_no_result_neither_opens_nor_closes(self) -> None:
        tracker = FakeTracker()
        automate(tracker, FAILED)
        chat = FakeChat()
        assert automate(tracker, error("Aikido unreachable"), chat).text == (
            "Track open issues on main: chat message sent\n"
        )
        assert (tracker.issues[0].open, chat.posted) == (True, ["Aikido gate ERROR on octo-org/octo-repo main"])

    def test_a_clean_run_without_an_issue_is_silent(self) -> None:
        tracker = FakeTracker()
        assert automate(tracker, PASSED).text == ""
        assert tracker.calls == ["identity", "tracked"]

    def test_two_runs_that_raced_converge_on_the_oldest(self) -> None:
        tracker = FakeTracker()
        tracker.raced = ("Aikido: 1 new issue on main", MARKER + "\nthe other run's")
        assert automate(tracker, FAILED).text == (
            "Track open issues on main: issue #100 updated (another run had just opened it)\n"
        )
        assert [(issue.number, issue.open) for issue in tracker.issues] == [(100, True), (101, False)]
        assert tracker.closing == {101: "Duplicate of #100, opened by a run that raced it."}

    def test_copies_left_by_an_earlier_race_are_closed(self) -> None:
        tracker = FakeTracker()
        tracker.add("Aikido: 1 new issue on main", MARKER + "\nold")
        tracker.add("Aikido: 1 new issue on main", MARKER + "\ncopy")
        tracker.add("Aikido: 1 new issue on main", MARKER + "\nplanted", author="mallory")
        assert automate(tracker, FAILED).text == "Track open issues on main: issue #100 updated\n"
        assert [(issue.number, issue.open) for issue in tracker.issues] == [(100, True), (101, False), (102, True)]

    def test_a_clean_run_closes_every_open_copy(self) -> None:
        tracker = FakeTracker()
        tracker.add("Aikido: 1 new issue on main", MARKER + "\nold")
        tracker.add("Aikido: 1 new issue on main", MARKER + "\ncopy")
        assert automate(tracker, PASSED).text == "Track open issues on main: issue #100 closed\n"
        assert sorted(tracker.closing) == [100, 101]

    def test_a_403_is_a_warning_naming_the_permission(self) -> None:
        tracker = FakeTracker()
        tracker.refuse("create", 403, "Resource not accessible by integration")
        assert automate(tracker, FAILED).text == (
            f"{WARNING}Track open issues on main: tracking issue not written (GitHub answered HTTP 403: Resource not "
            "accessible by integration; give the job permissions: issues: write)\n"
        )

    def test_a_server_error_names_no_permission(self) -> None:
        tracker = FakeTracker()
        tracker.refuse("tracked", 502, "Bad gateway")
        assert automate(tracker, FAILED).text == (
            f"{WARNING}Track open issues on main: tracking issue not written (GitHub answered HTTP 502: Bad gateway)\n"
        )


class TestJiraIssue:
    """create_issue through a tracker that takes Jira's texts: the same life, its key and its own texts"""

    def test_the_life_of_a_jira_issue(self) -> None:
        tracker = FakeTracker(text_format="jira")
        assert automate(tracker, FAILED).text == "Track open issues on main: issue SEC-100 created\n"
        [(title, body, labels, assignees)] = tracker.created
        label = JIRA_ISSUES.marker(TRACK, MAIN)
        assert (title, labels, assignees) == ("Aikido: 1 new issue on main", (label, "security"), ("octocat",))
        assert body.startswith("h3. (x) Aikido security gate failed")
        assert MARKER not in body
        assert automate(tracker, FAILED).text == "Track open issues on main: issue SEC-100 unchanged\n"
        assert automate(tracker, PASSED).text == "Track open issues on main: issue SEC-100 closed\n"
        assert tracker.closing[100].startswith("Resolved in commit {{c0ffeec0ffee}} ([run|https://github.com/")
        assert automate(tracker, FAILED).text == "Track open issues on main: issue SEC-100 reopened\n"

    def test_the_summary_links_the_key(self) -> None:
        assert automate(FakeTracker(text_format="jira"), FAILED).summary.endswith(
            "issue [SEC-100](https://acme.atlassian.net/browse/SEC-100) created\n"
        )

    def test_an_issue_that_cannot_be_reopened_is_left_and_one_opened_once(self) -> None:
        tracker = FakeTracker(text_format="jira", reopens=False)
        automate(tracker, FAILED)
        automate(tracker, PASSED)
        assert automate(tracker, FAILED).text == "Track open issues on main: issue SEC-101 created\n"
        assert automate(tracker, FAILED).text == "Track open issues on main: issue SEC-101 unchanged\n"
        assert [(issue.number, issue.open) for issue in tracker.issues] == [(100, False), (101, True)]
        assert automate(tracker, PASSED).text == "Track open issues on main: issue SEC-101 closed\n"

    def test_racing_runs_converge_and_the_copy_names_the_key(self) -> None:
        tracker = FakeTracker(text_format="jira")
        tracker.raced = ("Aikido: 1 new issue on main", "the other run's")
        assert automate(tracker, FAILED).text == (
            "Track open issues on main: issue SEC-100 updated (another run had just opened it)\n"
        )
        assert tracker.closing == {101: "Duplicate of SEC-100, opened by a run that raced it."}

    def test_a_jira_refusal_says_what_to_fix_in_its_own_words(self) -> None:
        tracker = FakeTracker(text_format="jira")
        tracker.queued["identity"] = [JiraRefused("Jira at acme.atlassian.net refused the token (HTTP 401): …", 401)]
        assert automate(tracker, FAILED).text == (
            f"{WARNING}Track open issues on main: tracking issue not written (Jira at acme.atlassian.net refused the "
            "token (HTTP 401): …)\n"
        )


class TestChat:
    """send_to_communicator: one line per rule, a refusal a warning"""

    def test_a_refusal_is_a_warning_with_the_webhook_s_words(self) -> None:
        refusal = WebhookRefused("the chat webhook at hooks.example:443 answered HTTP 404: set the URL", 404)
        assert automate(FakeTracker(), error("x"), FakeChat(refusal)).text == (
            f"{WARNING}Track open issues on main: chat message not sent (the chat webhook at hooks.example:443 "
            "answered HTTP 404: set the URL)\n"
        )

    def test_a_rule_that_only_posts_never_asks_for_the_tracker(self) -> None:
        rule = Automation("Tell", True, None, (("scan_done", (Action("send_to_communicator"),)),))
        chat, tracker = FakeChat(), FakeTracker()
        workflow = FakeWorkflow()
        run_automations(PASSED, AutomationRun((rule,), None, MAIN), Writers(tracker, chat), workflow)
        assert tracker.calls == []
        assert (workflow.text, chat.posted) == (
            "Tell: chat message sent\n",
            [
                "Aikido gate SUCCEEDED (0 new issues) on octo-org/octo-repo main https://app.aikido.dev/featurebranch/scan/1?groupId=1"
            ],
        )


class TestSummaryAndScope:
    """What the summary shows, the rules out of scope, and the inputs a run lacks"""

    def test_the_summary_links_our_issue(self) -> None:
        workflow = automate(FakeTracker(), FAILED)
        assert workflow.summary == (
            "\n**Automations:**\n\n- Track open issues on main: issue "
            "[\\#100](https://github.com/octo-org/octo-repo/issues/100) created\n"
        )

    def test_a_pull_request_is_in_no_rule_s_scope_for_every_run(self) -> None:
        pull_request = Where(REPO, "pull request", "7", "c0ffee" * 6 + "1234", "", "CI", "aikido", "")
        tracker = FakeTracker()
        workflow = automate(tracker, FAILED, run=AutomationRun((TRACK,), None, pull_request))
        assert (workflow.text, tracker.calls) == ("automations: 1 rule not in this run's scope\n", [])

    def test_a_missing_token_is_one_warning_and_no_tracker(self) -> None:
        chat = FakeChat()
        workflow = FakeWorkflow()
        run_automations(error("x"), ON_MAIN, Writers(None, chat), workflow)  # no token: the wiring makes no tracker
        assert workflow.lines == [
            f"{WARNING}automation 'Track open issues on main' cannot keep its tracking issue: github-token is empty; "
            "pass github-token: ${{ secrets.GITHUB_TOKEN }} and give the job permissions: issues: write",
            "Track open issues on main: chat message sent",
        ]


class TestInstances:
    """Actions through the policy file's instances: each to its own chat, a missing one a warning naming its variable"""

    SLACK = Instance("appsec-slack", "slack", {"urlEnv": "SLACK_WEBHOOK_URL"})
    TEAMS = Instance("appsec-teams", "teams", {"urlEnv": "TEAMS_WEBHOOK_URL"})
    TRACKER = Instance("tracker", "github-issues")
    RULE = Automation(
        "Release gate to chat",
        True,
        None,
        (
            (
                "vulnerability_found",
                (
                    Action("send_to_communicator", {"instanceId": "appsec-slack"}),
                    Action("send_to_communicator", {"instanceId": "appsec-teams"}),
                    Action("send_to_communicator"),
                    Action("create_issue", {"instanceId": "tracker"}),
                ),
            ),
        ),
    )
    INSTANCES: ClassVar[dict[str, Instance]] = {instance.id: instance for instance in (SLACK, TEAMS, TRACKER)}

    def test_each_instance_gets_its_message(self) -> None:
        slack, teams, default, tracker = FakeChat(), FakeChat(), FakeChat(), FakeTracker()
        chats = {"appsec-slack": slack, "appsec-teams": teams}
        workflow = FakeWorkflow()
        run = AutomationRun((self.RULE,), None, MAIN)
        run_automations(FAILED, run, Writers(tracker, default, self.INSTANCES, chats), workflow)
        assert workflow.text == (
            "Release gate to chat: chat message to appsec-slack sent; chat message to appsec-teams sent; "
            "chat message sent; issue #100 created\n"
        )
        assert [len(chat.news) for chat in (slack, teams, default)] == [1, 1, 1]
        assert slack.news[0].counts == "1 new issue"

    def test_a_missing_variable_is_one_warning_and_the_rest_still_acts(self) -> None:
        slack, tracker = FakeChat(), FakeTracker()
        unusable = {"appsec-teams": Unusable("TEAMS_WEBHOOK_URL", "is empty or not set")}
        workflow = FakeWorkflow()
        writers = Writers(tracker, None, self.INSTANCES, {"appsec-slack": slack}, unusable)
        run_automations(FAILED, AutomationRun((self.RULE,), None, MAIN), writers, workflow)
        assert workflow.text == (
            f"{WARNING}automation 'Release gate to chat' cannot use instance 'appsec-teams': the variable "
            "TEAMS_WEBHOOK_URL is empty or not set; set it in the step's env: from a secret, e.g. TEAMS_WEBHOOK_URL: "
            "${{ secrets.TEAMS_WEBHOOK_URL }}\n"
            f"{WARNING}automation 'Release gate to chat' cannot post to chat: communicator-webhook-url is empty; pass "
            "the webhook's URL from a secret, e.g. communicator-webhook-url: ${{ secrets.CHAT_WEBHOOK }}\n"
            "Release gate to chat: chat message to appsec-slack sent; issue #100 created\n"
        )


class TestEvents:
    """vulnerability_created and report_created fire the actions under them"""

    def test_report_created_posts_on_a_clean_run_and_vulnerability_created_on_new_issues(self) -> None:
        rule = Automation(
            "Report",
            True,
            None,
            (
                ("report_created", (Action("send_to_communicator"),)),
                ("vulnerability_created", (Action("create_issue"),)),
            ),
        )
        run = AutomationRun((rule,), None, MAIN)
        tracker, chat = FakeTracker(), FakeChat()
        assert automate(tracker, PASSED, chat, run).text == "Report: chat message sent\n"
        assert chat.posted[0].startswith("Aikido gate SUCCEEDED (0 new issues) on octo-org/octo-repo main https://")
        assert tracker.created == []
        assert automate(tracker, FAILED, chat, run).text == "Report: chat message sent; issue #100 created\n"
        assert tracker.created[0][0] == "Aikido: 1 new issue on main"


class TestEmail:
    """send_email through an email instance: one message per firing, its recipients, the report on report_created"""

    MAIL = Instance("security-mail", "email", {"passwordEnv": "SMTP_PASSWORD"}, {"host": "smtp.acme.test"})
    INSTANCES: ClassVar[dict[str, Instance]] = {"security-mail": MAIL}
    REPORT = RunReport("## ❌ Aikido security gate failed\n", "results.sarif", '{"runs": []}\n')

    def run(
        self, mailer: FakeMailer, verdict: Verdict, *events: tuple[str, tuple[Action, ...]], unusable: bool = False
    ) -> FakeWorkflow:
        rule = Automation("Mail the team", True, None, events)
        workflow = FakeWorkflow()
        missing = {"security-mail": Unusable("SMTP_PASSWORD", "is empty or not set")} if unusable else {}
        ports = {} if unusable else {"security-mail": mailer}
        writers = Writers(None, None, self.INSTANCES, ports, missing)
        run_automations(verdict, AutomationRun((rule,), None, MAIN, self.REPORT), writers, workflow)
        return workflow

    def test_one_message_to_the_instance_s_recipients(self) -> None:
        mailer = FakeMailer(recipients=("appsec@acme.test", "lead@acme.test"))
        send = Action("send_email", {"instanceId": "security-mail"})
        workflow = self.run(mailer, FAILED, ("vulnerability_found", (send,)), ("scan_done", (send,)))
        assert workflow.text == "Mail the team: e-mail to security-mail sent (2 recipients)\n"
        assert "e-mail to security-mail sent (2 recipients)" in workflow.summary
        [mail] = mailer.sent
        assert (mail.sender, mail.to) == ("aikido-gate@acme.test", ("appsec@acme.test", "lead@acme.test"))
        assert mail.subject.startswith("Aikido gate FAILED: octo-org/octo-repo, branch main (1 new issue")
        assert "The scan in Aikido: https://app.aikido.dev/featurebranch/scan/1?groupId=1" in mail.body
        assert mail.attachments == ()  # not on report_created

    def test_the_action_s_to_in_place_of_the_instance_s(self) -> None:
        mailer = FakeMailer(recipients=("appsec@acme.test", "lead@acme.test"))
        send = Action("send_email", {"instanceId": "security-mail", "to": ["lead@acme.test", "ciso@acme.test"]})
        assert self.run(mailer, FAILED, ("scan_done", (send,))).text == (
            "Mail the team: e-mail to security-mail sent (2 recipients)\n"
        )
        assert mailer.sent[0].to == ("lead@acme.test", "ciso@acme.test")

    def test_report_created_attaches_the_summary_and_the_sarif_file(self) -> None:
        mailer = FakeMailer()
        send = Action("send_email", {"instanceId": "security-mail"})
        self.run(mailer, PASSED, ("report_created", (send,)))
        [mail] = mailer.sent
        assert [(file.filename, file.text) for file in mail.attachments] == [
            ("aikido-gate-summary.md", "## ❌ Aikido security gate failed\n"),
            ("results.sarif", '{"runs": []}\n'),
        ]
        assert "Attached: aikido-gate-summary.md, results.sarif." in mail.body

    def test_no_mail_when_no_event_under_it_fired(self) -> None:
        mailer = FakeMailer()
        send = Action("send_email", {"instanceId": "security-mail"})
        assert self.run(mailer, PASSED, ("vulnerability_found", (send,))).text == ""
        assert mailer.sent == []

    def test_a_refusal_is_a_warning_and_some_refused_recipients_too(self) -> None:
        send = Action("send_email", {"instanceId": "security-mail"})
        refusal = MailRefused("the relay at smtp.acme.test:587 refused the login of user u (reply 535): check user")
        assert self.run(FakeMailer(refusal=refusal), FAILED, ("scan_done", (send,))).text == (
            f"{WARNING}Mail the team: e-mail to security-mail not sent (the relay at smtp.acme.test:587 refused the "
            "login of user u (reply 535): check user)\n"
        )
        partly = FakeMailer(recipients=("a@acme.test", "b@acme.test"), refused=["b@acme.test (550 no such user)"])
        assert self.run(partly, FAILED, ("scan_done", (send,))).text == (
            f"{WARNING}Mail the team: e-mail to security-mail sent to 1 of 2 recipients; the relay refused "
            "b@acme.test (550 no such user): check the addresses in to\n"
        )

    def test_a_missing_password_is_one_warning_naming_the_variable(self) -> None:
        send = Action("send_email", {"instanceId": "security-mail"})
        assert self.run(FakeMailer(), FAILED, ("scan_done", (send,)), unusable=True).text == (
            f"{WARNING}automation 'Mail the team' cannot use instance 'security-mail': the variable SMTP_PASSWORD is "
            "empty or not set; set it in the step's env: from a secret, e.g. SMTP_PASSWORD: "
            "${{ secrets.SMTP_PASSWORD }}\n"
        )
