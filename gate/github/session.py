"""PyGithub within a deadline: GitHub's rate limits waited out, its refusals as GitHubRefused, who the token is.

PyGithub's own retries are off: a write is sent again, once, only after GitHub refused it for a
rate limit (so it was not made), never after a 5xx or a lost answer, which could have made it.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
from github import Auth, Github, GithubException
from github.NamedUser import NamedUser
from github.Organization import Organization
from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass, Requester, RequestsResponse

from gate import USER_AGENT
from gate.core.answers import excerpt
from gate.core.clock import Deadline, Sleep
from gate.core.errors import GitHubRefused
from gate.core.numbers import whole_number
from gate.net.faults import DeadlineReached
from gate.net.http import MIN_RETRY_WAIT, host_and_port, retry_after_seconds, wall_clock_limit
from gate.net.proxy import proxy_variable

T = TypeVar("T")
# GitHub asks for at least a minute after a secondary rate limit without Retry-After.
SECONDARY_LIMIT_WAIT = 60.0
# Who the workflow's default GITHUB_TOKEN posts as.
ACTIONS_BOT = "github-actions[bot]"
# GraphQL's viewer names the token's owner for every kind of token: a user's, a GitHub
# App installation's (`<app>[bot]`) and the workflow's; REST `GET /user` refuses the last two.
VIEWER_QUERY = "query { viewer { login } }"


def rate_limit_wait(status: int, headers: dict[str, Any], data: Any, now: float) -> float | None:
    """Seconds GitHub asks us to wait, or None when the refusal is not a rate limit."""
    lower = {str(key).lower(): str(value) for key, value in (headers or {}).items()}
    message = str(data.get("message", "")) if isinstance(data, dict) else ""
    limited = status == 429 or (
        status == 403
        and ("retry-after" in lower or lower.get("x-ratelimit-remaining") == "0" or "rate limit" in message.lower())
    )
    if not limited:
        return None
    if (asked := retry_after_seconds(lower.get("retry-after"))) is not None:
        return asked
    reset = whole_number(lower.get("x-ratelimit-reset", ""))
    if lower.get("x-ratelimit-remaining") == "0" and reset is not None:
        return max(0.0, reset - now + 1)
    return SECONDARY_LIMIT_WAIT


@dataclass(frozen=True)
class ApiOrigin:
    """GITHUB_API_URL's scheme, host and port: the only place PyGithub may send the token.

    PyGithub follows next-page links and the URLs in its objects as GitHub gives them, and refuses
    another host or port only with `assert`, which `python -O` removes (github/Requester.py,
    `__assertUrlAllowed`). So every request is checked where PyGithub's connection sends it,
    whatever the flags, and a redirect is never followed off this origin.
    """

    scheme: str
    host: str
    port: int
    shown: str  # as messages name it: the port only when GITHUB_API_URL gives one

    @classmethod
    def of(cls, url: str) -> ApiOrigin:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        return cls(scheme, (parts.hostname or "").lower(), _port(parts.port, scheme), host_and_port(url))

    def admits(self, scheme: str, host: str, port: int | None) -> bool:
        return (scheme.lower(), host.lower(), _port(port, scheme.lower())) == (self.scheme, self.host, self.port)

    def check_url(self, url: str) -> None:
        """Refuse an absolute URL from GitHub's answer that leads elsewhere (PyGithub's check, without `assert`)."""
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:  # a port that is not one
            port = -1
        self._check(parts.scheme or self.scheme, parts.hostname or "", port)

    def _check(self, scheme: str, host: str, port: int | None) -> None:
        if not self.admits(scheme, host, port):
            shown = f"{host}:{port}" if port is not None and port >= 0 else host
            raise GitHubRefused(
                f"not sent to {shown or 'no host'}: GitHub's answer pointed there (a next-page link or an object's "
                f"URL), and the token goes only to GITHUB_API_URL's {self.shown}"
            )

    def send(self, connection: _Connection, send: Callable[[], RequestsResponse]) -> RequestsResponse:
        """The answer of `connection`'s request, sent only to this origin; redirects are not followed."""
        self._check(connection.protocol, connection.host, connection.port)
        response = send()
        # PyGithub follows a 301 on the same host itself; anything else of the kind it would misread.
        if 300 <= response.status < 400 and response.status != 304:  # 304 Not Modified is no redirect
            base = f"{self.scheme}://{self.host}:{self.port}/"
            target = urlsplit(urljoin(base, response.headers.get("location") or ""))
            try:
                elsewhere = not self.admits(target.scheme, target.hostname or "", target.port)
            except ValueError:  # a port that is not one
                elsewhere = True
            if elsewhere or response.status != 301:
                token = "the token goes only to GITHUB_API_URL's host; " if elsewhere else ""
                raise GitHubRefused(
                    f"GitHub at {self.shown} redirected to {host_and_port(target.geturl()) or 'nowhere'} "
                    f"(HTTP {response.status}), not followed: {token}check GITHUB_API_URL",
                    response.status,
                )
        return response


