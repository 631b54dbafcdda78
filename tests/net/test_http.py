"""The one deadline and the retry rules, over pytest-httpx."""

from __future__ import annotations

import random

import httpx
import pytest
from pytest_httpx import HTTPXMock

from gate.core.clock import Deadline
from gate.net.faults import GaveUp, Stop
from gate.net.http import Retrier, Safety, backoff_delay, host_and_port, retry_after_seconds
from tests.conftest import FakeClock

URL = "https://app.aikido.dev/x"


def make_retrier(clock: FakeClock, seconds: float = 60) -> Retrier:
    return Retrier(Deadline(clock() + seconds, clock), sleep=clock.sleep, rng=random.Random(7))


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
