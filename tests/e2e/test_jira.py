"""A Jira instance end to end: the action's runs keep one Jira issue through its life (a fake Jira on loopback)."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.aikido import AikidoEmulator
from emulator.github import REPO, FakeGitHub
from emulator.jira import BOT_EMAIL, TOKEN, FakeJira
from emulator.runner import ActionRun
from tests.conftest import KEY, sample
from tests.support.action import act, annotations_of
from tests.support.leak import as_read

PATH = ".github/aikido-gate.yml"
PUSH = sample("push")
POLICY = """\
version: 1
instances:
  - instanceId: jira-prod
    pluginId: jira
    jira: {{url: {url}, project: SEC, issueType: Bug, {user}tokenEnv: JIRA_API_TOKEN, doneTransition: Done}}
automations:
  - name: Release gate to Jira
    events:
      - eventType: vulnerability_found
        actions:
          - actionType: create_issue
            createIssueOptions: {{instanceId: jira-prod, labels: [security]}}
"""
RULE = "Release gate to Jira"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira() as fake:
        yield fake


def run(
    tmp_path: Path, github: FakeGitHub, jira: FakeJira, scenario: str, env: dict[str, str] | None = None
) -> ActionRun:
    """A push to main judged by `scenario`, the file naming `jira` (Cloud's user, or none on Data Center)."""
    user = f"user: {BOT_EMAIL}, " if jira.cloud else ""
    github.files[(REPO, PATH, PUSH["after"])] = POLICY.format(url=jira.url, user=user)
    with AikidoEmulator(scenario) as emulator:
        done = act(
            tmp_path,
            emulator,
            event="push",
            env={"GITHUB_API_URL": github.api_url, "GITHUB_REPOSITORY": REPO, "JIRA_API_TOKEN": TOKEN} | (env or {}),
            inputs={"policy-file": PATH},
        )
    assert_hidden(done)
    return done


def assert_hidden(done: ActionRun) -> None:
    """The token, as given, URL-encoded, and in the basic auth header's base64, only in its ::add-mask:: lines."""
    basic = base64.b64encode(f"{BOT_EMAIL}:{TOKEN}".encode()).decode()
    forms = [TOKEN, urllib.parse.quote(TOKEN, safe=""), basic, urllib.parse.quote(basic, safe=""), KEY]
    masks = {f"::add-mask::{form}" for form in forms}
    for line in done.stdout.splitlines():
        if line not in masks:
            assert [form for form in forms if as_read(form) in as_read(line)] == [], line
    sinks = done.summary + json.dumps(done.outputs, ensure_ascii=False)
    assert [form for form in forms if as_read(form) in as_read(sinks)] == []


def said(done: ActionRun) -> str:
    [line] = [line for line in done.stdout.splitlines() if line.startswith(f"{RULE}:")]
    return line


class TestLifecycle:
    """Created, updated, moved to done with a comment, reopened: one Jira issue"""

    @pytest.mark.parametrize("cloud", [True, False], ids=["cloud", "data-center"])
    def test_the_life_of_a_jira_issue(self, tmp_path: Path, github: FakeGitHub, cloud: bool) -> None:
        with FakeJira(cloud=cloud) as jira:
            first = run(tmp_path / "1", github, jira, "fail")
            assert (first.returncode, first.outputs["outcome"]) == (10, "FAILED")
            assert said(first) == f"{RULE}: issue SEC-1 created"
            basic = base64.b64encode(f"{BOT_EMAIL}:{TOKEN}".encode()).decode()
            masked = {line for line in first.stdout.splitlines() if line.startswith("::add-mask::")}
            assert {f"::add-mask::{TOKEN}", *([f"::add-mask::{basic}"] if cloud else [])} <= masked
            assert "- Release gate to Jira: issue SEC-1 created\n" in first.summary  # linked only over https
            [issue] = jira.issues
            fields = issue["fields"]
            assert fields["summary"] == "Aikido: 4 new issues on main"
            assert fields["labels"][1:] == ["security"]
            assert re.fullmatch(r"aikido-gate-[0-9a-f]{16}", fields["labels"][0])
            assert (
                "[Open the scan in Aikido|https://app.aikido.dev/featurebranch/scan/1?groupId=1]"
                in (fields["description"])
            )
            assert f"commit {{{{{PUSH['after'][:12]}}}}} of {{{{main}}}}" in fields["description"]

            second = run(tmp_path / "2", github, jira, "hostile")
            assert said(second) == f"{RULE}: issue SEC-1 updated"
            assert fields["summary"] == "Aikido: 1 new issue on main"

            clean = run(tmp_path / "3", github, jira, "pass")
            assert (clean.returncode, said(clean)) == (0, f"{RULE}: issue SEC-1 closed")
            assert jira.status("SEC-1") == "Done"
            [comment] = jira.comments("SEC-1")
            assert comment.startswith(f"Resolved in commit {{{{{PUSH['after'][:12]}}}}}")

            again = run(tmp_path / "4", github, jira, "fail")
            assert said(again) == f"{RULE}: issue SEC-1 reopened"
            assert (jira.status("SEC-1"), len(jira.issues)) == ("To Do", 1)
            for done in (first, second, clean, again):
                assert annotations_of(done, "warning") == []

    def test_a_hostile_answer_reaches_jira_inert(self, tmp_path: Path, github: FakeGitHub, jira: FakeJira) -> None:
        run(tmp_path, github, jira, "hostile")
        [issue] = jira.issues
        text = issue["fields"]["summary"] + issue["fields"]["description"]
        assert as_read(KEY) not in as_read(text)
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)

    def test_a_person_s_issue_with_the_same_summary_and_label_is_untouched(
        self, tmp_path: Path, github: FakeGitHub, jira: FakeJira
    ) -> None:
        run(tmp_path / "1", github, jira, "fail")
        label = jira.issues[0]["fields"]["labels"][0]
        theirs = jira.add_issue("Aikido: 4 new issues on main", "Mine.", labels=(label, "security"))
        run(tmp_path / "2", github, jira, "pass")
        assert (jira.status("SEC-1"), jira.status(theirs["key"]), jira.comments(theirs["key"])) == ("Done", "To Do", [])
        assert [request for request in jira.writes() if theirs["id"] in request.path] == []

    def test_a_copy_left_by_a_racing_run_is_closed_as_its_duplicate(
        self, tmp_path: Path, github: FakeGitHub, jira: FakeJira
    ) -> None:
        run(tmp_path / "1", github, jira, "fail")
        first = jira.issues[0]["fields"]
        copy = jira.add_issue(first["summary"], first["description"], labels=tuple(first["labels"]), by=jira.bot)
        again = run(tmp_path / "2", github, jira, "fail")
        assert said(again) == f"{RULE}: issue SEC-1 unchanged"
        assert (jira.status("SEC-1"), jira.status(copy["key"])) == ("To Do", "Done")
        assert jira.comments(copy["key"]) == ["Duplicate of SEC-1, opened by a run that raced it."]


