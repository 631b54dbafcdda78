"""The transport's faults; they never leave the API adapters, which turn them into a `ServiceError`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import httpx

from gate.core.errors import GateFault


class DeadlineReached(GateFault):
    """The wall-clock deadline passed while a request was still under way."""


class AnswerTooLarge(GateFault):
    """The answer was cut off at gate.net.http.MAX_ANSWER_BYTES."""


class Stop(Enum):
    """Why the retries stopped without a usable answer."""

    # Transient faults (5xx, 429, resets) lasted until the deadline left no time for another try.
    OUT_OF_TIME = "out of time"
    # The wall-clock deadline passed during a request (however slowly the server answered).
    DEADLINE_DURING_REQUEST = "deadline during a request"
    # The fault may have reached the server, so retrying could act twice.
    NOT_RETRIED = "not retried"
    # The server asked for a wait (Retry-After) that ends past the deadline.
    RETRY_AFTER_TOO_LONG = "retry-after too long"
    # Connections were refused or their host did not resolve, every time (or until the deadline).
    CANNOT_CONNECT = "cannot connect"
    # The server's TLS certificate could not be verified: no retry would change that.
    UNTRUSTED = "untrusted certificate"


@dataclass(eq=False)  # an exception: equal only to itself, as every exception
class GaveUp(GateFault):
    """No usable answer, and `stop` says why; `reason` describes the last fault in a few words.

    `response` is the last answer if any; `asked_for` the wait a Retry-After asked for (seconds).
    """

    reason: str
    attempts: int
    stop: Stop
    response: httpx.Response | None = None
    asked_for: float | None = None
