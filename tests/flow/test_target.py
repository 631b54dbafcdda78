"""gate.flow.target: the scan's target from the event, the overrides and, only where needed, GitHub's look-ups."""

from __future__ import annotations

import pytest

from gate.core.errors import EventError
from gate.core.event import EventFacts, Overrides, read_event
from gate.flow.target import resolve_release_target, resolve_target
from tests.conftest import sample
from tests.support.ports import FakeLookups

BASE = "9049f1265b7d61be4a8904a9a27120d2064dab3b"
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
RUN_SHA = "c0ffee0000000000000000000000000000000001"


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
