"""gate.core.errors: the hierarchy decides what ends a run, what is only a warning, and what each failure carries."""

from __future__ import annotations

import pytest

from gate.core.errors import (
    AikidoUnreachable,
    AuthenticationFailed,
    CommentsInterrupted,
    ConfigError,
    GateError,
    GitHubLookupFailed,
    GitHubRefused,
    OutOfTime,
    PolicyError,
    ServiceError,
)


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


def test_a_policy_error_ends_the_run_and_lists_each_problem() -> None:
    wrong = PolicyError("p.yml has 2 problems: line 1: a; line 2: b", ["line 1: a", "line 2: b"])
    assert isinstance(wrong, ConfigError)
    assert wrong.problems == ("line 1: a", "line 2: b")
    assert PolicyError("p.yml is not UTF-8 text").problems == ("p.yml is not UTF-8 text",)


def test_interrupted_comments_carry_the_refusal_and_what_was_not_shown() -> None:
    refusal = GitHubRefused("GitHub answered HTTP 403: no", 403)
    interrupted = CommentsInterrupted(refusal, ["finding 1", "finding 2"])
    assert (str(interrupted), interrupted.refusal, interrupted.leftovers) == (
        "GitHub answered HTTP 403: no",
        refusal,
        ["finding 1", "finding 2"],
    )
