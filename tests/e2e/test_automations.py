"""Automation rules where organisations use them, end to end: a shared file, forks, missing inputs, hostile answers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.aikido import AikidoEmulator
from emulator.chat import ChatWebhook
from emulator.github import REPO, FakeGitHub
from emulator.runner import ActionRun
from tests.conftest import KEY, sample
from tests.support.action import act, annotations_of
from tests.support.leak import as_read

PATH = ".github/aikido-gate.yml"
PR = sample("pull_request")
PUSH = sample("push")
# The README's pull-request profile and a nightly chat rule in one file, as an organisation shares it.
SHARED = """\
version: 1
cicdProfiles:
  - name: Pull requests
    when: {events: [pull_request, pull_request_target]}
    failConditions: {scanTypes: [dependency, sast]}
  - name: Nightly
    when: {events: [schedule]}
automations:
  - name: Nightly to chat
    scope: {scopeType: profiles, profiles: [Nightly]}
    events:
      - eventType: vulnerability_found
        actions:
          - actionType: send_to_communicator
"""
# A rule for every run that opens an issue and posts: what a fork or a pull request must not set off.
EVERY_RUN = """\
version: 1
cicdProfiles:
  - name: Pull requests
    when: {events: [pull_request, pull_request_target]}
automations:
  - name: Track everything
    events:
      - eventType: vulnerability_found
        actions:
          - actionType: create_issue
          - actionType: send_to_communicator
"""
PR_RULE = EVERY_RUN + "    scope: {scopeType: profiles, profiles: [Pull requests]}\n"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def chat() -> Iterator[ChatWebhook]:
    with ChatWebhook() as webhook:
        yield webhook


def run(
    tmp_path: Path,
    github: FakeGitHub,
    scenario: str,
    *,
    event: str = "push",
    payload: dict[str, Any] | None = None,
    **inputs: str,
) -> ActionRun:
    with AikidoEmulator(scenario) as emulator:
        return act(
            tmp_path,
            emulator,
            event=event,
            payload=payload,
            env={"GITHUB_API_URL": github.api_url, "GITHUB_REPOSITORY": REPO},
            inputs={"policy-file": PATH} | {name.replace("_", "-"): value for name, value in inputs.items()},
        )


def serve(github: FakeGitHub, text: str, pull_request: dict[str, Any]) -> None:
    """The policy file at the pull request's base and, unchanged, at its head."""
    for side in ("base", "head"):
        github.files[(REPO, PATH, pull_request["pull_request"][side]["sha"])] = text


def assert_inert(bodies: list[Any]) -> None:
    """The chat webhook is a sink like the others: no key in any form, no Slack markup from answer text."""
    text = json.dumps(bodies, ensure_ascii=False)
    assert as_read(KEY) not in as_read(text)
    assert not re.search(r"<[!@#]|<https?:|\|Open", text), text