def edits(jira: FakeJira) -> int:
    """The edits of the tracking issue (each mails its watchers): PUTs to /issue/{id}, its record not counted."""
    return len([request for request in jira.requests if (request.method, request.path) == ("PUT", EDIT)])


EDIT = "/rest/api/2/issue/10001"


class TestRepeatRuns:
    """A run that would write what the issue already says edits nothing, though Cloud reads it back re-rendered"""

    @pytest.mark.parametrize("cloud", [True, False], ids=["cloud", "data-center"])
    def test_the_same_finding_twice_is_unchanged_and_not_edited(
        self, tmp_path: Path, github: FakeGitHub, cloud: bool
    ) -> None:
        with FakeJira(cloud=cloud) as jira:
            assert said(run(tmp_path / "1", github, jira, "fail")) == f"{RULE}: issue SEC-1 created"
            again = run(tmp_path / "2", github, jira, "fail")
            assert (said(again), edits(jira), len(jira.issues)) == (f"{RULE}: issue SEC-1 unchanged", 0, 1)
            assert annotations_of(again, "warning") == []

    @pytest.mark.parametrize("cloud", [True, False], ids=["cloud", "data-center"])
    def test_other_counts_are_one_edit(self, tmp_path: Path, github: FakeGitHub, cloud: bool) -> None:
        with FakeJira(cloud=cloud) as jira:
            run(tmp_path / "1", github, jira, "fail")
            other = run(tmp_path / "2", github, jira, "hostile")
            assert (said(other), edits(jira)) == (f"{RULE}: issue SEC-1 updated", 1)
            assert jira.issues[0]["fields"]["summary"] == "Aikido: 1 new issue on main"
            same = run(tmp_path / "3", github, jira, "hostile")
            assert (said(same), edits(jira)) == (f"{RULE}: issue SEC-1 unchanged", 1)

    def test_an_issue_from_before_the_record_is_edited_once_then_left(
        self, tmp_path: Path, github: FakeGitHub, jira: FakeJira
    ) -> None:
        run(tmp_path / "1", github, jira, "fail")
        jira.issues[0]["properties"].clear()  # as an issue the gate opened before it recorded what it wrote
        first = run(tmp_path / "2", github, jira, "fail")
        assert (said(first), edits(jira)) == (f"{RULE}: issue SEC-1 updated", 1)
        second = run(tmp_path / "3", github, jira, "fail")
        assert (said(second), edits(jira)) == (f"{RULE}: issue SEC-1 unchanged", 1)

    def test_a_record_jira_refused_costs_one_more_edit_and_no_warning(
        self, tmp_path: Path, github: FakeGitHub, jira: FakeJira
    ) -> None:
        jira.answer_with(403, path="/properties/", times=1)
        created = run(tmp_path / "1", github, jira, "fail")
        assert (said(created), jira.issues[0]["properties"]) == (f"{RULE}: issue SEC-1 created", {})
        again = run(tmp_path / "2", github, jira, "fail")
        assert (said(again), edits(jira)) == (f"{RULE}: issue SEC-1 updated", 1)
        assert run(tmp_path / "3", github, jira, "fail").stdout.count(f"{RULE}: issue SEC-1 unchanged") == 1
        assert [annotations_of(done, "warning") for done in (created, again)] == [[], []]


