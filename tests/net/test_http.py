"""The one deadline and the retry rules, over pytest-httpx."""

from __future__ import annotations

import random

import httpx
import pytest
from pytest_httpx import HTTPXMock

from gate.core.clock import Deadline
from gate.net.faults import GaveUp, Stop
from gate.net.http import WRITER_ATTEMPTS, Retrier, Safety, backoff_delay, host_and_port, retry_after_seconds
from tests.conftest import FakeClock

URL = "https://app.aikido.dev/x"


def make_retrier(clock: FakeClock, seconds: float = 60, attempts: int | None = None) -> Retrier:
    return Retrier(Deadline(clock() + seconds, clock), sleep=clock.sleep, rng=random.Random(7), attempts=attempts)


def send(retrier: Retrier, method: str = "GET", safety: Safety = Safety.IDEMPOTENT) -> httpx.Response:
    with httpx.Client() as client:
        return retrier.send(client, client.build_request(method, URL), safety)


class TestRetryAfter:
    """retry_after_seconds"""

    @pytest.mark.parametrize(
        ("value", "seconds"),
        [("7", 7.0), (" 0 ", 0.0), ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0), ("soon", None), (None, None), ("", None)],
    )
    def test_values(self, value: str | None, seconds: float | None) -> None:
        assert retry_after_seconds(value, now=1445412480.0) == seconds


class TestBackoff:
    """backoff_delay"""

    def test_grows_with_jitter_and_a_cap(self) -> None:
        rng = random.Random(1)
        delays = [backoff_delay(attempt, rng) for attempt in range(8)]
        assert 0.5 <= delays[0] <= 1.0
        assert 4.0 <= delays[3] <= 8.0
        assert all(10.0 <= delay <= 20.0 for delay in delays[5:])


