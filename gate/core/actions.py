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
# An e-mail address as a relay takes it in MAIL FROM and RCPT TO: ASCII name@domain, no display name, no space,
# quote or line break (so nothing a header could be injected through), at most RFC 5321's 254 characters.
EMAIL_ADDRESS = {
    "type": "string",
    "minLength": 3,
    "maxLength": 254,
    "pattern": (
        r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
    ),
    "x-mismatch": "is not an e-mail address: name@domain in ASCII, without a display name, spaces or quotes",
}
ADDRESSES = {"type": "array", "minItems": 1, "maxItems": 50, "uniqueItems": True, "items": EMAIL_ADDRESS}


@dataclass(frozen=True)
class ActionKind:
    """One actionType: what it does, the input it writes with, and its options (a key of its own, or none)."""

    type: str
    does: str
    needs: str  # empty: the action needs no input, only the instance it names
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
SEND_EMAIL = ActionKind(
    "send_email",
    "sends an e-mail through an email instance's SMTP relay",
    "",  # no input: its email instance holds all it needs
    "sendEmailOptions",
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["instanceId"],
        "properties": {
            "instanceId": {**INSTANCE_ID, "description": "An email instance."},
            "to": {
                **ADDRESSES,
                "description": "The recipients, in place of the instance's to (fewer narrow it, others add to it).",
            },
        },
    },
)
KINDS = {kind.type: kind for kind in (CREATE_ISSUE, SEND_TO_COMMUNICATOR, SEND_EMAIL)}
# Invicti's action types this gate refuses, and why.
REFUSED: dict[str, str] = {}


def needs_of(kinds: Mapping[str, ActionKind] = KINDS) -> str:
    """Which input each action needs, in words: `create_issue needs github-token, …`."""
    return ", ".join(f"{kind.type} needs {kind.needs}" for kind in kinds.values() if kind.needs)