def _port(port: int | None, scheme: str) -> int:
    return port if port is not None else 443 if scheme == "https" else 80


class _CheckedHTTP(HTTPRequestsConnectionClass):
    """PyGithub's plain-http connection, sending only to `origin`."""

    def __init__(self, host: str, port: int | None = None, *args: Any, origin: ApiOrigin, **kwargs: Any) -> None:
        super().__init__(host, port, *args, **kwargs)
        self._origin = origin

    def getresponse(self) -> RequestsResponse:
        return self._origin.send(self, super().getresponse)


class _CheckedHTTPS(HTTPSRequestsConnectionClass):
    """PyGithub's https connection, sending only to `origin`."""

    def __init__(self, host: str, port: int | None = None, *args: Any, origin: ApiOrigin, **kwargs: Any) -> None:
        super().__init__(host, port, *args, **kwargs)
        self._origin = origin

    def getresponse(self) -> RequestsResponse:
        return self._origin.send(self, super().getresponse)


_Connection = HTTPRequestsConnectionClass | HTTPSRequestsConnectionClass
# The attributes PyGithub's Requester makes its connections with (github/Requester.py). Its public
# seam, Requester.injectConnectionClasses, sets them for every Requester in the process; set on one
# requester, they check this session's requests only.
_CONNECTION_CLASSES = ("_Requester__httpConnectionClass", "_Requester__httpsConnectionClass")
_CONNECTION_CLASS = "_Requester__connectionClass"
# Where PyGithub vets a URL from an answer, with `assert`: the same check, raising, says so in one line.
_URL_CHECK = "_Requester__assertUrlAllowed"


def send_only_to(requester: Requester, api_url: str) -> None:
    """Make `requester` refuse to send anything anywhere but `api_url`'s origin, and never follow a redirect there."""
    origin = ApiOrigin.of(api_url)
    if not all(hasattr(requester, name) for name in (*_CONNECTION_CLASSES, _CONNECTION_CLASS, _URL_CHECK)):
        # A PyGithub whose connections cannot be checked must not get the token (pinned in requirements.txt).
        raise GitHubRefused("this PyGithub makes its connections where they cannot be checked: not used")
    setattr(requester, _URL_CHECK, origin.check_url)
    checked = {
        "http": functools.partial(_CheckedHTTP, origin=origin),
        "https": functools.partial(_CheckedHTTPS, origin=origin),
    }
    for name, scheme in zip(_CONNECTION_CLASSES, ("http", "https"), strict=True):
        setattr(requester, name, checked[scheme])
    setattr(requester, _CONNECTION_CLASS, checked["https" if origin.scheme == "https" else "http"])
    requester.close()  # a connection PyGithub made already would be unchecked: the next one is made anew


def trusted_cas(environ: Mapping[str, str]) -> bool | str:
    """What requests, under PyGithub, verifies TLS with: the CA certificates the Aikido client trusts.

    httpx reads SSL_CERT_FILE and SSL_CERT_DIR; requests reads only REQUESTS_CA_BUNDLE and
    CURL_CA_BUNDLE. A runner set up for a TLS-inspecting proxy with SSL_CERT_FILE would reach
    Aikido and then fail to comment. Requests' own variables still win where they are set.
    """
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        if value := environ.get(name):
            return value
    return True


