"""One deadline, retries with backoff and jitter, and safe excerpts of answers.

Shared by the Aikido and GitHub clients. The caller says whether a request is
idempotent: a POST that starts a scan must not be repeated where the server may
already have acted on it (a read timeout, a 500), or we would start two scans.
"""

from __future__ import annotations

import email.utils
import random
import re
import signal
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from types import FrameType
from urllib.parse import urlsplit

import httpx

from gate.core.answers import Answer
from gate.core.clock import Deadline, Sleep
from gate.core.numbers import whole_number
from gate.net.faults import AnswerTooLarge, DeadlineReached, GaveUp, Stop

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
BACKOFF_BASE = 1.0
BACKOFF_CAP = 20.0


def host_and_port(url: str | httpx.URL) -> str:
    """`host[:port]` of `url`, as every message names a server: the port when the URL gives one.

    Never the userinfo, path or query: a webhook URL's path is its credential. "" without a host.
    """
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:  # not a number or out of range: name the host alone
        port = None
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if host and port is not None else shown


def answer_of(response: httpx.Response) -> Answer:
    """A read response as the plain values `gate.core.answers` deciphers."""
    return Answer(response.status_code, response.headers, response.content)


def request_timeout(deadline: Deadline, *, patient: bool = False) -> httpx.Timeout:
    """Per-request timeouts, cut to what is left (at least a second, so a last try can land).

    A patient request may wait for its answer as long as the deadline allows: Aikido may
    take a while to answer a large upload, and an upload cut short cannot be retried.
    """
    left = max(deadline.remaining(), 1.0)
    read = left if patient else min(READ_TIMEOUT, left)
    return httpx.Timeout(read, connect=min(CONNECT_TIMEOUT, left))


class Safety(Enum):
    """Which failures a request may be retried after."""

    # GETs: any transport fault or transient status.
    IDEMPOTENT = "idempotent"
    # POSTs that create something: only where the server cannot have acted.
    CREATES = "creates"


_TRANSIENT = {
    Safety.IDEMPOTENT: frozenset({429, 500, 502, 503, 504}),
    Safety.CREATES: frozenset({429, 503}),
}


def _retryable_fault(error: httpx.TransportError, safety: Safety) -> bool:
    if safety is Safety.CREATES:
        # The request never reached the server: no connection, no free connection, or a proxy said no.
        return isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError))
    return isinstance(error, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError))


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if (seconds := whole_number(text)) is not None:
        return float(seconds)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff_delay(attempt: int, rng: random.Random) -> float:
    """Exponential backoff with equal jitter: half fixed, half random."""
    ceiling: float = min(BACKOFF_CAP, BACKOFF_BASE * float(2**attempt))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def untrusted_certificate(error: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification failure behind a transport fault (httpx wraps httpcore's, which wraps ssl's)."""
    seen: BaseException | None = error
    for _ in range(8):  # a chain of causes is short; never follow a cycle
        if seen is None or isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def describe_fault(error: httpx.TransportError) -> str:
    """A short reason for a transport fault, e.g. `connection refused`."""
    if (untrusted := untrusted_certificate(error)) is not None:
        return f"its TLS certificate could not be verified: {untrusted.verify_message or untrusted.reason}"
    kind = type(error).__name__
    detail = re.sub(r"^\[Errno -?\d+\]\s*", "", str(error)).strip()
    if isinstance(error, httpx.ProxyError):
        return f"the proxy refused the tunnel ({detail or kind})"
    return f"{kind}: {detail}" if detail else kind


# The longest answer worth reading: a status or an issue list is a few kB; anything far larger is not Aikido.
MAX_ANSWER_BYTES = 8 * 1024 * 1024
# Never hammer a server, whatever its Retry-After says (a `Retry-After: 0` loop is thousands of requests).
MIN_RETRY_WAIT = 1.0
# A host that refuses connections or does not resolve is not worth the whole deadline.
CONNECT_ATTEMPTS = 3
CONNECT_RETRY_BASE = 5.0
# What writes after the verdict (chat, Jira) sends each request at most twice: retried once after a transient
# fault, within the after-verdict deadline. The verdict is written already; a later run writes again.
WRITER_ATTEMPTS = 2


@contextmanager
def wall_clock_limit(deadline: Deadline) -> Iterator[None]:
    """Interrupt whatever blocks inside (a dripping read, a stalled send) once the deadline has passed.

    httpx's timeouts bound each socket operation, not the whole request: a server that sends a
    byte every half second never trips them. A real-time alarm does (PEP 475: the interrupted
    call raises the handler's exception). Signals reach the main thread only; elsewhere this
    relies on the per-operation timeouts alone. At least a second is allowed, so a last try can land.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise DeadlineReached

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(deadline.remaining(), 1.0))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_capped(response: httpx.Response, limit: int = MAX_ANSWER_BYTES) -> httpx.Response:
    """The streamed `response` read to its end, or AnswerTooLarge past `limit` bytes (never read further)."""
    declared = whole_number(response.headers.get("Content-Length", ""))
    if declared is not None and declared > limit:
        raise AnswerTooLarge
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise AnswerTooLarge
        chunks.append(chunk)
    # The bytes are decoded already: the copy must not announce an encoding or a length of its own.
    headers = [
        (k, v) for k, v in response.headers.multi_items() if k.lower() not in ("content-encoding", "content-length")
    ]
    return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks), request=response.request)


