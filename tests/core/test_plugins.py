"""gate.core.plugins: the registry of plugins, and the policy model's `instances` that reads it."""

from __future__ import annotations

from typing import Any

import pytest

from gate.core.actions import KINDS
from gate.core.errors import PolicyError
from gate.core.plugins import JIRA_URL, PLUGINS, REFUSED, reserved, url_problem
from gate.core.policy import Instance, validate

SLACK = {"instanceId": "appsec-slack", "pluginId": "slack", "slack": {"urlEnv": "SLACK_WEBHOOK_URL"}}
TEAMS = {"instanceId": "appsec-teams", "pluginId": "teams", "teams": {"urlEnv": "TEAMS_WEBHOOK_URL"}}
ISSUES = {"instanceId": "tracker", "pluginId": "github-issues"}
JIRA = {
    "instanceId": "jira-prod",
    "pluginId": "jira",
    "jira": {
        "url": "https://acme.atlassian.net",
        "project": "SEC",
        "issueType": "Bug",
        "user": "bot@acme.com",
        "tokenEnv": "JIRA_API_TOKEN",
    },
}


def rule(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"name": "r", "events": [{"eventType": "vulnerability_found", "actions": list(actions)}]}


def problems(document: dict[str, Any], lines: dict[str, int] | None = None) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        validate({"version": 1, **document}, lines or {}, "p.yml")
    return list(caught.value.problems)


class TestRegistry:
    """PLUGINS: each plugin serves a known action; refused ones are not plugins"""

    def test_each_serves_known_actions_and_communicators_render(self) -> None:
        for plugin in PLUGINS.values():
            assert set(plugin.serves) <= set(KINDS), plugin.id
            assert (plugin.render is not None) == ("send_to_communicator" in plugin.serves), plugin.id
        assert set(REFUSED).isdisjoint(PLUGINS)
        assert list(PLUGINS) == ["github-issues", "slack", "teams", "webhook", "jira", "email"]

    def test_url_problem(self) -> None:
        message = "must be an https:// webhook URL (plain http only to this machine), without user:password@"
        assert [url_problem(url) for url in ("https://hooks.slack.com/x", "http://127.0.0.1:8/x")] == [None, None]
        assert {url_problem(url) for url in ("http://hooks.example/x", "https://u:p@h/x", "hooks", "")} == {message}

    def test_reserved(self) -> None:
        assert [reserved(name) for name in ("GITHUB_TOKEN", "runner_temp", "INPUT_SECRET-KEY", "SLACK_URL")] == [
            "GITHUB_", "RUNNER_", "INPUT_", None,
        ]  # fmt: skip