class TestNeverTheVerdict:
    """What goes wrong with Jira is one warning; the verdict stays"""

    def test_a_missing_token_variable_is_one_warning(self, tmp_path: Path, github: FakeGitHub, jira: FakeJira) -> None:
        done = run(tmp_path, github, jira, "fail", env={"JIRA_API_TOKEN": ""})
        assert (done.returncode, done.outputs["outcome"]) == (10, "FAILED")
        [warning] = annotations_of(done, "warning")
        assert warning.endswith(
            f"automation '{RULE}' cannot use instance 'jira-prod': the variable JIRA_API_TOKEN is empty or not set; "
            "set it in the step's env: from a secret, e.g. JIRA_API_TOKEN: ${{ secrets.JIRA_API_TOKEN }}"
        )
        assert jira.requests == []

    def test_jira_down_is_retried_once_then_one_warning(
        self, tmp_path: Path, github: FakeGitHub, jira: FakeJira
    ) -> None:
        jira.answer_with(503, headers={"Retry-After": "1"})
        done = run(tmp_path, github, jira, "fail")
        assert (done.returncode, done.outputs["outcome"]) == (10, "FAILED")
        [warning] = annotations_of(done, "warning")
        assert f"{RULE}: tracking issue not written (Jira at 127.0.0.1:" in warning
        assert (
            "is failing (HTTP 503, and again when retried once) while reading who the token is: instance jira-prod "
            "needs no change; the next run writes again"
        ) in warning
        assert [request.path for request in jira.requests] == ["/rest/api/2/myself"] * 2

    def test_a_wait_past_the_budget_is_not_waited_for(self, tmp_path: Path, github: FakeGitHub, jira: FakeJira) -> None:
        jira.answer_with(503, headers={"Retry-After": "3600"})
        done = run(tmp_path, github, jira, "fail")
        assert done.outputs["outcome"] == "FAILED"
        [warning] = annotations_of(done, "warning")
        assert "is failing (HTTP 503, asking for a wait of 3600 s, past the time left) while reading who" in warning
        assert len(jira.requests) == 1

    def test_a_wrong_token_names_the_variable(self, tmp_path: Path, github: FakeGitHub, jira: FakeJira) -> None:
        done = run(tmp_path, github, jira, "fail", env={"JIRA_API_TOKEN": "not-the-token"})
        assert done.outputs["outcome"] == "FAILED"
        [warning] = annotations_of(done, "warning")
        assert f"set JIRA_API_TOKEN to an API token of {BOT_EMAIL}" in warning
        assert "give the job permissions" not in warning  # GitHub's advice is not Jira's
