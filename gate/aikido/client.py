"""The client for Aikido's CI API: typed answers in, our exceptions out."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import httpx

from gate import DOCS, USER_AGENT
from gate.core.errors import (
    AikidoError,
    AikidoUnreachable,
    AuthenticationFailed,
    OutOfTime,
    RequestRejected,
    UnexpectedAnswer,
)
from gate.core.models import (
    AIKIDO_HOSTS,
    SastIssue,
    ScanStatus,
    parse_sast_issues,
    parse_scan_id,
    parse_scan_status,
    parse_upload_ack,
)
from gate.net.faults import AnswerTooLarge, GaveUp, Stop
from gate.net.http import MAX_ANSWER_BYTES, Answer, Retrier, Safety, excerpt, tls_for
from gate.net.proxy import plain_loopback, proxy_variable

SCAN_PATH = "/api/integrations/continuous_integration/scan/repository"
CUSTOM_PATH = "/api/integrations/continuous_integration/scan/custom"
T = TypeVar("T")

KEY_HELP = (
    "the key is invalid, rotated or revoked. Create a new one in Aikido under "
    f"Settings > Integrations > CI/CD and store it as the secret given to secret-key (see {DOCS}#troubleshooting)"
)
NOT_CONNECTED_HELP = (
    "Aikido does not know this repository for this key: the repository is not connected to Aikido, or the key "
    "belongs to another Aikido workspace. Check that the repository is listed under Repositories in the "
    "workspace where the CI token was made (Settings > Integrations > CI/CD), or set repository-id "
    f"(see {DOCS}#troubleshooting)"
)
HTML_HELP = (
    "an HTML page instead of Aikido's JSON usually means a wrong api-base-url, a proxy or captive portal "
    "answering in Aikido's place, or a key for another region ({hosts}; leave api-base-url empty to choose by "
    f"the key) (see {DOCS}#troubleshooting)"
)


def build_http_client(base_url: str, secret: str) -> httpx.Client:
    """The one httpx client: secret header, our User-Agent, proxies from the environment, no redirects."""
    return httpx.Client(
        base_url=base_url,
        headers={"X-AIK-API-SECRET": secret, "User-Agent": USER_AGENT, "Accept": "application/json"},
        # The secret header must never travel to another host.
        follow_redirects=False,
        # The environment's proxies, but never for plain http to this machine (gate.net.proxy).
        trust_env=not plain_loopback(base_url),
        verify=tls_for(base_url),
    )


class AikidoClient:
    """Starts and polls feature-branch scans."""

    def __init__(self, http: httpx.Client, retrier: Retrier) -> None:
        self._http = http
        self._retrier = retrier
        # Links in answers may point at Aikido's hosts or at the API's own (api-base-url).
        self._hosts = AIKIDO_HOSTS | {http.base_url.host}
        # The variable naming the proxy between us and Aikido, for messages about it.
        self._proxy = proxy_variable(http.base_url.scheme, http.base_url.host, os.environ)

    def start_scan(self, body: dict[str, Any]) -> int:
        """Start a scan and return its id."""
        request = self._http.build_request("POST", SCAN_PATH, json=body)
        return self._call(request, Safety.CREATES, "starting the scan", parse_scan_id, not_found=NOT_CONNECTED_HELP)

    def scan_status(self, scan_id: int) -> ScanStatus:
        """Poll a scan once."""
        request = self._http.build_request("GET", SCAN_PATH, params={"scan_id": scan_id})
        parse = functools.partial(parse_scan_status, hosts=self._hosts)
        return self._call(request, Safety.IDEMPOTENT, f"polling scan {scan_id}", parse)

    def introduced_sast_issues(self, scan_id: int) -> list[SastIssue]:
        """The SAST issues the scan found introduced (used for inline review comments)."""
        path = f"/api/integrations/continuous_integration/scan/{scan_id}/introducedSastIssues"
        request = self._http.build_request("GET", path)
        return self._call(request, Safety.IDEMPOTENT, f"reading the SAST issues of scan {scan_id}", parse_sast_issues)

    def upload(self, body: Iterable[bytes], length: int, what: str) -> None:
        """Upload one streamed body of `length` bytes to `…/scan/custom`."""
        headers = {"Content-Type": "application/json", "Content-Length": str(length)}
        # An explicit Content-Length makes httpx send the iterable as is, not chunked.
        request = self._http.build_request("POST", CUSTOM_PATH, content=body, headers=headers)
        self._call(request, Safety.CREATES, f"uploading {what}", parse_upload_ack, patient=True)

    def _call(
        self,
        request: httpx.Request,
        safety: Safety,
        doing: str,
        parse: Callable[[Any], T],
        *,
        patient: bool = False,
        not_found: str = "",
    ) -> T:
        try:
            response = self._retrier.send(self._http, request, safety, patient=patient)
        except GaveUp as gave_up:
            raise self._unreachable(gave_up, doing, request.url.host) from None
        except AnswerTooLarge:
            raise UnexpectedAnswer(
                f"Aikido's answer while {doing} is larger than {MAX_ANSWER_BYTES // 2**20} MB; it was cut off "
                "unread: check api-base-url"
            ) from None
        answer = decipher(Answer.of(response), doing=doing, not_found=not_found, proxy=self._proxy)
        try:
            return parse(answer)
        except UnexpectedAnswer as error:
            quote = excerpt(response.text)
            raise UnexpectedAnswer(
                f"Aikido's answer while {doing} is not what its API documents: {error}: {quote}"
            ) from None

    def _unreachable(self, gave_up: GaveUp, doing: str, host: str) -> AikidoError:
        stop, tries = gave_up.stop, f"{gave_up.attempts} attempt{'s' if gave_up.attempts > 1 else ''}"
        if stop is Stop.RETRY_AFTER_TOO_LONG:
            return OutOfTime(
                f"Aikido asked us to wait {gave_up.asked_for or 0:.0f} s ({gave_up.reason}, Retry-After) while "
                f"{doing}, which ends past the deadline; not waited for"
            )
        if gave_up.response is not None and gave_up.response.status_code == 429:
            return OutOfTime(f"Aikido kept rate-limiting us while {doing} (HTTP 429) until the deadline")
        if stop is Stop.NOT_RETRIED:
            return AikidoUnreachable(
                f"{doing} failed at {host}: {gave_up.reason}; not retried, as Aikido may already have acted on it"
            )
        if stop in (Stop.UNTRUSTED, Stop.CANNOT_CONNECT):
            # The advice holds however many attempts fitted before the deadline.
            untrusted = stop is Stop.UNTRUSTED
            hint = self._tls_hint() if untrusted else self._connect_hint()
            fault = gave_up.reason if untrusted else f"{gave_up.reason}; {tries}"
            return AikidoUnreachable(f"could not {self._connect_to(host)} while {doing} ({fault}): {hint}")
        if stop is Stop.DEADLINE_DURING_REQUEST and gave_up.attempts == 1:
            return OutOfTime(f"Aikido at {host} gave no complete answer before the deadline while {doing}")
        return OutOfTime(
            f"could not reach Aikido at {host} while {doing}: {gave_up.reason} ({tries} before the deadline)"
        )

    def _connect_to(self, host: str) -> str:
        return (
            f"reach Aikido at {host} through the proxy in {self._proxy}"
            if self._proxy
            else f"connect to Aikido at {host}"
        )

    def _tls_hint(self) -> str:
        answering = f"the proxy in {self._proxy}" if self._proxy else "a proxy or firewall that inspects TLS"
        return (
            f"most often {answering} answers in Aikido's place: give the runner its CA certificate with "
            f"SSL_CERT_FILE (a PEM file), or check api-base-url (see {DOCS}#troubleshooting)"
        )

    def _connect_hint(self) -> str:
        if self._proxy:
            return f"check the proxy's address and credentials in {self._proxy} (see {DOCS}#retries-and-safety)"
        hosts = ", ".join(sorted(AIKIDO_HOSTS))
        return (
            f"check api-base-url, or leave it empty so the key's region chooses the host ({hosts}) "
            f"(see {DOCS}#troubleshooting)"
        )


def decipher(answer: Answer, *, doing: str, not_found: str = "", proxy: str | None = None) -> Any:
    """Aikido's answer as JSON, or the exception that says what went wrong and what to do. Pure.

    `not_found`: what a 404 means for this request. `proxy`: the variable naming the proxy in the way.
    """
    status, headers = answer.status, {name.lower(): value for name, value in answer.headers.items()}
    quote = excerpt(answer.text())
    if status in (401, 403):
        raise AuthenticationFailed(f"Aikido refused the secret-key (HTTP {status}) while {doing}: {KEY_HELP}", status)
    if status == 407:
        # Only a proxy answers 407 (a plain-http api-base-url goes through it as a request, not a tunnel).
        raise AikidoUnreachable(
            f"the proxy in {proxy or 'HTTP_PROXY'} refused the request while {doing} (HTTP 407, "
            f"proxy authentication required): check the credentials in {proxy or 'HTTP_PROXY'}",
            status,
        )
    if status in (301, 302, 303, 307, 308) and "location" in headers:
        target = httpx.URL(headers["location"]).host or "another address"
        raise UnexpectedAnswer(
            f"Aikido answered HTTP {status} redirecting to {target} while {doing}; redirects are not followed "
            "so the key never leaves for another host: check api-base-url",
            status,
        )
    if 400 <= status < 500:
        hint = f": {not_found}" if status == 404 and not_found else ""
        raise RequestRejected(f"Aikido refused {doing} (HTTP {status}: {quote or 'empty answer'}){hint}", status)
    if not 200 <= status < 300:
        raise AikidoUnreachable(f"Aikido failed while {doing} (HTTP {status}): {quote or 'empty answer'}", status)
    try:
        return json.loads(answer.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        kind = headers.get("content-type", "no content type")
        html = "html" in kind.lower() or answer.content.lstrip()[:1] == b"<"
        hint = "; " + HTML_HELP.format(hosts=", ".join(sorted(AIKIDO_HOSTS))) if html else ""
        raise UnexpectedAnswer(
            f"Aikido's answer while {doing} is not JSON (HTTP {status}, {kind}): {quote or 'empty answer'}{hint}",
            status,
        ) from None
