"""From webhook payloads (shaped like GitHub's documented examples) to the scan's target."""

from __future__ import annotations

import json

import pytest

from gate.core.errors import EventError
from gate.core.event import PAYLOAD_LIMIT, EventFacts, Overrides, head_and_branch, parse_payload, read_event
from tests.conftest import sample

BASE = "9049f1265b7d61be4a8904a9a27120d2064dab3b"
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
RUN_SHA = "c0ffee0000000000000000000000000000000001"


class TestReadEvent:
    """read_event"""

    @pytest.mark.parametrize("name", ["pull_request", "pull_request_target"])
    def test_pull_request(self, name: str) -> None:
        facts = read_event(name, sample("pull_request"))
        assert (facts.repository_id, facts.base_commit, facts.head_commit) == ("R_kgDOLrq3yg", BASE, HEAD)
        assert facts.branch == "feature/login-form"
        assert (facts.pr_url, facts.pr_title) == ("https://github.com/octo-org/octo-repo/pull/42", "Add the login form")
        assert (facts.is_fork, facts.is_dependabot) == (False, False)

    @pytest.mark.parametrize("case", ["pull_request_fork", "pull_request_deleted_fork"])
    def test_fork(self, case: str) -> None:
        assert read_event("pull_request", sample(case)).is_fork

    def test_dependabot_by_author_or_actor(self) -> None:
        assert read_event("pull_request", sample("pull_request_dependabot")).is_dependabot
        assert read_event("push", sample("push"), actor="dependabot[bot]").is_dependabot

    def test_push(self) -> None:
        facts = read_event("push", sample("push"))
        assert (facts.base_commit, facts.head_commit, facts.branch) == (BASE, HEAD, "main")
        assert not facts.deleted

    def test_push_new_branch_has_no_base(self) -> None:
        facts = read_event("push", sample("push_new_branch"))
        assert (facts.base_commit, facts.head_commit, facts.branch) == (None, HEAD, "feature/new")

    def test_push_deleting_a_branch(self) -> None:
        assert read_event("push", sample("push_deleted")).deleted

    def test_tag_push_names_the_tag(self) -> None:
        assert read_event("push", sample("push_tag")).branch == "v1.2.0"

    def test_merge_group(self) -> None:
        facts = read_event("merge_group", sample("merge_group"))
        assert (facts.base_commit, facts.head_commit) == (BASE, HEAD)
        assert facts.branch == "gh-readonly-queue/main/pr-42-9049f1265b7d61be4a8904a9a27120d2064dab3b"

    @pytest.mark.parametrize(
        ("name", "ref", "branch"),
        [
            ("workflow_dispatch", "refs/heads/main", "main"),
            ("schedule", "refs/heads/main", "main"),
            ("release", "refs/tags/v1.2.0", "v1.2.0"),
        ],
    )
    def test_commit_runs_use_github_sha_and_ref(self, name: str, ref: str, branch: str) -> None:
        facts = read_event(name, sample(name), sha=RUN_SHA, ref=ref)
        assert (facts.head_commit, facts.branch, facts.base_commit) == (RUN_SHA, branch, None)

    def test_schedule_payload_has_no_repository(self) -> None:
        assert read_event("schedule", sample("schedule"), sha=RUN_SHA, ref="refs/heads/main").repository_id is None

    def test_unsupported_event(self) -> None:
        assert not read_event("issue_comment", sample("issue_comment")).supported

    @pytest.mark.parametrize(
        ("name", "path", "message"),
        [
            ("pull_request", ("pull_request", "head", "sha"), "pull_request.head.sha is missing or not a commit SHA"),
            ("pull_request", ("pull_request", "head", "ref"), "pull_request.head.ref is missing or not a one-line"),
            ("push", ("after",), "after is missing or not a commit SHA"),
            ("merge_group", ("merge_group", "base_sha"), "merge_group.base_sha is missing or not a commit SHA"),
        ],
    )
    def test_malformed_payload_names_the_field(self, name: str, path: tuple[str, ...], message: str) -> None:
        payload = sample({"pull_request": "pull_request", "push": "push", "merge_group": "merge_group"}[name])
        node = payload
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = "not a sha\n" if path[-1] != "ref" else 7
        with pytest.raises(EventError, match=message):
            read_event(name, payload)

    def test_dispatch_without_a_sha(self) -> None:
        with pytest.raises(EventError, match="GITHUB_SHA is missing or not a commit SHA on a workflow_dispatch run"):
            read_event("workflow_dispatch", sample("workflow_dispatch"), sha="", ref="refs/heads/main")


class TestParsePayload:
    """parse_payload"""

    def test_reads_a_json_object(self) -> None:
        assert parse_payload(json.dumps({"a": 1}).encode()) == {"a": 1}

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"{not json", "the event payload at GITHUB_EVENT_PATH is not valid JSON"),
            (b"[1]", "the event payload at GITHUB_EVENT_PATH is not a JSON object"),
        ],
    )
    def test_bad_payload(self, content: bytes, message: str) -> None:
        with pytest.raises(EventError, match=message):
            parse_payload(content)

    def test_invalid_utf8_is_replaced_not_fatal(self) -> None:
        payload = parse_payload(b'{"pull_request": {"title": "cut mid-emoji \xf0\x9f"}}')
        assert payload["pull_request"]["title"] == "cut mid-emoji \ufffd"

    def test_nesting_bomb_is_a_clear_error(self) -> None:
        with pytest.raises(EventError, match="nested too deeply for a webhook payload"):
            parse_payload(b"[" * 200_000 + b"]" * 200_000)

    def test_more_than_github_ever_sends_is_refused_unread(self) -> None:
        with pytest.raises(EventError, match=r"larger than GitHub ever sends \(25 MB\)"):
            parse_payload(b" " * (PAYLOAD_LIMIT + 1))


class TestHeadAndBranch:
    """head_and_branch: what a branch scan needs, the inputs to set named"""

    def test_the_overrides_win(self) -> None:
        facts = EventFacts("push", head_commit="1" * 40, branch="main")
        assert head_and_branch(facts, Overrides(head_commit="2" * 40)) == ("2" * 40, "main")

    def test_no_branch_names_the_input(self) -> None:
        with pytest.raises(EventError, match="the push event names no branch: set branch-name"):
            head_and_branch(EventFacts("push", head_commit="1" * 40), Overrides())


class TestHostilePayloadText:
    """read_event with text an attacker controls (the PR title)"""

    def test_a_lone_surrogate_title_is_replaced_and_encodable(self) -> None:
        payload = sample("pull_request")
        payload["pull_request"]["title"] = "Fix \ud83d \x1b[31mred\x1b[0m \u202eevil"
        facts = read_event("pull_request", payload)
        assert facts.pr_title == "Fix \ufffd red <U+202E>evil"
        assert facts.pr_title is not None
        assert json.dumps(facts.pr_title, ensure_ascii=False).encode()
