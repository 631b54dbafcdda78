"""Every exception the gate raises, in one hierarchy.

`GateFault` is the root. A `GateError` ends the run as ERROR with its message, one line safe to
show. A `GitHubRefused` during the PR comments is a warning and never touches the verdict. The
transport faults (`GaveUp`, `AnswerTooLarge`, `DeadlineReached`) never leave the API clients,
which turn them into a `ServiceError` saying what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from gate.models import SastIssue


class GateFault(Exception):
    """Anything the gate raises on purpose."""


class GateError(GateFault):
    """The gate could not decide. The message is one line, safe to show the user."""


class ConfigError(GateError):
    """An input or the runner's environment is wrong; the message names the input."""


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


class GitHubRefused(GateFault):
    """GitHub refused or failed a comment request; `status` is the HTTP status, 0 when there was no answer.

    Not a GateError: a comment never changes the verdict, so nothing that handles those may catch it.
    """

    service = "GitHub"

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class CommentsInterrupted(GateFault):
    """Posting review comments stopped at a refusal other than 422; carries what was not shown inline."""

    def __init__(self, refusal: GitHubRefused, leftovers: list[SastIssue]) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal
        self.leftovers = leftovers


class DeadlineReached(GateFault):
    """The wall-clock deadline passed while a request was still under way."""


class AnswerTooLarge(GateFault):
    """The answer was cut off at gate.http.MAX_ANSWER_BYTES."""


@dataclass
class GaveUp(GateFault):
    """No usable answer: retries ran out at the deadline, or a fault forbids retrying.

    `response` is the last answer if any. Exactly one of the flags may say why it stopped early.
    """

    reason: str
    attempts: int
    response: httpx.Response | None = None
    # The fault may have reached the server, so retrying could act twice.
    not_retried: bool = False
    # The wall-clock deadline passed during a request (however slowly the server answered).
    deadline: bool = False
    # The server asked for a wait (Retry-After, seconds) that ends past the deadline.
    asked_for: float | None = None
    # CONNECT_ATTEMPTS connections were refused or their host did not resolve.
    cannot_connect: bool = False
    # The server's TLS certificate could not be verified: no retry would change that.
    untrusted: bool = False
