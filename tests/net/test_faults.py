"""gate.net.faults: the transport's faults stay inside the API adapters, below anything that ends a run."""

from __future__ import annotations

import httpx

from gate.core.errors import GateError, GateFault
from gate.net.faults import AnswerTooLarge, DeadlineReached, GaveUp, Stop


def test_transport_faults_stay_below_gate_error() -> None:
    for fault in (GaveUp("refused", 3, Stop.CANNOT_CONNECT), AnswerTooLarge(), DeadlineReached()):
        assert isinstance(fault, GateFault)
        assert not isinstance(fault, GateError)


class TestGaveUp:
    """GaveUp: why the retries ended, with the last answer if any"""

    def test_carries_the_reason_the_attempts_and_the_last_answer(self) -> None:
        last = httpx.Response(503)
        gave_up = GaveUp("HTTP 503", 4, Stop.OUT_OF_TIME, last, asked_for=30.0)
        assert (gave_up.reason, gave_up.attempts, gave_up.stop, gave_up.response, gave_up.asked_for) == (
            "HTTP 503",
            4,
            Stop.OUT_OF_TIME,
            last,
            30.0,
        )

    def test_equal_only_to_itself_as_every_exception(self) -> None:
        first, second = GaveUp("x", 1, Stop.NOT_RETRIED), GaveUp("x", 1, Stop.NOT_RETRIED)
        assert first != second
        assert first == first  # noqa: PLR0124 -- identity is the point
        assert len({first, second}) == 2  # hashable, as raising and logging need
