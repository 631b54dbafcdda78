"""gate.core.actions: the registry of action kinds, and the policy model that reads its schema from it."""

from __future__ import annotations

import dataclasses

import pytest

from gate.core import actions, policy
from gate.core.actions import KINDS, REFUSED, ActionKind, needs_of
from gate.core.errors import PolicyError
from gate.core.policy import validate

RULE = {"name": "r", "events": [{"eventType": "scan_failed", "actions": [{"actionType": "ping_pager"}]}]}


def test_every_kind_says_what_it_does_and_the_input_it_needs() -> None:
    assert all(kind.does for kind in KINDS.values())
    assert [kind.type for kind in KINDS.values() if not kind.needs] == ["send_email"]  # its instance has it all
    assert needs_of() == "create_issue needs github-token, send_to_communicator needs communicator-webhook-url"


def test_a_refused_type_is_not_a_kind() -> None:
    assert set(REFUSED).isdisjoint(KINDS)


def test_a_new_kind_is_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model takes its action types from the registry: a kind added there is accepted with its options."""
    pager = ActionKind(
        "ping_pager",
        "pages the on-call",
        "pager-key",
        "pingPagerOptions",
        {"type": "object", "additionalProperties": False, "properties": {"urgency": {"enum": ["high", "low"]}}},
    )
    with pytest.raises(PolicyError, match=r'"ping_pager" is not one of create_issue, send_to_communicator, send_email'):
        validate({"version": 1, "automations": [RULE]}, {}, "p.yml")
    monkeypatch.setattr(actions, "KINDS", {**KINDS, pager.type: pager})
    monkeypatch.setattr(policy, "KINDS", actions.KINDS)
    monkeypatch.setattr(policy, "SCHEMA", policy.build_schema())
    with_options = dataclasses.replace(pager).options
    rule = {
        **RULE,
        "events": [
            {"eventType": "scan_failed", "actions": [{"actionType": "ping_pager", with_options: {"urgency": "high"}}]}
        ],
    }
    [automation] = validate({"version": 1, "automations": [rule]}, {}, "p.yml").automations
    [action] = automation.actions()
    assert (action.type, dict(action.options)) == ("ping_pager", {"urgency": "high"})
    wrong = {
        **RULE,
        "events": [{"eventType": "scan_failed", "actions": [{"actionType": "create_issue", with_options: {}}]}],
    }
    with pytest.raises(PolicyError, match="pingPagerOptions: belongs to actionType ping_pager"):
        validate({"version": 1, "automations": [wrong]}, {}, "p.yml")