class TestInstances:
    """validate: the instances and the actions that name them, every mistake at once with its line"""

    def test_the_issue_s_example(self) -> None:
        send = {"actionType": "send_to_communicator", "sendToCommunicatorOptions": {"instanceId": "appsec-teams"}}
        policy = validate({"version": 1, "instances": [SLACK, TEAMS], "automations": [rule(send)]}, {}, "p.yml")
        assert policy.instances == (
            Instance("appsec-slack", "slack", {"urlEnv": "SLACK_WEBHOOK_URL"}),
            Instance("appsec-teams", "teams", {"urlEnv": "TEAMS_WEBHOOK_URL"}),
        )
        assert policy.instances[1].url_env == "TEAMS_WEBHOOK_URL"
        [action] = policy.automations[0].actions()
        assert dict(action.options) == {"instanceId": "appsec-teams"}

    def test_a_github_issues_instance_creates_issues(self) -> None:
        create = {"actionType": "create_issue", "createIssueOptions": {"instanceId": "tracker", "labels": ["a"]}}
        policy = validate({"version": 1, "instances": [ISSUES], "automations": [rule(create)]}, {}, "p.yml")
        assert policy.instances == (Instance("tracker", "github-issues"),)

    def test_a_jira_instance_keeps_its_options_and_names_its_token(self) -> None:
        create = {"actionType": "create_issue", "createIssueOptions": {"instanceId": "jira-prod"}}
        policy = validate({"version": 1, "instances": [JIRA], "automations": [rule(create)]}, {}, "p.yml")
        options = {"url": "https://acme.atlassian.net", "project": "SEC", "issueType": "Bug", "user": "bot@acme.com"}
        assert policy.instances == (Instance("jira-prod", "jira", {"tokenEnv": "JIRA_API_TOKEN"}, options),)

    def test_a_jira_instance_s_mistakes_with_their_lines(self) -> None:
        wrong = {**JIRA, "jira": {"url": "http://jira.acme.com", "project": "sec-1", "tokenEnv": "GITHUB_TOKEN"}}
        lines = {"instances[0].jira": 4, "instances[0].jira.url": 5, "instances[0].jira.project": 6}
        assert problems({"instances": [wrong, {**JIRA, "instanceId": "j2", "jira": None}]}, lines) == [
            "instances[1].jira: must be a mapping of keys to values, not empty",
            'instances[0].jira.tokenEnv: "GITHUB_TOKEN" is reserved: names under GITHUB_, ACTIONS_, RUNNER_, INPUT_ '
            "are the runner's and the action's own; name a variable the step sets in its env: from a secret, e.g. "
            "SLACK_WEBHOOK_URL: ${{ secrets.SLACK_WEBHOOK_URL }}",
            "instances[1]: pluginId jira needs jira: {url: https://acme.atlassian.net, project: SEC, issueType: Bug, "
            "tokenEnv: JIRA_API_TOKEN}",
            "line 4: instances[0].jira: issueType is required",
            "line 5: instances[0].jira.url: must be an https:// URL of Jira (plain http only to this machine), "
            "without user:password@, query or fragment",
            "line 6: instances[0].jira.project: must be a project's key: capital letters, digits and _, starting with "
            "a letter",
        ]

    @pytest.mark.parametrize(
        "url",
        ["https://acme.atlassian.net", "https://jira.acme.com/jira/", "http://127.0.0.1:8080", "http://localhost"],
    )
    def test_jira_urls_taken(self, url: str) -> None:
        assert PLUGINS["jira"].check is not None
        assert PLUGINS["jira"].check({"url": url, "project": "SEC"}) == []

    @pytest.mark.parametrize(
        "url",
        ["http://jira.acme.com", "https://u:p@acme.atlassian.net", "https://x/?a=1", "https://x/#f", "https://[::1"],
    )
    def test_jira_urls_refused(self, url: str) -> None:
        assert PLUGINS["jira"].check is not None
        assert PLUGINS["jira"].check({"url": url}) == [("url", JIRA_URL)]

    def test_a_reserved_variable_is_refused_with_its_line(self) -> None:
        token = {**SLACK, "slack": {"urlEnv": "GITHUB_TOKEN"}}
        assert problems({"instances": [token]}, {"instances[0].slack.urlEnv": 6}) == [
            'line 6: instances[0].slack.urlEnv: "GITHUB_TOKEN" is reserved: names under GITHUB_, ACTIONS_, RUNNER_, '
            "INPUT_ are the runner's and the action's own; name a variable the step sets in its env: from a secret, "
            "e.g. SLACK_WEBHOOK_URL: ${{ secrets.SLACK_WEBHOOK_URL }}"
        ]

    def test_every_mistake_at_once(self) -> None:
        """Options missing or of another plugin, a bad name, an id twice, an unknown or unfit instance."""
        found = problems(
            {
                "instances": [
                    {"instanceId": "a", "pluginId": "teams"},
                    {"instanceId": "b", "pluginId": "slack", "slack": {"urlEnv": "1X"}, "teams": {"urlEnv": "T"}},
                    {**SLACK, "instanceId": "a"},
                    SLACK,
                ],
                "automations": [
                    rule(
                        {"actionType": "create_issue", "createIssueOptions": {"instanceId": "appsec-slack"}},
                        {"actionType": "send_to_communicator", "sendToCommunicatorOptions": {"instanceId": "nope"}},
                        {"actionType": "create_issue", "sendToCommunicatorOptions": {}},
                    )
                ],
            }
        )
        assert found == [
            "instances[2].instanceId: 'a' names an earlier instance too",  # no lines given: in the order found
            "instances[0]: pluginId teams needs teams: {urlEnv: NAME}",
            "instances[1].teams: belongs to pluginId teams",
            'instances[1].slack.urlEnv: "1X" is not a variable\'s name: letters, digits and _, not starting with a '
            "digit",
            "automations[0].events[0].actions[0].createIssueOptions.instanceId: 'appsec-slack' is a slack instance, "
            "which cannot create_issue (instances that can create_issue: none)",
            "automations[0].events[0].actions[1].sendToCommunicatorOptions.instanceId: no instance is named 'nope' "
            "(instances that can send_to_communicator: 'a', 'appsec-slack', 'b')",
            "automations[0].events[0].actions[2].sendToCommunicatorOptions: belongs to actionType send_to_communicator",
        ]


MAIL_OPTIONS = {
    "host": "smtp.acme.com",
    "port": 587,
    "security": "starttls",
    "from": "aikido-gate@acme.com",
    "to": ["appsec@acme.com"],
    "user": "aikido-gate@acme.com",
    "passwordEnv": "SMTP_PASSWORD",
}
MAIL = {"instanceId": "security-mail", "pluginId": "email", "email": MAIL_OPTIONS}
SEND = {"actionType": "send_email", "sendEmailOptions": {"instanceId": "security-mail"}}


