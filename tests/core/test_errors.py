"""gate.core.errors: the hierarchy decides what ends a run, what is only a warning, and what each failure carries."""

from __future__ import annotations

import pytest

from gate.core.errors import (
    AikidoUnreachable,
    AuthenticationFailed,
    CommentsInterrupted,
    GateError,
    GateFault,
    GitHubLookupFailed,
    GitHubRefused,
    OutOfTime,
    ServiceError,
)
from gate.net.faults import AnswerTooLarge, GaveUp, Stop


@pytest.mark.parametrize(
    ("error", "service", "status"),
    [(AuthenticationFailed("no", 401), "Aikido", 401), (GitHubLookupFailed("no", 404), "GitHub", 404)],
)
def test_service_failures_end_the_run_and_say_which_service_and_status(
    error: ServiceError, service: str, status: int
) -> None:
    assert isinstance(error, GateError)
    assert (error.service, error.status) == (service, status)


def test_a_comment_refusal_can_never_be_taken_for_a_gate_error() -> None:
    refusal = GitHubRefused("forbidden", 403)
    assert not isinstance(refusal, GateError)
    assert (refusal.service, refusal.status) == ("GitHub", 403)
    assert not isinstance(CommentsInterrupted(refusal, []), GateError)


def test_running_out_of_time_is_being_unreachable() -> None:
    assert issubclass(OutOfTime, AikidoUnreachable)
    assert OutOfTime("late").status == 0  # no answer came


def test_transport_faults_stay_below_gate_error() -> None:
    for fault in (GaveUp("refused", 3, Stop.CANNOT_CONNECT), AnswerTooLarge()):
        assert isinstance(fault, GateFault)
        assert not isinstance(fault, GateError)
