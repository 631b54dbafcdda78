"""The exception hierarchy: every failure the user should read as one clear line."""


class GateError(Exception):
    """The gate could not decide. The message is one line, safe to show the user."""


class ConfigError(GateError):
    """An input or the runner's environment is wrong; the message names the input."""


class EventError(GateError):
    """The event payload lacks something the scan needs, or is malformed."""


class GitHubLookupFailed(GateError):
    """The GitHub API could not tell us a commit's parent or the repository id."""


class AikidoError(GateError):
    """Aikido's API failed, refused the request or answered something unexpected."""


class AuthenticationFailed(AikidoError):
    """Aikido refused the secret key (401/403)."""


class RequestRejected(AikidoError):
    """Aikido refused the request with a 4xx other than 401/403."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class UnexpectedAnswer(AikidoError):
    """A 2xx answer that is not what the API page says (HTML, missing fields)."""


class AikidoUnreachable(AikidoError):
    """Transient faults lasted until the deadline: no answer we could use."""


class OutOfTime(AikidoUnreachable):
    """The deadline passed before Aikido gave a usable answer (while waiting for the scan: a timeout)."""
