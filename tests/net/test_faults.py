"""gate.net.faults: the transport's faults stay inside the API adapters, below anything that ends a run."""

from __future__ import annotations

import httpx
import pytest

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

    @pytest.mark.parametrize(
        ("gave_up", "told"),
        [
            (
                GaveUp("HTTP 503", 2, Stop.NO_RETRIES_LEFT, earlier=("HTTP 503",)),
                "HTTP 503, and again when retried once",
            ),
            (
                GaveUp("HTTP 429", 3, Stop.NO_RETRIES_LEFT, earlier=("HTTP 503", "HTTP 502")),
                "HTTP 503, HTTP 502, then HTTP 429 when retried 2 times",
            ),
            (
                GaveUp("HTTP 429", 1, Stop.RETRY_AFTER_TOO_LONG, asked_for=61.4),
                "HTTP 429, asking for a wait of 61 s, past the time left",
            ),
            (GaveUp("HTTP 503", 1, Stop.OUT_OF_TIME), "HTTP 503, with no time left to retry"),
            (
                GaveUp("HTTP 503", 7, Stop.OUT_OF_TIME),
                "HTTP 503 on the last of 7 attempts, with no time left for another",
            ),
            (GaveUp("ConnectError: refused", 3, Stop.CANNOT_CONNECT), "ConnectError: refused"),
        ],
    )
    def test_history_says_what_the_attempts_met_and_no_more(self, gave_up: GaveUp, told: str) -> None:
        assert gave_up.history() == told