class TestSharedFile:
    """One file for the pull-request, nightly and release workflows"""

    def test_a_rule_outside_the_run_s_scope_needs_none_of_its_inputs(self, tmp_path: Path, github: FakeGitHub) -> None:
        serve(github, SHARED, PR)
        done = run(tmp_path, github, "fail", event="pull_request")
        assert (done.returncode, done.outputs["outcome"], done.outputs["policy-profile"]) == (
            10,
            "FAILED",
            "Pull requests",
        )
        assert annotations_of(done, "warning") == []
        assert not [line for line in annotations_of(done, "error") if "communicator" in line]

    def test_a_rule_in_scope_without_its_input_is_skipped_with_one_warning(
        self, tmp_path: Path, github: FakeGitHub
    ) -> None:
        # The nightly workflow names its profile (a push stands in for the schedule: same file, same rule).
        github.files[(REPO, PATH, PUSH["after"])] = SHARED
        done = run(tmp_path, github, "fail", policy_profile="Nightly")
        assert (done.returncode, done.outputs["outcome"]) == (10, "FAILED")
        [warning] = [line for line in annotations_of(done, "warning") if "automation" in line]
        assert (
            "automation 'Nightly to chat' cannot post to chat: communicator-webhook-url is empty; pass the webhook's "
            "URL from a secret"
        ) in warning

    def test_a_chat_rule_needs_no_github_token(self, tmp_path: Path, github: FakeGitHub, chat: ChatWebhook) -> None:
        github.files[(REPO, PATH, PUSH["after"])] = SHARED
        done = run(
            tmp_path, github, "fail", policy_profile="Nightly", github_token="", communicator_webhook_url=chat.url
        )
        assert done.outputs["outcome"] == "FAILED"
        assert [body["text"] for body in chat.bodies] == [
            "Aikido gate FAILED (4 new issues) on octo-org/octo-repo main "
            "https://app.aikido.dev/featurebranch/scan/1?groupId=1"
        ]

    def test_a_rate_limiting_chat_service_is_retried_once(
        self, tmp_path: Path, github: FakeGitHub, chat: ChatWebhook
    ) -> None:
        github.files[(REPO, PATH, PUSH["after"])] = SHARED
        chat.statuses = [429] * 10
        done = run(
            tmp_path, github, "fail", policy_profile="Nightly", github_token="", communicator_webhook_url=chat.url
        )
        assert (done.returncode, done.outputs["outcome"]) == (10, "FAILED")  # the verdict is the same
        [warning] = annotations_of(done, "warning")
        assert (
            "is rate-limiting us (HTTP 429, and again when retried once): communicator-webhook-url needs no change; "
            "the next run posts again"
        ) in warning
        assert len(chat.bodies) == 2


class TestPullRequests:
    """Forks never set rules off; a pull request is in a rule's scope only when the rule names its profile"""

    def test_a_fork_on_pull_request_target_opens_no_issue_and_posts_nothing(
        self, tmp_path: Path, github: FakeGitHub, chat: ChatWebhook
    ) -> None:
        target = sample("pull_request_target")
        serve(github, PR_RULE, target)
        done = run(
            tmp_path, github, "fail", event="pull_request_target", payload=target, communicator_webhook_url=chat.url
        )
        assert (done.returncode, done.outputs["outcome"]) == (10, "FAILED")
        assert (github.issues, chat.bodies) == ([], [])
        [notice] = [line for line in annotations_of(done, "notice") if "automations" in line]
        assert "automations skipped: this pull request comes from a fork" in notice

    def test_a_rule_for_every_run_leaves_pull_requests_alone(
        self, tmp_path: Path, github: FakeGitHub, chat: ChatWebhook
    ) -> None:
        serve(github, EVERY_RUN, PR)
        done = run(tmp_path, github, "fail", event="pull_request", communicator_webhook_url=chat.url)
        assert done.outputs["outcome"] == "FAILED"
        assert (github.issues, chat.bodies) == ([], [])
        assert "automations: 1 rule not in this run's scope" in done.stdout

    def test_a_rule_scoped_to_the_pull_request_profile_acts(
        self, tmp_path: Path, github: FakeGitHub, chat: ChatWebhook
    ) -> None:
        serve(github, PR_RULE, PR)
        run(tmp_path, github, "fail", event="pull_request", communicator_webhook_url=chat.url)
        [issue] = github.issues
        assert issue["title"] == f"Aikido: 4 new issues on pull request #{PR['number']}"
        assert len(chat.bodies) == 1


class TestHostileAnswers:
    """Aikido's answer text reaches the chat webhook inert"""

    def test_the_scan_link_cannot_leak_the_key_ping_or_disguise(
        self, tmp_path: Path, github: FakeGitHub, chat: ChatWebhook
    ) -> None:
        github.files[(REPO, PATH, PUSH["after"])] = EVERY_RUN
        done = run(tmp_path, github, "hostile-link", communicator_webhook_url=chat.url)
        assert done.outputs["outcome"] == "FAILED"
        [body] = chat.bodies
        assert body["text"].startswith(
            "Aikido gate FAILED (1 new issue) on octo-org/octo-repo main https://app.aikido.dev/featurebranch/scan/1?k="
        )
        assert_inert(chat.bodies)
        [issue] = github.issues
        assert as_read(KEY) not in as_read(issue["title"] + issue["body"])
