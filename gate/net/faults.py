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
    # A transient fault (5xx, 429, a lost answer) on the last attempt the retrier allows (its `attempts`).
    NO_RETRIES_LEFT = "no retries left"


@dataclass(eq=False)  # an exception: equal only to itself, as every exception
class GaveUp(GateFault):
    """No usable answer, and `stop` says why; `reason` describes the last fault in a few words.

    `response` is the last answer if any; `asked_for` the wait a Retry-After asked for (seconds);
    `earlier` the faults of the attempts before the last, when the retrier's bound on attempts ended them.
    """

    reason: str
    attempts: int
    stop: Stop
    response: httpx.Response | None = None
    asked_for: float | None = None
    earlier: tuple[str, ...] = ()

    def history(self) -> str:
        """What the attempts met and why they ended, in a few words, for a warning that must not overstate them.

        `HTTP 503, and again when retried once`; `HTTP 503, then HTTP 429 when retried once`; `HTTP 429, asking
        for a wait of 120 s, past the time left`; `HTTP 503, with no time left to retry`; else the last reason.
        """
        if self.stop is Stop.RETRY_AFTER_TOO_LONG:
            return f"{self.reason}, asking for a wait of {self.asked_for or 0:.0f} s, past the time left"
        if self.stop is Stop.OUT_OF_TIME:
            if self.attempts == 1:
                return f"{self.reason}, with no time left to retry"
            return f"{self.reason} on the last of {self.attempts} attempts, with no time left for another"
        if not self.earlier:
            return self.reason
        retried = "once" if len(self.earlier) == 1 else f"{len(self.earlier)} times"
        if all(reason == self.reason for reason in self.earlier):
            return f"{self.reason}, and again when retried {retried}"
        return f"{', '.join(self.earlier)}, then {self.reason} when retried {retried}"
