"""gate.core.automations: the events a verdict fires, the tracking issue's key and texts, the chat line."""

from __future__ import annotations

import dataclasses
import re

import pytest

from gate.core.automations import (
    Where,
    applies,
    chat_text,
    fired,
    issue_body,
    issue_marker,
    issue_title,
    lacking,
    ref_kind,
)
from gate.core.models import parse_scan_status
from gate.core.policy import Action, Automation
from gate.core.sanitize import add_secrets
from gate.core.verdict import ReleaseGate, Verdict, decide, error, skipped, timed_out
from tests.support.answers import DEFAULT_DONE, FEATURE_DONE

MAIN = Where(
    "octo-org/octo-repo",
    "branch",
    "main",
    "c0ffee" * 6 + "1234",
    "https://github.com/o/r/actions/runs/7",
    "CI",
    "aikido",
    "",
)
RULE = Automation("Track", True, None, (("vulnerability_found", (Action("create_issue"),)),))
FAILED = decide(parse_scan_status(FEATURE_DONE), scan_id=1, report_only=False)
PASSED = decide(
    parse_scan_status(FEATURE_DONE | {"gate_passed": True, "new_issues_found": 0}), scan_id=1, report_only=False
)


class TestRefKind:
    """ref_kind: what a run is about, as a rule's scope and key see it"""

    @pytest.mark.parametrize(
        ("event", "numbered", "tag", "kind"),
        [
            ("pull_request", True, None, "pull request"),
            ("pull_request_target", True, None, "pull request"),
            ("pull_request", False, None, "branch"),  # a payload without its number
            ("merge_group", False, None, "branch"),
            ("push", False, None, "branch"),
            ("push", False, "v1.2.0", "release"),
            ("workflow_dispatch", False, "v1", "release"),
            ("release", False, None, "release"),
            ("schedule", False, None, "branch"),
        ],
    )
    def test_each_event(self, event: str, numbered: bool, tag: str | None, kind: str) -> None:
        assert ref_kind(event, numbered=numbered, tag=tag) == kind


class TestFired:
    """fired"""

    @pytest.mark.parametrize(
        ("verdict", "events"),
        [
            (PASSED, {"scan_done", "report_created"}),
            (FAILED, {"scan_done", "vulnerability_found", "vulnerability_created", "report_created"}),
            (
                decide(parse_scan_status(FEATURE_DONE), scan_id=1, report_only=True),
                {"scan_done", "vulnerability_found", "vulnerability_created", "report_created"},
            ),
            (error("boom"), {"scan_failed", "report_created"}),
            (
                timed_out(scan_id=1, seconds=5, fail_on_timeout=True, status=None),
                {"scan_failed", "report_created"},
            ),
            (skipped("fork"), set()),
        ],
    )
    def test_the_events(self, verdict: Verdict, events: set[str]) -> None:
        assert fired(verdict) == events

    def test_a_release_gate_with_open_issues(self) -> None:
        verdict = decide(parse_scan_status(DEFAULT_DONE), scan_id=1, report_only=False)
        assert "vulnerability_found" in fired(verdict)

    def test_a_release_gate_creates_no_vulnerability(self) -> None:
        """Open issues on a release were there before: nothing was introduced by a change."""
        release = ReleaseGate(commit="c0ffee" * 6 + "1234", minimum_severity="HIGH")
        status = parse_scan_status(FEATURE_DONE)
        verdict = dataclasses.replace(decide(status, scan_id=1, report_only=False), release=release)
        assert "vulnerability_found" in fired(verdict)
        assert "vulnerability_created" not in fired(verdict)

    def test_the_strongest_event_names_the_issue(self) -> None:
        assert issue_title("vulnerability_created", FAILED, MAIN) == issue_title("vulnerability_found", FAILED, MAIN)
        assert issue_title("report_created", PASSED, MAIN) == "Aikido: report of the run on main (SUCCEEDED)"