class TestEmail:
    """An email instance and send_email: the issue's example, and every mistake in its own words"""

    def test_the_issue_s_example(self) -> None:
        narrowed = {**SEND, "sendEmailOptions": {"instanceId": "security-mail", "to": ["lead@acme.com"]}}
        policy = validate({"version": 1, "instances": [MAIL], "automations": [rule(SEND, narrowed)]}, {}, "p.yml")
        options = {key: value for key, value in MAIL_OPTIONS.items() if key != "passwordEnv"}
        assert policy.instances == (Instance("security-mail", "email", {"passwordEnv": "SMTP_PASSWORD"}, options),)
        assert [dict(action.options) for action in policy.automations[0].actions()] == [
            {"instanceId": "security-mail"},
            {"instanceId": "security-mail", "to": ["lead@acme.com"]},
        ]

    def test_without_login_and_with_defaults(self) -> None:
        bare = {"host": "smtp.acme.com", "from": "gate@acme.com", "to": ["a@acme.com"]}
        policy = validate({"version": 1, "instances": [{**MAIL, "email": bare}]}, {}, "p.yml")
        assert policy.instances[0].variables == {}

    @pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1", "LOCALHOST"])
    def test_plain_smtp_to_this_machine(self, host: str) -> None:
        plain = {"host": host, "port": 1025, "security": "plain", "from": "g@example.com", "to": ["a@example.com"]}
        validate({"version": 1, "instances": [{**MAIL, "email": plain}]}, {}, "p.yml")

    def test_plain_smtp_elsewhere_is_refused_before_any_scan(self) -> None:
        plain = {**MAIL_OPTIONS, "security": "plain"}
        assert problems({"instances": [{**MAIL, "email": plain}]}, {"instances[0].email.security": 7}) == [
            "line 7: instances[0].email.security: plain sends the mail (and the password) in the clear: only to this "
            "machine (host localhost, 127.0.0.1 or ::1); use starttls or tls"
        ]

    def test_every_mistake_at_once(self) -> None:
        wrong = {
            "host": "smtp.acme.com\r\nX",
            "port": 70000,
            "security": "ssl",
            "from": "Gate <gate@acme.com>",
            "to": ["ok@acme.com", "a@b.c\r\nBcc: evil@x.y", "ok@acme.com"],
            "user": "gate",
        }
        found = problems({"instances": [{**MAIL, "email": wrong}], "automations": [rule({"actionType": "send_email"})]})
        assert found == [  # no lines given: in the order found
            'instances[0].email.host: "smtp.acme.com\\r\\nX" is not a host name or IP address',
            "instances[0].email.port: 70000 must be a whole number from 1 to 65535",
            'instances[0].email.security: "ssl" is not one of starttls, tls, plain',
            'instances[0].email.from: "Gate <gate@acme.com>" is not an e-mail address: name@domain in ASCII, '
            "without a display name, spaces or quotes",
            'instances[0].email.to[1]: "a@b.c\\r\\nBcc: evil@x.y" is not an e-mail address: name@domain in ASCII, '
            "without a display name, spaces or quotes",
            'instances[0].email.to[2]: "ok@acme.com" is listed twice (first at to[0])',
            "instances[0].email.passwordEnv: is required with user: the variable that holds its password (both or "
            "neither)",
            "automations[0].events[0].actions[0]: actionType send_email needs sendEmailOptions: {instanceId: …}",
        ]

    def test_a_password_without_user_and_an_empty_or_long_list(self) -> None:
        options = {**MAIL_OPTIONS, "to": []}
        del options["user"]
        many = [f"a{n}@acme.com" for n in range(51)]
        send = {"actionType": "send_email", "sendEmailOptions": {"instanceId": "security-mail", "to": many}}
        found = problems({"instances": [{**MAIL, "email": options}], "automations": [rule(send)]})
        assert found == [
            "instances[0].email.to: must list at least 1",
            "automations[0].events[0].actions[0].sendEmailOptions.to: must list at most 50",
            "instances[0].email.user: is required with passwordEnv: the user AUTH logs in as (both or neither)",
        ]

    def test_only_an_email_instance_sends_email(self) -> None:
        send = {"actionType": "send_email", "sendEmailOptions": {"instanceId": "appsec-slack"}}
        email_to_slack = {
            "actionType": "send_to_communicator",
            "sendToCommunicatorOptions": {"instanceId": "security-mail"},
        }
        assert problems({"instances": [SLACK, MAIL], "automations": [rule(send, email_to_slack)]}) == [
            "automations[0].events[0].actions[0].sendEmailOptions.instanceId: 'appsec-slack' is a slack instance, "
            "which cannot send_email (instances that can send_email: 'security-mail')",
            "automations[0].events[0].actions[1].sendToCommunicatorOptions.instanceId: 'security-mail' is a email "
            "instance, which cannot send_to_communicator (instances that can send_to_communicator: 'appsec-slack')",
        ]

    def test_a_reserved_password_variable(self) -> None:
        options = {**MAIL_OPTIONS, "passwordEnv": "INPUT_SECRET-KEY"}
        [found] = problems({"instances": [{**MAIL, "email": options}]})
        assert found.startswith('instances[0].email.passwordEnv: "INPUT_SECRET-KEY" is not a variable\'s name')
        options = {**MAIL_OPTIONS, "passwordEnv": "RUNNER_TEMP"}
        [found] = problems({"instances": [{**MAIL, "email": options}]})
        assert found.startswith('instances[0].email.passwordEnv: "RUNNER_TEMP" is reserved')
