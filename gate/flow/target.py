"""What to scan: the event's facts and the overrides (gate.core.event), and what only GitHub can add."""

from __future__ import annotations

from gate.core.event import EventFacts, Overrides, head_and_branch, release_head
from gate.core.models import ScanTarget
from gate.flow.ports import Lookups


def resolve_repository_id(facts: EventFacts, overrides: Overrides, lookups: Lookups) -> str:
    """The repository's node id: the override, the payload, else the GitHub API."""
    return overrides.repository_id or facts.repository_id or lookups.repository_node_id()


def resolve_target(facts: EventFacts, overrides: Overrides, lookups: Lookups) -> ScanTarget:
    """The scan's target: overrides first, then the event, then the GitHub API (a new branch's base)."""
    head, branch = head_and_branch(facts, overrides)
    base = overrides.base_commit or facts.base_commit or lookups.parent_of(head)
    repository_id = resolve_repository_id(facts, overrides, lookups)
    return ScanTarget(
        repository_id=repository_id,
        base_commit=base,
        head_commit=head,
        branch=branch,
        pr_url=facts.pr_url,
        pr_title=facts.pr_title,
    )


def resolve_release_target(
    facts: EventFacts, overrides: Overrides, lookups: Lookups, *, base_branch: str | None
) -> ScanTarget:
    """A release gate's target: one commit (gate.core.event.release_head), and the repository."""
    head = release_head(facts, overrides)
    return ScanTarget(
        repository_id=resolve_repository_id(facts, overrides, lookups),
        base_commit=None,
        head_commit=head,
        branch=overrides.branch or facts.branch,
        release_gating=True,
        base_branch=base_branch,
    )
