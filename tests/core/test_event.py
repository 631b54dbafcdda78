"""From webhook payloads (shaped like GitHub's documented examples) to the scan's target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.core.errors import EventError
from gate.core.event import EventFacts, Overrides, load_payload, read_event, resolve_release_target, resolve_target
from tests.conftest import sample
from tests.support.lookups import FakeLookups

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


class TestResolveTarget:
    """resolve_target"""

    def test_payload_alone_needs_no_lookup(self) -> None:
        lookups = FakeLookups()
        target = resolve_target(read_event("pull_request", sample("pull_request")), Overrides(), lookups)
        assert (target.repository_id, target.base_commit, target.head_commit) == ("R_kgDOLrq3yg", BASE, HEAD)
        assert lookups.calls == []

    def test_new_branch_asks_for_the_parent(self) -> None:
        lookups = FakeLookups()
        target = resolve_target(read_event("push", sample("push_new_branch")), Overrides(), lookups)
        assert target.base_commit == "1" * 40
        assert lookups.calls == [f"parent_of {HEAD}"]

    def test_base_commit_input_avoids_the_lookup(self) -> None:
        lookups = FakeLookups()
        facts = read_event("push", sample("push_new_branch"))
        target = resolve_target(facts, Overrides(base_commit="2" * 40), lookups)
        assert target.base_commit == "2" * 40
        assert lookups.calls == []

    def test_schedule_asks_for_the_repository_id(self) -> None:
        lookups = FakeLookups()
        facts = read_event("schedule", sample("schedule"), sha=RUN_SHA, ref="refs/heads/main")
        target = resolve_target(facts, Overrides(), lookups)
        assert target.repository_id == "R_fromApi"
        assert lookups.calls == [f"parent_of {RUN_SHA}", "repository_node_id"]

    def test_overrides_win(self) -> None:
        overrides = Overrides("R_override", "3" * 40, "4" * 40, "release/1")
        target = resolve_target(read_event("pull_request", sample("pull_request")), overrides, FakeLookups())
        assert (target.repository_id, target.base_commit, target.head_commit, target.branch) == (
            "R_override",
            "3" * 40,
            "4" * 40,
            "release/1",
        )

    def test_unsupported_event_lists_the_supported_ones(self) -> None:
        with pytest.raises(EventError) as caught:
            resolve_target(EventFacts("issue_comment", supported=False), Overrides(head_commit="4" * 40), FakeLookups())
        assert str(caught.value) == (
            "the issue_comment event is not supported; use one of pull_request, pull_request_target, push, "
            "merge_group, workflow_dispatch, schedule, release, or set repository-id, base-commit, head-commit "
            "and branch-name (see https://github.com/aikido-gate/aikido-gate#triggers)"
        )

    def test_unsupported_event_with_every_override(self) -> None:
        overrides = Overrides("R_1", "3" * 40, "4" * 40, "main")
        target = resolve_target(EventFacts("issue_comment", supported=False), overrides, FakeLookups())
        assert target.branch == "main"


class TestResolveReleaseTarget:
    """resolve_release_target: one commit, never a base or a look-up for one"""

    @pytest.mark.parametrize(
        ("event", "sample_name", "head"),
        [
            ("release", "release", RUN_SHA),  # the payload only names the tag; the runner gives the commit
            ("push", "push_tag", HEAD),  # a tag push: `after`, though `before` is all zeros
            ("workflow_dispatch", "workflow_dispatch", RUN_SHA),
            ("push", "push", HEAD),
            ("pull_request", "pull_request", HEAD),
        ],
    )
    def test_the_commit_of_each_event(self, event: str, sample_name: str, head: str) -> None:
        lookups = FakeLookups()
        facts = read_event(event, sample(sample_name), sha=RUN_SHA, ref="refs/tags/v1.2.0")
        target = resolve_release_target(facts, Overrides(), lookups, base_branch="main")
        assert (target.head_commit, target.base_commit, target.release_gating, target.base_branch) == (
            head,
            None,
            True,
            "main",
        )
        assert target.repository_id == "R_kgDOLrq3yg"
        assert lookups.calls == []

    def test_head_commit_input_wins(self) -> None:
        facts = read_event("release", sample("release"), sha=RUN_SHA)
        target = resolve_release_target(facts, Overrides(head_commit="3" * 40), FakeLookups(), base_branch=None)
        assert target.head_commit == "3" * 40

    def test_an_event_without_a_commit_says_which_input_to_set(self) -> None:
        facts = read_event("issue_comment", sample("issue_comment"))
        with pytest.raises(EventError, match="the issue_comment event names no commit to gate as a release: set head"):
            resolve_release_target(facts, Overrides(), FakeLookups(), base_branch=None)


class TestLoadPayload:
    """load_payload"""

    def test_reads_a_json_object(self, tmp_path: Path) -> None:
        path = tmp_path / "event.json"
        path.write_text(json.dumps({"a": 1}))
        assert load_payload(path) == {"a": 1}

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (None, "cannot read the event payload at GITHUB_EVENT_PATH"),
            ("{not json", "the event payload at GITHUB_EVENT_PATH is not valid JSON"),
            ("[1]", "the event payload at GITHUB_EVENT_PATH is not a JSON object"),
        ],
    )
    def test_bad_payload(self, tmp_path: Path, content: str | None, message: str) -> None:
        path = tmp_path / "event.json"
        if content is not None:
            path.write_text(content)
        with pytest.raises(EventError, match=message):
            load_payload(path)

    def test_a_missing_file_is_named(self, tmp_path: Path) -> None:
        path = tmp_path / "gone.json"
        with pytest.raises(EventError) as caught:
            load_payload(path)
        assert str(caught.value).startswith(
            f'cannot read the event payload at GITHUB_EVENT_PATH "{path}" (No such file or directory): '
        )

    def test_unset_path(self) -> None:
        with pytest.raises(EventError, match="GITHUB_EVENT_PATH is not set"):
            load_payload(None)

    def test_invalid_utf8_is_replaced_not_fatal(self, tmp_path: Path) -> None:
        path = tmp_path / "event.json"
        path.write_bytes(b'{"pull_request": {"title": "cut mid-emoji \xf0\x9f"}}')
        assert load_payload(path)["pull_request"]["title"] == "cut mid-emoji \ufffd"

    def test_nesting_bomb_is_a_clear_error(self, tmp_path: Path) -> None:
        path = tmp_path / "event.json"
        path.write_text("[" * 200_000 + "]" * 200_000)
        with pytest.raises(EventError, match="nested too deeply for a webhook payload"):
            load_payload(path)


class TestHostilePayloadText:
    """read_event with text an attacker controls (the PR title)"""

    def test_a_lone_surrogate_title_is_replaced_and_encodable(self) -> None:
        payload = sample("pull_request")
        payload["pull_request"]["title"] = "Fix \ud83d \x1b[31mred\x1b[0m \u202eevil"
        facts = read_event("pull_request", payload)
        assert facts.pr_title == "Fix \ufffd red <U+202E>evil"
        assert facts.pr_title is not None
        assert json.dumps(facts.pr_title, ensure_ascii=False).encode()
