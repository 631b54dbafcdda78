"""Time as the gate spends it: one deadline for the whole run, on a clock the tests can replace.

Free of any I/O library, so the pure core (the wait, the flow) can respect a deadline without
importing an HTTP client; `gate.net.http` turns the time left into a request's timeouts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass
class Deadline:
    """A point in time on `clock` that every wait and request must respect."""

    at: float
    clock: Clock = time.monotonic

    @classmethod
    def after(cls, seconds: float, clock: Clock = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    @classmethod
    def pending(cls, clock: Clock = time.monotonic) -> Deadline:
        """A deadline not yet started (nothing waits on it until `restart`): a budget for later."""
        return cls(math.inf, clock)

    def restart(self, seconds: float) -> None:
        """Start counting `seconds` from now."""
        self.at = self.clock() + seconds

    def remaining(self) -> float:
        return self.at - self.clock()