class TestRetrier:
    """Retrier.send"""

    @pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
    def test_get_is_retried_on_transient_status(self, httpx_mock: HTTPXMock, clock: FakeClock, status: int) -> None:
        httpx_mock.add_response(status_code=status)
        httpx_mock.add_response(json={"ok": True})
        assert send(make_retrier(clock)).json() == {"ok": True}
        assert len(clock.sleeps) == 1

    def test_retry_after_zero_still_waits_a_second(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_response(status_code=503, headers={"Retry-After": "0"})
        httpx_mock.add_response(status_code=503, headers={"Retry-After": "0"})
        httpx_mock.add_response(json={"ok": True})
        assert send(make_retrier(clock)).json() == {"ok": True}
        assert clock.sleeps == [1.0, 1.0]

    def test_retry_after_is_honoured(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_response(status_code=429, headers={"Retry-After": "12"})
        httpx_mock.add_response(json={})
        send(make_retrier(clock))
        assert clock.sleeps == [12.0]

    def test_retry_after_beyond_the_deadline_gives_up_at_once(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_response(status_code=429, headers={"Retry-After": "120"})
        with pytest.raises(GaveUp) as caught:
            send(make_retrier(clock, seconds=30))
        assert (caught.value.reason, caught.value.attempts, clock.sleeps) == ("HTTP 429", 1, [])

    def test_connection_errors_are_retried_until_the_deadline(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"), is_reusable=True)
        with pytest.raises(GaveUp) as caught:
            send(make_retrier(clock, seconds=10))
        assert caught.value.reason == "ConnectError: Connection refused"
        assert caught.value.attempts >= 3
        assert sum(clock.sleeps) < 10

    def test_post_that_creates_is_retried_where_nothing_was_created(
        self, httpx_mock: HTTPXMock, clock: FakeClock
    ) -> None:
        httpx_mock.add_exception(httpx.ConnectError("refused"))
        httpx_mock.add_response(status_code=503)
        httpx_mock.add_response(status_code=429)
        httpx_mock.add_response(json={"scan_id": 1})
        assert send(make_retrier(clock), "POST", Safety.CREATES).json() == {"scan_id": 1}
        assert len(httpx_mock.get_requests()) == 4

    @pytest.mark.parametrize("status", [500, 502, 504])
    def test_post_that_creates_is_not_retried_on_status(
        self, httpx_mock: HTTPXMock, clock: FakeClock, status: int
    ) -> None:
        httpx_mock.add_response(status_code=status)
        assert send(make_retrier(clock), "POST", Safety.CREATES).status_code == status
        assert len(httpx_mock.get_requests()) == 1

    def test_post_that_creates_is_never_repeated_after_a_read_timeout(
        self, httpx_mock: HTTPXMock, clock: FakeClock
    ) -> None:
        httpx_mock.add_exception(httpx.ReadTimeout("timed out"))
        with pytest.raises(GaveUp) as caught:
            send(make_retrier(clock), "POST", Safety.CREATES)
        assert caught.value.stop is Stop.NOT_RETRIED
        assert len(httpx_mock.get_requests()) == 1

    def test_request_timeout_is_cut_to_the_deadline(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_response()
        send(make_retrier(clock, seconds=4))
        timeout = httpx_mock.get_requests()[0].extensions["timeout"]
        assert timeout == {"connect": 4.0, "read": 4.0, "write": 4.0, "pool": 4.0}


class TestBoundedRetrier:
    """Retrier.send with `attempts`: the writers after the verdict retry once, within the deadline still"""

    def test_a_writer_sends_twice_at_most(self) -> None:
        assert WRITER_ATTEMPTS == 2

    def test_two_requests_on_a_server_that_keeps_failing(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_response(status_code=503)
        httpx_mock.add_response(status_code=503)
        with pytest.raises(GaveUp) as caught:
            send(make_retrier(clock, attempts=2))
        gave_up = caught.value
        assert (gave_up.stop, gave_up.attempts, gave_up.response and gave_up.response.status_code) == (
            Stop.NO_RETRIES_LEFT,
            2,
            503,
        )
        assert gave_up.history() == "HTTP 503, and again when retried once"
        assert (len(httpx_mock.get_requests()), len(clock.sleeps)) == (2, 1)

    def test_a_different_second_failure_is_named_as_it_was(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_response(status_code=503)
        httpx_mock.add_response(status_code=429, headers={"Retry-After": "120"})
        with pytest.raises(GaveUp) as caught:
            send(make_retrier(clock, attempts=2))
        # The last allowed attempt's Retry-After asks for nothing: no retry follows it.
        assert (caught.value.stop, caught.value.history()) == (
            Stop.NO_RETRIES_LEFT,
            "HTTP 503, then HTTP 429 when retried once",
        )

    def test_one_retry_then_the_answer(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_response(status_code=429)
        httpx_mock.add_response(json={"ok": True})
        assert send(make_retrier(clock, attempts=2)).json() == {"ok": True}
        assert len(httpx_mock.get_requests()) == 2

    def test_retry_after_is_honoured_within_the_deadline(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_response(status_code=503, headers={"Retry-After": "12"})
        httpx_mock.add_response(json={})
        send(make_retrier(clock, seconds=30, attempts=2))
        assert clock.sleeps == [12.0]

    def test_retry_after_past_the_deadline_is_not_waited_for(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_response(status_code=429, headers={"Retry-After": "45"})
        with pytest.raises(GaveUp) as caught:
            send(make_retrier(clock, seconds=30, attempts=2))
        assert (caught.value.stop, caught.value.history(), clock.sleeps) == (
            Stop.RETRY_AFTER_TOO_LONG,
            "HTTP 429, asking for a wait of 45 s, past the time left",
            [],
        )

    def test_no_time_left_for_the_one_retry(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_response(status_code=503)
        with pytest.raises(GaveUp) as caught:
            send(make_retrier(clock, seconds=0.5, attempts=2))
        assert (caught.value.stop, caught.value.history()) == (Stop.OUT_OF_TIME, "HTTP 503, with no time left to retry")
        assert len(httpx_mock.get_requests()) == 1

    def test_a_refused_connection_is_retried_once_too(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"), is_reusable=True)
        with pytest.raises(GaveUp) as caught:
            send(make_retrier(clock, attempts=2))
        assert (caught.value.stop, caught.value.history()) == (
            Stop.CANNOT_CONNECT,
            "ConnectError: Connection refused, and again when retried once",
        )
        assert len(httpx_mock.get_requests()) == 2

    def test_a_lost_answer_is_retried_once(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_exception(httpx.ReadTimeout("timed out"), is_reusable=True)
        with pytest.raises(GaveUp) as caught:
            send(make_retrier(clock, attempts=2))
        assert (caught.value.stop, caught.value.history()) == (
            Stop.NO_RETRIES_LEFT,
            "ReadTimeout: timed out, and again when retried once",
        )
        assert len(httpx_mock.get_requests()) == 2

    def test_without_a_bound_it_retries_until_the_deadline(self, httpx_mock: HTTPXMock, clock: FakeClock) -> None:
        httpx_mock.add_response(status_code=503, is_reusable=True)
        with pytest.raises(GaveUp) as caught:
            send(make_retrier(clock, seconds=30))
        assert (caught.value.stop, caught.value.earlier) == (Stop.OUT_OF_TIME, ())
        assert caught.value.attempts == len(httpx_mock.get_requests()) > 2
        assert (
            caught.value.history()
            == f"HTTP 503 on the last of {caught.value.attempts} attempts, with no time left for another"
        )


class TestHostAndPort:
    """host_and_port: how every message names a server"""

    @pytest.mark.parametrize(
        ("url", "shown"),
        [
            ("https://app.aikido.dev", "app.aikido.dev"),
            ("http://127.0.0.1:8443/api", "127.0.0.1:8443"),
            ("https://x-access-token:ghs_secret@GHE.example.com:8443/api/v3", "ghe.example.com:8443"),
            ("https://hooks.slack.com/services/T000/B000/XXXX?token=t#f", "hooks.slack.com"),
            ("http://[::1]:8080/hook", "[::1]:8080"),
            ("https://chat.example:99999/hook", "chat.example"),
            ("not a url", ""),
        ],
    )
    def test_the_host_and_a_given_port_only(self, url: str, shown: str) -> None:
        assert host_and_port(url) == shown
