"""The transport's faults; they never leave the API adapters, which turn them into a `ServiceError`."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from gate.core.errors import GateFault


class DeadlineReached(GateFault):
    """The wall-clock deadline passed while a request was still under way."""


class AnswerTooLarge(GateFault):
    """The answer was cut off at gate.net.http.MAX_ANSWER_BYTES."""


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