class TestIssue:
    """issue_marker, issue_title, issue_body"""

    def test_one_key_per_rule_workflow_job_leg_and_ref_releases_share_one(self) -> None:
        other_branch = dataclasses.replace(MAIN, ref_name="dev")
        assert issue_marker(RULE, MAIN) != issue_marker(RULE, other_branch)
        v1 = Where("o/r", "release", "v1.0.0", "a" * 40, "", "CI", "aikido", "")
        v2 = Where("o/r", "release", "v1.0.1", "b" * 40, "", "CI", "aikido", "")
        assert issue_marker(RULE, v1) == issue_marker(RULE, v2)

    def test_the_title_says_what_and_where(self) -> None:
        assert issue_title("vulnerability_found", FAILED, MAIN) == "Aikido: 1 new issue on main"
        assert issue_title("scan_failed", error("x"), MAIN) == "Aikido: the scan gave no result on main (ERROR)"
        release = decide(parse_scan_status(DEFAULT_DONE), scan_id=1, report_only=False)
        gate = Where("o/r", "release", "v1", "a" * 40, "", "CI", "aikido", "")
        release = dataclasses.replace(release, release=ReleaseGate("a" * 40, "HIGH", None))
        assert issue_title("vulnerability_found", release, gate) == "Aikido: 2 open issues in releases"

    def test_the_body_has_the_counts_the_link_the_commit_and_the_run(self) -> None:
        body = issue_body("<!-- m -->", FAILED, MAIN, Action("create_issue", {"assignees": ["octocat"]}))
        assert body.startswith("<!-- m -->\n### ❌ Aikido security gate failed")
        assert "| New dependency issues | 1 |" in body
        assert "[Open the scan in Aikido](https://app.aikido.dev/featurebranch/scan/1?groupId=1)" in body
        assert "commit `c0ffeec0ffee` of `main`" in body
        assert "[the run](https://github.com/o/r/actions/runs/7)" in body
        assert "Assigned to `octocat`." in body


class TestChatText:
    """chat_text"""

    def test_one_line_with_the_link(self) -> None:
        assert chat_text(FAILED, MAIN) == (
            "Aikido gate FAILED (1 new issue) on octo-org/octo-repo main https://app.aikido.dev/featurebranch/scan/1?groupId=1"
        )

    def test_a_hostile_branch_cannot_ping_or_format(self) -> None:
        where = Where("o/r", "branch", "x<!channel>@here&\x1b[31m", "a" * 40, "", "CI", "j", "")
        text = chat_text(PASSED, where)
        assert "<" not in text.split(" https://")[0]
        assert "&lt;!channel&gt;@\u200bhere&amp;" in text
        assert "\x1b" not in text

    def test_a_hostile_link_cannot_leak_ping_or_disguise(self) -> None:
        """Aikido's diff_url is answer text: a trusted host does not make its path and query safe"""
        key = "AIK_CI_sekritKey0123456789"
        add_secrets([key])
        markup = f"?k={key}&n=<!channel>&u=<@U123>&l=<https://evil.example|Open_the_scan>"
        status = parse_scan_status(FEATURE_DONE | {"diff_url": "https://app.aikido.dev/featurebranch/scan/1" + markup})
        text = chat_text(decide(status, scan_id=1, report_only=False), MAIN)
        assert key not in text
        assert "sekrit" not in text
        assert not re.search(r"[<>|]", text), text
        assert text.startswith(
            "Aikido gate FAILED (1 new issue) on octo-org/octo-repo main https://app.aikido.dev/featurebranch/scan/1?k=***"
        )


class TestScope:
    """applies, lacking: which rules a run sets off, and which inputs they miss"""

    PR = dataclasses.replace(MAIN, ref_kind="pull request", ref_name="42")
    SCOPED = dataclasses.replace(RULE, name="Scoped", profiles=("Pull requests",))

    def test_a_rule_for_every_run_leaves_pull_requests_alone(self) -> None:
        assert (applies(RULE, None, MAIN), applies(RULE, "Pull requests", self.PR)) == (True, False)

    def test_a_rule_naming_the_profile_acts_on_its_pull_requests(self) -> None:
        assert (applies(self.SCOPED, "Pull requests", self.PR), applies(self.SCOPED, "Other", self.PR)) == (True, False)

    def test_a_disabled_rule_never_applies(self) -> None:
        assert not applies(dataclasses.replace(RULE, enabled=False), None, MAIN)

    def test_each_missing_input_names_the_rules_that_need_it(self) -> None:
        chat = Automation("Chat", True, None, (("scan_failed", (Action("send_to_communicator"),)),))
        both = dataclasses.replace(chat, name="Both", events=(*chat.events, *RULE.events))
        missing = frozenset({"github-token", "communicator-webhook-url"})
        assert lacking([RULE, chat, both], missing) == {
            "github-token": ["Track", "Both"],
            "communicator-webhook-url": ["Chat", "Both"],
        }
        assert lacking([RULE, chat, both], frozenset()) == {}
