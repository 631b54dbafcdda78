"""Plugin instances end to end: Slack and Teams webhooks named by variables the step's env: sets from secrets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from emulator.aikido import AikidoEmulator
from emulator.chat import ChatWebhook
from emulator.github import REPO, FakeGitHub
from emulator.runner import ActionRun
from tests.conftest import sample
from tests.support.action import act, annotations_of
from tests.support.adaptive import AdaptiveCards

PATH = ".github/aikido-gate.yml"
PUSH = sample("push")
# The issue's example, with a rule that posts to both.
POLICY = """\
version: 1
instances:
  - instanceId: appsec-slack
    pluginId: slack
    slack: {urlEnv: SLACK_WEBHOOK_URL}
  - instanceId: appsec-teams
    pluginId: teams
    teams: {urlEnv: TEAMS_WEBHOOK_URL}
automations:
  - name: Release gate to chat
    events:
      - eventType: vulnerability_found
        actions:
          - actionType: send_to_communicator
            sendToCommunicatorOptions: {instanceId: appsec-slack}
          - actionType: send_to_communicator
            sendToCommunicatorOptions: {instanceId: appsec-teams}
"""
LINK = "https://app.aikido.dev/featurebranch/scan/1?groupId=1"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def slack() -> Iterator[ChatWebhook]:
    with ChatWebhook() as webhook:
        yield webhook


@pytest.fixture
def teams() -> Iterator[ChatWebhook]:
    with ChatWebhook() as webhook:
        yield webhook


def run(tmp_path: Path, github: FakeGitHub, policy: str, env: dict[str, str]) -> ActionRun:
    """A push to main judged FAILED (4 new issues), with `policy` as the repository's file and `env` on the step."""
    github.files[(REPO, PATH, PUSH["after"])] = policy
    with AikidoEmulator("fail") as emulator:
        return act(
            tmp_path,
            emulator,
            event="push",
            env={"GITHUB_API_URL": github.api_url, "GITHUB_REPOSITORY": REPO, **env},
            inputs={"policy-file": PATH},
        )


def assert_hidden(done: ActionRun, *urls: str) -> None:
    """Each URL masked for the runner, then in no log line, output or summary, in any part that holds its token."""
    lines = done.stdout.splitlines()
    masks = {f"::add-mask::{url}" for url in urls}
    assert masks <= set(lines)
    shown = [line for line in lines if line not in masks]
    for url in urls:
        token = url.split("/", 3)[3]  # the path: services/T000/B000/demo
        assert [line for line in shown if url in line or token in line] == []
        assert token not in done.summary + json.dumps(done.outputs)


