"""Every exception the gate raises, in one hierarchy.

`GateFault` is the root. A `GateError` ends the run as ERROR with its message, one line safe to
show. A `GitHubRefused` during the PR comments is a warning and never touches the verdict. The
transport's faults (`gate.net.faults`) never leave the API clients, which turn them into a
`ServiceError` saying what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

# What a comment could not show: gate.core.models.SastIssue, named by the flow (models imports this module).
_Leftover = TypeVar("_Leftover")


class GateFault(Exception):
    """Anything the gate raises on purpose."""


class GateError(GateFault):
    """The gate could not decide. The message is one line, safe to show the user."""


class ConfigError(GateError):
    """An input or the runner's environment is wrong; the message names the input."""


class PolicyMissing(ConfigError):
    """The policy file policy-file names does not exist where it is read."""


class PolicyError(ConfigError):
    """The policy file is wrong; the message lists every problem, each with its place.

    `problems` holds them one by one, each with its `line N:` where known, for a renderer that
    shows one a line (all of them: up to a few thousand for a file of 64 KiB, so cut them there).
    An error made from a message alone has that message as its one problem.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems) or (message,)


class EventError(GateError):
    """The event payload lacks something the scan needs, or is malformed."""


class ServiceError(GateError):
    """An API failed or refused: which service, and the HTTP status (0 when there was no answer)."""

    service = "a service"

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class GitHubLookupFailed(ServiceError):
    """The GitHub API could not tell us a commit's parent or the repository id."""

    service = "GitHub"


class AikidoError(ServiceError):
    """Aikido's API failed, refused the request or answered something unexpected."""

    service = "Aikido"


class AuthenticationFailed(AikidoError):
    """Aikido refused the secret key (401/403)."""


class RequestRejected(AikidoError):
    """Aikido refused the request with a 4xx other than 401/403."""


class UnexpectedAnswer(AikidoError):
    """A 2xx answer that is not what the API page says (HTML, missing fields)."""


class AikidoUnreachable(AikidoError):
    """Transient faults lasted until the deadline: no answer we could use."""


class OutOfTime(AikidoUnreachable):
    """The deadline passed before Aikido gave a usable answer (while waiting for the scan: a timeout)."""


class Refused(GateFault):
    """A service written to after the verdict refused or failed; `status` is the HTTP status, 0 without an answer.

    Not a GateError: what happens after the verdict never changes it, so nothing that handles those may catch it.
    """

    service = "a service"

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class GitHubRefused(Refused):
    """GitHub refused or failed a comment or issue request."""

    service = "GitHub"


class WebhookRefused(Refused):
    """The chat webhook (communicator-webhook-url) refused or could not be reached."""

    service = "the chat webhook"


class JiraRefused(Refused):
    """Jira refused or failed a tracking issue's request, or answered what Jira never answers; the message names what
    to fix (the token, the permissions, the project or URL, the transition)."""

    service = "Jira"


class MailRefused(Refused):
    """An email instance's SMTP relay refused the message or could not be reached; `status` is its SMTP reply code."""

    service = "the SMTP relay"


class CommentsInterrupted(GateFault, Generic[_Leftover]):
    """Posting review comments stopped at a refusal other than 422; carries what was not shown inline."""

    def __init__(self, refusal: GitHubRefused, leftovers: list[_Leftover]) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal
        self.leftovers = leftovers
