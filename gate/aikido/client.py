"""The client for Aikido's CI API: typed answers in, our exceptions out."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import httpx

from gate import DOCS, USER_AGENT
from gate.core.answers import NOT_CONNECTED_HELP, decipher_aikido, excerpt
from gate.core.errors import (
    AikidoError,
    AikidoUnreachable,
    OutOfTime,
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
from gate.net.http import MAX_ANSWER_BYTES, Retrier, Safety, answer_of, host_and_port
from gate.net.proxy import plain_loopback, proxy_variable
from gate.net.tls import Tls

SCAN_PATH = "/api/integrations/continuous_integration/scan/repository"
CUSTOM_PATH = "/api/integrations/continuous_integration/scan/custom"
T = TypeVar("T")


def build_http_client(base_url: str, secret: str, tls: Tls) -> httpx.Client:
    """The one httpx client: secret header, our User-Agent, proxies from the environment, no redirects."""
    return httpx.Client(
        base_url=base_url,
        headers={"X-AIK-API-SECRET": secret, "User-Agent": USER_AGENT, "Accept": "application/json"},
        # The secret header must never travel to another host.
        follow_redirects=False,
        # The environment's proxies, but never for plain http to this machine (gate.net.proxy).
        trust_env=not plain_loopback(base_url),
        verify=tls.for_url(base_url),
    )


class AikidoClient:
    """Starts and polls feature-branch scans."""

    def __init__(self, http: httpx.Client, retrier: Retrier, *, environ: Mapping[str, str]) -> None:
        self._http = http
        self._retrier = retrier
        # Links in answers may point at Aikido's hosts or at the API's own (api-base-url).
        self._hosts = AIKIDO_HOSTS | {http.base_url.host}
        # The variable naming the proxy between us and Aikido, for messages about it.
        self._proxy = proxy_variable(http.base_url.scheme, http.base_url.host, environ)

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
            raise self._unreachable(gave_up, doing, host_and_port(request.url)) from None
        except AnswerTooLarge:
            raise UnexpectedAnswer(
                f"Aikido's answer while {doing} is larger than {MAX_ANSWER_BYTES // 2**20} MB; it was cut off "
                "unread: check api-base-url"
            ) from None
        answer = decipher_aikido(answer_of(response), doing=doing, not_found=not_found, proxy=self._proxy)
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
