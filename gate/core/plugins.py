"""The plugins a policy file's `instances` may name, each declared once: its pluginId, its options, what it does.

The registry of kinds, after Invicti's plugin instances. The policy model (gate.core.policy) reads
each plugin's schema from here; the wiring (gate.boot.wiring) reads the variables its `secrets`
name and builds its adapter; the after-verdict flow (gate.flow.automations) posts with its
`render`. Adding a communicator is one entry here, one renderer in gate.core.chat.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from gate.core.chat import ChatNews, slack_message, teams_message, webhook_message

# The runner's and the action's own variables: an instance never reads one (GITHUB_TOKEN is no webhook).
RESERVED_PREFIXES = ("GITHUB_", "ACTIONS_", "RUNNER_", "INPUT_")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_VARIABLE = {
    "type": "string",
    "minLength": 1,
    "maxLength": 100,
    "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
    "description": "The environment variable that holds the secret (set in the step's env: from a secret).",
}
_URL_ENV = {
    "type": "object",
    "additionalProperties": False,
    "required": ["urlEnv"],
    "properties": {"urlEnv": _VARIABLE},
}


@dataclass(frozen=True)
class Plugin:
    """One pluginId: the actions its instances serve, its options (under a key of its own, or none), and the
    option keys that name a variable holding a secret (`{urlEnv: NAME}`)."""

    id: str
    does: str
    serves: tuple[str, ...]
    options: str | None = None
    options_schema: Mapping[str, Any] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    render: Callable[[ChatNews], dict[str, Any]] | None = None
    # Its options in brief, for the message when they are missing.
    example: str = "{urlEnv: NAME}"
    # What the schema cannot say of its options (a URL's scheme and host): (key, problem) pairs, reported
    # with the file's other problems before any scan.
    check: Callable[[Mapping[str, Any]], list[tuple[str, str]]] | None = None


GITHUB_ISSUES = Plugin("github-issues", "tracking issues in this repository (github-token)", ("create_issue",))
SLACK = Plugin(
    "slack", "a Slack incoming webhook (Block Kit)", ("send_to_communicator",), "slack", _URL_ENV, ("urlEnv",),
    slack_message,
)  # fmt: skip
TEAMS = Plugin(
    "teams", "a Teams Workflows webhook (an Adaptive Card)", ("send_to_communicator",), "teams", _URL_ENV,
    ("urlEnv",), teams_message,
)  # fmt: skip
WEBHOOK = Plugin(
    "webhook", 'an incoming webhook that takes {"text": ...}', ("send_to_communicator",), "webhook", _URL_ENV,
    ("urlEnv",), webhook_message,
)  # fmt: skip
PLUGINS = {plugin.id: plugin for plugin in (GITHUB_ISSUES, SLACK, TEAMS, WEBHOOK)}
# Invicti's plugins this gate does not have yet, and what to use meanwhile.
REFUSED = {
    "jira": "pluginId jira is not supported yet (issue #28): use github-issues for create_issue",
    "email": (
        "pluginId email is not supported yet: GitHub's runners have no mail relay; use github-issues (GitHub mails "
        "the assignees and watchers) or a slack, teams or webhook instance"
    ),
}


def url_problem(url: str) -> str | None:
    """Why a webhook URL cannot be used, in words that never quote it (it is the credential), or None."""
    parts = urlsplit(url)
    loopback = parts.scheme == "http" and parts.hostname in _LOOPBACK
    if not (parts.scheme == "https" or loopback) or not parts.hostname or "@" in parts.netloc or "\\" in url:
        return "must be an https:// webhook URL (plain http only to this machine), without user:password@"
    return None


def reserved(name: str) -> str | None:
    """The reserved prefix a variable's name starts with (any case), or None."""
    return next((prefix for prefix in RESERVED_PREFIXES if name.upper().startswith(prefix)), None)
