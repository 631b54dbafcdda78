"""The plugins a policy file's `instances` may name, each declared once: its pluginId, its options, what it does.

The registry of kinds, after Invicti's plugin instances. The policy model (gate.core.policy) reads
each plugin's schema from here; the wiring (gate.boot.wiring) reads the variables its `secrets`
name and builds its adapter; the after-verdict flow (gate.flow.automations) posts with its
`render`. Adding a communicator is one entry here, one renderer in gate.core.chat.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from gate.core.actions import ADDRESSES, EMAIL_ADDRESS
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
JIRA_URL = (
    "must be an https:// URL of Jira (plain http only to this machine), without user:password@, query or fragment"
)
# Jira's default workflows close with a transition named Done.
DONE_TRANSITION = "Done"
_JIRA_OPTIONS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["url", "project", "issueType", "tokenEnv"],
    "properties": {
        "url": {
            "type": "string",
            "minLength": 1,
            "maxLength": 500,
            "description": "Jira's address: https://acme.atlassian.net (Cloud), https://jira.acme.com (Data Center).",
        },
        "project": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100,
            "pattern": "^[A-Z][A-Z0-9_]*$",
            "description": "The project's key: SEC.",
        },
        "issueType": {"type": "string", "minLength": 1, "maxLength": 100, "description": "Bug, Task…"},
        "user": {
            "type": "string",
            "minLength": 1,
            "maxLength": 254,
            "description": "Jira Cloud: the account's e-mail, with its API token (basic auth); absent: a personal "
            "access token (Data Center, bearer).",
        },
        "tokenEnv": _VARIABLE,
        "doneTransition": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100,
            "description": f"The transition that closes an issue (absent: {DONE_TRANSITION}).",
        },
    },
}


def _jira_check(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the schema cannot say of a Jira instance's options: its URL's scheme and host, the project's key."""
    found = []
    url = options.get("url")
    if isinstance(url, str) and url and url_problem(url, JIRA_URL, whole=False):
        found.append(("url", JIRA_URL))
    project = options.get("project")
    if isinstance(project, str) and project and not re.fullmatch(r"[A-Z][A-Z0-9_]*", project):
        found.append(("project", "must be a project's key: capital letters, digits and _, starting with a letter"))
    return found


JIRA = Plugin(
    "jira", "Jira issues (Cloud or Data Center, REST)", ("create_issue",), "jira", _JIRA_OPTIONS, ("tokenEnv",),
    example="{url: https://acme.atlassian.net, project: SEC, issueType: Bug, tokenEnv: JIRA_API_TOKEN}",
    check=_jira_check,
)  # fmt: skip
# How an email instance speaks to its relay: STARTTLS on the submission port, TLS from the first byte, or plain
# SMTP (to this machine only: the password and the mail would cross the network in the clear).
SECURITY = ("starttls", "tls", "plain")
DEFAULT_PORT = {"starttls": 587, "tls": 465, "plain": 25}
_EMAIL = {
    "type": "object",
    "additionalProperties": False,
    "required": ["host", "from", "to"],
    "properties": {
        "host": {
            "type": "string",
            "minLength": 1,
            "maxLength": 253,
            "pattern": "^[A-Za-z0-9.:-]+$",
            "x-mismatch": "is not a host name or IP address",
            "description": "The SMTP relay's host name.",
        },
        "port": {"type": "integer", "minimum": 1, "maximum": 65535, "description": "Absent: 587, 465 or 25."},
        "security": {"enum": list(SECURITY), "description": "Absent: starttls; plain only to this machine."},
        "from": {**EMAIL_ADDRESS, "description": "The sender's address."},
        "to": {**ADDRESSES, "description": "The recipients (an action's sendEmailOptions.to may replace them)."},
        "user": {
            "type": "string",
            "minLength": 1,
            "maxLength": 254,
            "pattern": "^[^\\x00-\\x1f\\x7f]+$",
            "x-mismatch": "must be one line without control characters",
            "description": "The user AUTH logs in as, with passwordEnv (both or neither).",
        },
        "passwordEnv": {**_VARIABLE, "description": "The variable that holds the user's password."},
    },
}


def email_problems(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the schema cannot say of an email instance: plain SMTP only to this machine, user and password together."""
    found = []
    host = options.get("host")
    if options.get("security") == "plain" and isinstance(host, str) and host.lower() not in _LOOPBACK:
        found.append(
            (
                "security",
                "plain sends the mail (and the password) in the clear: only to this machine (host localhost, "
                "127.0.0.1 or ::1); use starttls or tls",
            )
        )
    if "user" in options and "passwordEnv" not in options:
        found.append(("passwordEnv", "is required with user: the variable that holds its password (both or neither)"))
    if "passwordEnv" in options and "user" not in options:
        found.append(("user", "is required with passwordEnv: the user AUTH logs in as (both or neither)"))
    return found


EMAIL = Plugin(
    "email", "an SMTP relay (a plain-text mail)", ("send_email",), "email", _EMAIL, ("passwordEnv",),
    example="{host: smtp.example.com, from: ADDRESS, to: [ADDRESS]}", check=email_problems,
)  # fmt: skip
PLUGINS = {plugin.id: plugin for plugin in (GITHUB_ISSUES, SLACK, TEAMS, WEBHOOK, JIRA, EMAIL)}
# Invicti's plugins this gate does not have (none now): pluginId -> why, and what to use instead.
REFUSED: dict[str, str] = {}


WEBHOOK_URL = "must be an https:// webhook URL (plain http only to this machine), without user:password@"


def url_problem(url: str, problem: str = WEBHOOK_URL, *, whole: bool = True) -> str | None:
    """Why a URL cannot be used (`problem`, in words that never quote it: a webhook's URL is the credential), or None.

    https, or plain http to this machine only; never user:password@. A `whole` URL may have a path and query (a
    webhook's); a service's address (`whole` False) may have a path (Jira under /jira), no query or fragment.
    """
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # an unclosed [IPv6] literal
        return problem
    loopback = parts.scheme == "http" and hostname in _LOOPBACK
    if not (parts.scheme == "https" or loopback) or not hostname or "@" in parts.netloc or "\\" in url:
        return problem
    if not whole and (parts.query or parts.fragment or "?" in url or "#" in url):
        return problem
    return None


def reserved(name: str) -> str | None:
    """The reserved prefix a variable's name starts with (any case), or None."""
    return next((prefix for prefix in RESERVED_PREFIXES if name.upper().startswith(prefix)), None)
