"""The actions an automation rule may take, each declared once: its actionType, its options, the input it needs.

The registry of kinds. The policy file's model (gate.core.policy) reads its schema from here, and
the after-verdict flow (gate.flow.automations) has one handler per kind. Adding an action is one
entry here, one handler there, and the adapter behind its port.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_LABEL = {"type": "string", "minLength": 1, "maxLength": 50}
_LOGIN = {"type": "string", "minLength": 1, "maxLength": 39}
# An instance of the policy file's `instances` (gate.core.plugins): the action goes through it.
INSTANCE_ID = {"type": "string", "minLength": 1, "maxLength": 100}


@dataclass(frozen=True)
class ActionKind:
    """One actionType: what it does, the input it writes with, and its options (a key of its own, or none)."""

    type: str
    does: str
    needs: str
    options: str | None = None
    options_schema: Mapping[str, Any] = field(default_factory=dict)
    # It acts on every run of its rule in scope, also when none of its events fired: a tracking
    # issue closes itself on a clean run.
    on_every_run: bool = False


CREATE_ISSUE = ActionKind(
    "create_issue",
    "opens, updates and closes a tracking issue",
    "github-token",
    "createIssueOptions",
    {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "labels": {"type": "array", "uniqueItems": True, "items": _LABEL},
            "assignees": {"type": "array", "uniqueItems": True, "items": _LOGIN},
            "instanceId": {**INSTANCE_ID, "description": "A github-issues or jira instance (absent: GitHub Issues)."},
        },
    },
    on_every_run=True,
)
SEND_TO_COMMUNICATOR = ActionKind(
    "send_to_communicator",
    "posts a message to a chat webhook",
    "communicator-webhook-url",
    "sendToCommunicatorOptions",
    {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "instanceId": {
                **INSTANCE_ID,
                "description": "A slack, teams or webhook instance (absent: communicator-webhook-url).",
            },
        },
    },
)
KINDS = {kind.type: kind for kind in (CREATE_ISSUE, SEND_TO_COMMUNICATOR)}
# Invicti's action types this gate refuses, and why.
REFUSED = {
    "send_email": (
        f"send_email is not supported: GitHub's runners have no mail relay; use {CREATE_ISSUE.type} (GitHub notifies "
        f"the assignees and watchers by mail) or {SEND_TO_COMMUNICATOR.type} (a chat webhook)"
    ),
}


def needs_of(kinds: Mapping[str, ActionKind] = KINDS) -> str:
    """Which input each action needs, in words: `create_issue needs github-token, …`."""
    return ", ".join(f"{kind.type} needs {kind.needs}" for kind in kinds.values())
