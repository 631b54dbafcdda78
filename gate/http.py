"""One deadline, retries with backoff and jitter, and safe excerpts of answers.

Shared by the Aikido and GitHub clients. The caller says whether a request is
idempotent: a POST that starts a scan must not be repeated where the server may
already have acted on it (a read timeout, a 500), or we would start two scans.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

import httpx

from gate.sanitize import clean, whole_number

Clock = Callable[[], float]
Sleep = Callable[[float], None]

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
BACKOFF_BASE = 1.0
BACKOFF_CAP = 20.0


@dataclass
class Deadline:
    """A point in time on `clock` that every wait and request must respect."""

    at: float
    clock: Clock = time.monotonic

    @classmethod
    def after(cls, seconds: float, clock: Clock = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        return self.at - self.clock()

    def request_timeout(self, *, patient: bool = False) -> httpx.Timeout:
        """Per-request timeouts, cut to what is left (at least a second, so a last try can land).

        A patient request may wait for its answer as long as the deadline allows: Aikido may
        take a while to answer a large upload, and an upload cut short cannot be retried.
        """
        left = max(self.remaining(), 1.0)
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
        # The request never reached the server: no connection, or no free connection.
        return isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
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


def describe_fault(error: httpx.TransportError) -> str:
    """A short reason for a transport fault, e.g. `connection refused`."""
    kind = type(error).__name__
    detail = re.sub(r"^\[Errno -?\d+\]\s*", "", str(error)).strip()
    return f"{kind}: {detail}" if detail else kind


def excerpt(text: str, limit: int = 200) -> str:
    """A short one-line quote of an answer, cleaned (no secret, no control text) before it is cut."""
    text = re.sub(r"\s+", " ", clean(text[: limit * 4])).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class GaveUp(Exception):
    """Retries ran out (deadline) after a transient fault; `response` is the last answer if any."""

    reason: str
    attempts: int
    response: httpx.Response | None = None
    # True when the fault may have reached the server, so retrying could act twice.
    not_retried: bool = False


@dataclass
class Retrier:
    """Sends a request until it gets an answer worth reading or the deadline forbids another try."""

    deadline: Deadline
    sleep: Sleep = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    on_retry: Callable[[str, float], None] = lambda reason, delay: None

    def send(
        self, client: httpx.Client, request: httpx.Request, safety: Safety, *, patient: bool = False
    ) -> httpx.Response:
        """The first answer that is not transient; raises GaveUp when time runs out."""
        attempt = 0
        while True:
            attempt += 1
            request.extensions["timeout"] = self.deadline.request_timeout(patient=patient).as_dict()
            try:
                response = client.send(request)
            except httpx.TransportError as error:
                if not _retryable_fault(error, safety):
                    raise GaveUp(describe_fault(error), attempt, not_retried=True) from None
                reason, wait, last = describe_fault(error), backoff_delay(attempt - 1, self.rng), None
            else:
                if response.status_code not in _TRANSIENT[safety]:
                    return response
                reason, last = f"HTTP {response.status_code}", response
                asked = retry_after_seconds(response.headers.get("Retry-After"))
                wait = asked if asked is not None else backoff_delay(attempt - 1, self.rng)
            if wait >= self.deadline.remaining():
                raise GaveUp(reason, attempt, last)
            self.on_retry(reason, wait)
            self.sleep(wait)
