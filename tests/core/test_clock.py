"""gate.core.clock: one deadline on a clock the tests replace."""

from __future__ import annotations

from gate.core.clock import Deadline
from tests.conftest import FakeClock


def test_remaining_counts_down_and_past_zero(clock: FakeClock) -> None:
    deadline = Deadline.after(10, clock)
    assert deadline.remaining() == 10
    clock.sleep(4)
    assert deadline.remaining() == 6
    clock.sleep(7)
    assert deadline.remaining() == -1