class PyGithubSession:
    """One repository through PyGithub (GitHub.com or Enterprise Server at `api_url`), bounded by a deadline."""

    def __init__(
        self,
        api_url: str,
        token: str,
        repository: str,
        *,
        deadline: Deadline,
        sleep: Sleep = time.sleep,
        seconds_between_writes: float = 1.0,
        environ: Mapping[str, str],
    ) -> None:
        """`environ`: the variables requests would read (CA bundle, proxies), given by the wiring."""
        self._github = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            timeout=15,
            user_agent=USER_AGENT,
            per_page=100,
            retry=None,
            lazy=True,
            seconds_between_requests=None,
            seconds_between_writes=seconds_between_writes or None,
            verify=trusted_cas(environ),
        )
        send_only_to(self._github.requester, api_url)
        self._repo = self._github.get_repo(repository)
        self._deadline = deadline
        self._sleep = sleep
        self._identity: str | None = None
        where = urlsplit(api_url)
        self._host = host_and_port(api_url) or "GITHUB_API_URL"
        proxy = proxy_variable(where.scheme, where.hostname or "", environ, loopback_direct=False)
        proxy = proxy or "the proxy variables"
        self._proxy_refused = f"the proxy refused the connection to GitHub: check {proxy} and its credentials"

    def identity(self) -> str:
        if self._identity is None:
            try:
                _, answer = self._call(lambda: self._github.requester.graphql_query(VIEWER_QUERY, {}))
                login = answer["data"]["viewer"]["login"]
            except (GitHubRefused, KeyError, TypeError):
                login = None
            # Without an answer, only the default token's own comments count as ours.
            self._identity = login if isinstance(login, str) and login else ACTIONS_BOT
        return self._identity

    def _call(self, action: Callable[[], T]) -> T:
        """`action`'s result, retried once after a rate limit (as every writer after the verdict), within the
        deadline."""
        limited = 0
        while True:
            if self._deadline.remaining() <= 0:
                raise GitHubRefused("the comments' time budget is spent")
            try:
                with wall_clock_limit(self._deadline):
                    return action()
            except DeadlineReached:
                raise GitHubRefused("GitHub did not answer within the comments' time budget") from None
            except GithubException as error:
                wait = rate_limit_wait(error.status, error.headers or {}, error.data, time.time())
                if wait is None:
                    raise GitHubRefused(self._describe(error), error.status) from None
                # Refused without its status, as below: a rate limit (even a 403) is no permission to add.
                limited += 1
                if limited > 1:
                    raise GitHubRefused(
                        f"GitHub rate-limited us (HTTP {error.status}, and again when retried once): nothing needs a "
                        "change; the next run writes again"
                    ) from None
                # Never hammer GitHub, whatever its Retry-After says.
                wait = max(wait, MIN_RETRY_WAIT)
                if wait >= self._deadline.remaining():
                    raise GitHubRefused(f"GitHub's rate limit asks for {wait:.0f} s, more than the time left") from None
                self._sleep(wait)
            except requests.exceptions.ProxyError:
                raise GitHubRefused(self._proxy_refused) from None
            except requests.RequestException as error:
                raise GitHubRefused(
                    f"no answer from GitHub at {self._host} ({type(error).__name__}): check GITHUB_API_URL and the "
                    f"network to {self._host}"
                ) from None

    def _describe(self, error: GithubException) -> str:
        if error.status == 407:
            return self._proxy_refused
        data = error.data
        message = data.get("message") if isinstance(data, dict) else None
        text = str(message or data or "")
        if details := _details(data):
            # A 422's message is only "Validation Failed" or "Unprocessable Entity": what failed is in `errors`.
            text += f" ({details})"
        text = excerpt(text, limit=240)
        return f"GitHub answered HTTP {error.status}" + (f": {text}" if text else "")


def _details(data: Any) -> str:
    """GitHub's `errors` of a refusal: strings (a review's) or objects with a `message` or a `code` (a comment's)."""
    errors = data.get("errors") if isinstance(data, dict) else None
    said: list[str] = []
    for error in errors if isinstance(errors, list) else []:
        text = (error.get("message") or error.get("code")) if isinstance(error, dict) else error
        if isinstance(text, str) and text:
            said.append(text)
    return "; ".join(said)


def login_of(user: NamedUser | Organization | None) -> str:
    """A comment's author; a deleted account ("ghost") comes without one."""
    login = user.login if user is not None else None
    return login if isinstance(login, str) else ""