@dataclass(eq=False)  # a service with a random source, compared as itself
class Retrier:
    """Sends a request until it gets an answer worth reading, the deadline forbids another try, or `attempts` are used.

    `attempts`: how many times one request is sent at most (None: as many as the deadline allows).
    """

    deadline: Deadline
    sleep: Sleep = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    on_retry: Callable[[str, float], None] = lambda reason, delay: None
    attempts: int | None = None

    def send(
        self, client: httpx.Client, request: httpx.Request, safety: Safety, *, patient: bool = False
    ) -> httpx.Response:
        """The first answer that is not transient, read whole; raises GaveUp or AnswerTooLarge."""
        attempt = connect_failures = 0
        reasons: list[str] = []
        while True:
            attempt += 1
            request.extensions["timeout"] = request_timeout(self.deadline, patient=patient).as_dict()
            asked: float | None = None
            try:
                with wall_clock_limit(self.deadline):
                    response = client.send(request, stream=True)
                    try:
                        response = read_capped(response)
                    finally:
                        response.close()
            except DeadlineReached:
                raise GaveUp("no complete answer before the deadline", attempt, Stop.DEADLINE_DURING_REQUEST) from None
            except httpx.TransportError as error:
                if untrusted_certificate(error) is not None:
                    raise GaveUp(describe_fault(error), attempt, Stop.UNTRUSTED) from None
                if not _retryable_fault(error, safety):
                    raise GaveUp(describe_fault(error), attempt, Stop.NOT_RETRIED) from None
                reason, last = describe_fault(error), None
                wait = backoff_delay(attempt - 1, self.rng)
                # A proxy's refusal (407, no tunnel) is a connection that failed: nothing reached the server.
                if isinstance(error, (httpx.ConnectError, httpx.ProxyError)):
                    connect_failures += 1
                    wait = backoff_delay(connect_failures - 1, self.rng) * CONNECT_RETRY_BASE
            else:
                if response.status_code not in _TRANSIENT[safety]:
                    return response
                reason, last = f"HTTP {response.status_code}", response
                asked = retry_after_seconds(response.headers.get("Retry-After"))
                wait = max(MIN_RETRY_WAIT, asked if asked is not None else backoff_delay(attempt - 1, self.rng))
            # Only connections that failed so far, or too many: the advice is the same however few attempts fitted.
            only_connects = connect_failures in (attempt, CONNECT_ATTEMPTS)
            if connect_failures >= CONNECT_ATTEMPTS or (self.attempts is not None and attempt >= self.attempts):
                stop = Stop.CANNOT_CONNECT if only_connects else Stop.NO_RETRIES_LEFT
                raise GaveUp(reason, attempt, stop, last, earlier=tuple(reasons))
            reasons.append(reason)
            if asked is not None and asked >= self.deadline.remaining():
                raise GaveUp(reason, attempt, Stop.RETRY_AFTER_TOO_LONG, last, asked_for=asked)
            if wait >= self.deadline.remaining():
                raise GaveUp(
                    reason, attempt, Stop.CANNOT_CONNECT if connect_failures == attempt else Stop.OUT_OF_TIME, last
                )
            self.on_retry(reason, wait)
            self.sleep(wait)