class TestInstances:
    """A Slack and a Teams instance, each posted to once, their URLs never shown"""

    def test_each_gets_one_valid_message(
        self,
        tmp_path: Path,
        github: FakeGitHub,
        slack: ChatWebhook,
        teams: ChatWebhook,
        adaptive_cards: AdaptiveCards,
    ) -> None:
        done = run(tmp_path, github, POLICY, {"SLACK_WEBHOOK_URL": slack.url, "TEAMS_WEBHOOK_URL": teams.url})
        assert (done.returncode, done.outputs["outcome"]) == (10, "FAILED")
        assert annotations_of(done, "warning") == []
        assert "Release gate to chat: chat message to appsec-slack sent; chat message to appsec-teams sent" in (
            done.stdout.splitlines()
        )
        [slack_body] = slack.bodies
        assert slack_body["text"] == f"Aikido gate FAILED (4 new issues) on octo-org/octo-repo main {LINK}"
        for data in slack_body["blocks"]:
            block = Block.parse(data)
            assert block is not None
            block.validate_json()
        [teams_body] = teams.bodies
        assert teams_body["type"] == "message"
        card = teams_body["attachments"][0]["content"]
        assert adaptive_cards.check(card) == {"errors": [], "version": "1.4"}
        assert card["actions"][0] == {"type": "Action.OpenUrl", "title": "Open the scan in Aikido", "url": LINK}
        assert_hidden(done, slack.url, teams.url)

    def test_a_failing_chat_service_is_retried_once_then_one_warning(
        self, tmp_path: Path, github: FakeGitHub, slack: ChatWebhook, teams: ChatWebhook
    ) -> None:
        slack.statuses = [503] * 10
        done = run(tmp_path, github, POLICY, {"SLACK_WEBHOOK_URL": slack.url, "TEAMS_WEBHOOK_URL": teams.url})
        assert (done.returncode, done.outputs["outcome"]) == (10, "FAILED")  # the verdict is the same
        [warning] = annotations_of(done, "warning")
        assert warning.endswith(
            f"chat message to appsec-slack not sent (the chat service at {slack.url.split('/')[2]} is failing (HTTP "
            "503, and again when retried once): the variable SLACK_WEBHOOK_URL (instance appsec-slack) needs no "
            "change; the next run posts again); chat message to appsec-teams sent"
        )
        assert (len(slack.bodies), len(teams.bodies)) == (2, 1)
        assert_hidden(done, slack.url, teams.url)

    def test_a_missing_variable_is_one_warning_naming_it(
        self, tmp_path: Path, github: FakeGitHub, slack: ChatWebhook
    ) -> None:
        done = run(tmp_path, github, POLICY, {"SLACK_WEBHOOK_URL": slack.url})
        assert (done.returncode, done.outputs["outcome"]) == (10, "FAILED")  # the verdict is the same
        [warning] = annotations_of(done, "warning")
        assert warning.endswith(
            "automation 'Release gate to chat' cannot use instance 'appsec-teams': the variable TEAMS_WEBHOOK_URL "
            "is empty or not set; set it in the step's env: from a secret, e.g. TEAMS_WEBHOOK_URL: "
            "${{ secrets.TEAMS_WEBHOOK_URL }}"
        )
        assert len(slack.bodies) == 1
        assert_hidden(done, slack.url)

    def test_a_url_that_is_not_https_is_one_warning_never_shown(
        self, tmp_path: Path, github: FakeGitHub, slack: ChatWebhook
    ) -> None:
        plain = "http://hooks.example/services/T111/B111/secret"
        done = run(tmp_path, github, POLICY, {"SLACK_WEBHOOK_URL": slack.url, "TEAMS_WEBHOOK_URL": plain})
        [warning] = annotations_of(done, "warning")
        assert "the variable TEAMS_WEBHOOK_URL must be an https:// webhook URL" in warning
        assert_hidden(done, slack.url, plain)

    def test_a_reserved_name_is_refused_with_its_line(
        self, tmp_path: Path, github: FakeGitHub, slack: ChatWebhook
    ) -> None:
        policy = POLICY.replace("{urlEnv: SLACK_WEBHOOK_URL}", "{urlEnv: GITHUB_TOKEN}")
        done = run(tmp_path, github, policy, {"SLACK_WEBHOOK_URL": slack.url})
        assert (done.returncode, done.outputs["outcome"]) == (1, "ERROR")
        [error] = annotations_of(done, "error")
        assert 'line 5: instances[0].slack.urlEnv: "GITHUB_TOKEN" is reserved: names under GITHUB_' in error
        assert slack.bodies == []

    @pytest.mark.parametrize("plugin", ["jira", "email"])
    def test_a_plugin_without_its_options_is_refused_before_any_scan(
        self, tmp_path: Path, github: FakeGitHub, plugin: str
    ) -> None:
        policy: Any = POLICY.replace("pluginId: teams\n    teams: {urlEnv: TEAMS_WEBHOOK_URL}", f"pluginId: {plugin}")
        done = run(tmp_path, github, policy, {})
        [error] = annotations_of(done, "error")
        assert f"instances[1]: pluginId {plugin} needs {plugin}: {{" in error
        assert (done.returncode, done.stderr) == (1, "")
