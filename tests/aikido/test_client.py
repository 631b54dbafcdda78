"""The Aikido client: request shape, errors a user can act on, no secret in any message."""

from __future__ import annotations

import contextlib
import json
import os
import random
import socket
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
from pytest_httpx import HTTPXMock

from emulator.server import LoopbackServer
from gate import __version__
from gate.aikido.client import AikidoClient, build_http_client
from gate.core.clock import Deadline
from gate.core.errors import AikidoUnreachable, AuthenticationFailed, OutOfTime, RequestRejected, UnexpectedAnswer
from gate.core.sanitize import add_secrets
from gate.net.http import Retrier
from gate.net.tls import Tls
from tests.conftest import FakeClock
from tests.support.refusing_proxy import RefusingProxy

KEY = "AIK_CI_" + "k" * 64
BASE = "https://app.aikido.dev"
SCAN_URL = f"{BASE}/api/integrations/continuous_integration/scan/repository"
BODY = {"repository_id": "R_1", "branch_name": "main"}


@pytest.fixture
def client(clock: FakeClock, tls: Tls) -> AikidoClient:
    retrier = Retrier(Deadline(clock() + 60, clock), sleep=clock.sleep, rng=random.Random(3))
    add_secrets([KEY])
    return AikidoClient(build_http_client(BASE, KEY, tls), retrier, environ=os.environ)


class TestStartScan:
    """AikidoClient.start_scan"""

    def test_posts_the_body_with_the_secret_header(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(method="POST", url=SCAN_URL, json={"scan_id": 22})
        assert client.start_scan(BODY) == 22
        request = httpx_mock.get_requests()[0]
        assert request.headers["X-AIK-API-SECRET"] == KEY
        assert request.headers["User-Agent"].startswith(f"aikido-gate/{__version__}")
        assert request.headers["Content-Type"] == "application/json"
        assert json.loads(request.content) == BODY

    @pytest.mark.parametrize("status", [401, 403])
    def test_refused_key(self, httpx_mock: HTTPXMock, client: AikidoClient, status: int) -> None:
        httpx_mock.add_response(status_code=status, json={"error": "invalid"})
        with pytest.raises(AuthenticationFailed) as caught:
            client.start_scan(BODY)
        assert str(caught.value).startswith(
            f"Aikido refused the secret-key (HTTP {status}) while starting the scan: the key is invalid, rotated "
            "or revoked. Create a new one"
        )
        assert len(httpx_mock.get_requests()) == 1

    def test_404_says_the_repository_is_not_connected_or_the_key_is_another_workspaces(
        self, httpx_mock: HTTPXMock, client: AikidoClient
    ) -> None:
        httpx_mock.add_response(status_code=404, json={"error": "repository not found"})
        with pytest.raises(RequestRejected) as caught:
            client.start_scan(BODY)
        assert str(caught.value) == (
            'Aikido refused starting the scan (HTTP 404: {"error":"repository not found"}): Aikido does not know this '
            "repository for this key: the repository is not connected to Aikido, or the key belongs to another "
            "Aikido workspace. Check that the repository is listed under Repositories in the workspace where the CI "
            "token was made (Settings > Integrations > CI/CD), or set repository-id "
            "(see https://github.com/aikido-gate/aikido-gate#troubleshooting)"
        )
        assert caught.value.status == 404

    def test_404_on_a_poll_has_no_such_hint(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(status_code=404, json={"error": "scan not found"})
        with pytest.raises(RequestRejected) as caught:
            client.scan_status(22)
        assert str(caught.value) == 'Aikido refused polling scan 22 (HTTP 404: {"error":"scan not found"})'

    def test_html_login_page_is_an_error_with_an_excerpt_and_the_likely_causes(
        self, httpx_mock: HTTPXMock, client: AikidoClient
    ) -> None:
        httpx_mock.add_response(html="<!DOCTYPE html><title>Log in</title>")
        with pytest.raises(UnexpectedAnswer) as caught:
            client.start_scan(BODY)
        assert str(caught.value) == (
            "Aikido's answer while starting the scan is not JSON (HTTP 200, text/html; charset=utf-8): "
            "<!DOCTYPE html><title>Log in</title>; an HTML page instead of Aikido's JSON usually means a wrong "
            "api-base-url, a proxy or captive portal answering in Aikido's place, or a key for another region "
            "(app.aikido.dev, app.me.aikido.dev, app.us.aikido.dev; leave api-base-url empty to choose by the key) "
            "(see https://github.com/aikido-gate/aikido-gate#troubleshooting)"
        )

    def test_other_non_json_has_no_html_hint(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(text="oops", headers={"Content-Type": "text/plain"})
        with pytest.raises(UnexpectedAnswer) as caught:
            client.start_scan(BODY)
        assert str(caught.value) == "Aikido's answer while starting the scan is not JSON (HTTP 200, text/plain): oops"

    def test_missing_scan_id(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(json={"id": 22})
        with pytest.raises(UnexpectedAnswer, match=r'has no scan_id: \{"id":22\}'):
            client.start_scan(BODY)

    def test_redirect_is_not_followed(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(status_code=302, headers={"Location": "https://evil.example/login"})
        with pytest.raises(UnexpectedAnswer, match=r"redirecting to evil\.example .* check api-base-url"):
            client.start_scan(BODY)
        assert len(httpx_mock.get_requests()) == 1

    def test_secret_echoed_by_the_server_is_redacted(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(status_code=400, text=f"bad key {KEY}")
        with pytest.raises(RequestRejected) as caught:
            client.start_scan(BODY)
        assert KEY not in str(caught.value)
        assert "bad key ***" in str(caught.value)

    def test_read_timeout_is_not_retried(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_exception(httpx.ReadTimeout("timed out"))
        with pytest.raises(AikidoUnreachable) as caught:
            client.start_scan(BODY)
        assert str(caught.value) == (
            "starting the scan failed at app.aikido.dev: ReadTimeout: timed out; not retried, "
            "as Aikido may already have acted on it"
        )

    def test_500_on_start_is_not_retried(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(status_code=500, text="oops")
        with pytest.raises(AikidoUnreachable, match=r"Aikido failed while starting the scan \(HTTP 500\): oops"):
            client.start_scan(BODY)


class TestScanStatus:
    """AikidoClient.scan_status"""

    def test_polls_with_the_scan_id(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(url=f"{SCAN_URL}?scan_id=22", json={"all_scans_completed": False})
        assert not client.scan_status(22).final

    def test_retry_after_past_the_deadline_ends_the_wait_at_once(
        self, httpx_mock: HTTPXMock, client: AikidoClient, clock: FakeClock
    ) -> None:
        httpx_mock.add_response(status_code=429, headers={"Retry-After": "30"}, is_reusable=True)
        with pytest.raises(OutOfTime) as caught:
            client.scan_status(22)
        assert str(caught.value) == (
            "Aikido asked us to wait 30 s (HTTP 429, Retry-After) while polling scan 22, which ends past the "
            "deadline; not waited for"
        )
        assert clock.sleeps == [30]

    def test_rate_limit_until_the_deadline(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(status_code=429, is_reusable=True)
        with pytest.raises(OutOfTime, match=r"kept rate-limiting us while polling scan 22 \(HTTP 429\)"):
            client.scan_status(22)

    def test_transient_failures_until_the_deadline(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(status_code=502, is_reusable=True)
        with pytest.raises(OutOfTime) as caught:
            client.scan_status(22)
        assert str(caught.value).startswith(
            "could not reach Aikido at app.aikido.dev while polling scan 22: HTTP 502 ("
        )
        assert str(caught.value).endswith("attempts before the deadline)")

    def test_refused_connections_end_soon_naming_host_and_input(
        self, httpx_mock: HTTPXMock, client: AikidoClient, clock: FakeClock
    ) -> None:
        httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"), is_reusable=True)
        with pytest.raises(AikidoUnreachable) as caught:
            client.scan_status(22)
        assert str(caught.value).startswith(
            "could not connect to Aikido at app.aikido.dev while polling scan 22 "
            "(ConnectError: Connection refused; 3 attempts): check api-base-url, or leave it empty"
        )
        assert len(clock.sleeps) == 2
        assert 7.5 <= sum(clock.sleeps) <= 15

    def test_with_a_short_deadline_the_advice_is_the_same(
        self, httpx_mock: HTTPXMock, clock: FakeClock, tls: Tls
    ) -> None:
        """timeout-seconds too short for three attempts: still which host, and to check api-base-url."""
        httpx_mock.add_exception(httpx.ConnectError("[Errno -2] Name or service not known"), is_reusable=True)
        retrier = Retrier(Deadline(clock() + 6, clock), sleep=clock.sleep, rng=random.Random(3))
        client = AikidoClient(build_http_client(BASE, KEY, tls), retrier, environ=os.environ)
        with pytest.raises(AikidoUnreachable) as caught:
            client.scan_status(22)
        message = str(caught.value)
        assert message.startswith(
            "could not connect to Aikido at app.aikido.dev while polling scan 22 (ConnectError: Name or service not "
            "known; "
        )
        assert "attempts): check api-base-url, or leave it empty" in message or "attempt): check" in message
        assert len(clock.sleeps) < 2

    def test_an_oversized_answer_is_cut_off(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(content=b"[" + b"0," * (5 * 2**20) + b"0]")
        with pytest.raises(UnexpectedAnswer, match=r"larger than 8 MB; it was cut off unread: check api-base-url"):
            client.scan_status(22)

    def test_final_answer_without_gate_passed(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(json={"all_scans_completed": True})
        with pytest.raises(UnexpectedAnswer, match="no gate_passed"):
            client.scan_status(22)


class TestUpload:
    """AikidoClient.upload"""

    CUSTOM_URL = f"{BASE}/api/integrations/continuous_integration/scan/custom"

    def body(self) -> list[bytes]:
        return [b'{"scan_id": 1, "payload_type": "checkov", "payload": "', b"{}", b'"}']

    def test_streams_with_a_content_length(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(method="POST", url=self.CUSTOM_URL, json={"success": 1})
        client.upload(self.body(), 61, "build/checkov.sarif")
        request = httpx_mock.get_requests()[0]
        # A large upload may take Aikido a while to answer: it waits as long as the deadline allows.
        assert request.extensions["timeout"]["read"] == 60.0
        assert request.headers["Content-Length"] == "61"
        assert "Transfer-Encoding" not in request.headers
        assert json.loads(request.read()) == {"scan_id": 1, "payload_type": "checkov", "payload": "{}"}

    def test_retried_where_aikido_cannot_have_taken_it(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(status_code=503)
        httpx_mock.add_response(json={"success": 1})
        client.upload(self.body(), 61, "x")
        assert [json.loads(r.read())["payload"] for r in httpx_mock.get_requests()] == ["{}", "{}"]

    def test_not_retried_after_a_500(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(status_code=500, text="boom")
        with pytest.raises(AikidoUnreachable, match=r"Aikido failed while uploading x \(HTTP 500\): boom"):
            client.upload(self.body(), 61, "x")

    def test_answer_without_success(self, httpx_mock: HTTPXMock, client: AikidoClient) -> None:
        httpx_mock.add_response(json={"success": 0})
        with pytest.raises(UnexpectedAnswer, match=r'the upload answer is not \{"success": 1\}'):
            client.upload(self.body(), 61, "x")


class TestProxies:
    """A proxy's refusal is named as the proxy's, over a real proxy on loopback."""

    @pytest.fixture
    def proxy(self) -> Iterator[RefusingProxy]:
        with RefusingProxy() as running:
            yield running

    def _client(self, base: str, clock: FakeClock) -> AikidoClient:
        retrier = Retrier(Deadline(clock() + 60, clock), sleep=clock.sleep, rng=random.Random(3))
        return AikidoClient(build_http_client(base, KEY, Tls(os.environ)), retrier, environ=os.environ)

    def test_a_refused_tunnel_is_retried_like_a_refused_connection(
        self, proxy: RefusingProxy, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        client = self._client(BASE, clock)
        with pytest.raises(AikidoUnreachable) as caught:
            client.start_scan(BODY)
        assert str(caught.value) == (
            "could not reach Aikido at app.aikido.dev through the proxy in HTTPS_PROXY while starting the scan "
            "(the proxy refused the tunnel (407 Proxy Authentication Required); 3 attempts): check the proxy's "
            "address and credentials in HTTPS_PROXY (see https://github.com/aikido-gate/aikido-gate#retries-and-safety)"
        )
        # Nothing reached Aikido, so even the start may be tried again; the key never went to the proxy.
        assert proxy.request_lines == ["CONNECT app.aikido.dev:443 HTTP/1.1"] * 3
        assert all(KEY not in head for head in proxy.heads)

    def test_a_407_to_a_forwarded_request_names_the_proxy(
        self, proxy: RefusingProxy, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("http_proxy", proxy.url)
        client = self._client("http://aikido.internal", clock)
        with pytest.raises(AikidoUnreachable) as caught:
            client.scan_status(22)
        assert str(caught.value) == (
            "the proxy in http_proxy refused the request while polling scan 22 (HTTP 407, proxy authentication "
            "required): check the credentials in http_proxy"
        )
        assert proxy.request_lines == [
            "GET http://aikido.internal/api/integrations/continuous_integration/scan/repository?scan_id=22 HTTP/1.1"
        ]

    def test_no_proxy_hosts_go_direct_and_the_message_says_so(
        self, proxy: RefusingProxy, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        closed = socket.create_server(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        client = self._client(f"http://127.0.0.1:{port}", clock)
        with pytest.raises(AikidoUnreachable) as caught:
            client.scan_status(22)
        assert str(caught.value).startswith(f"could not connect to Aikido at 127.0.0.1:{port} while polling scan 22 (")
        assert str(caught.value).endswith(
            "3 attempts): check api-base-url, or leave it empty so the key's region "
            "chooses the host (app.aikido.dev, app.me.aikido.dev, app.us.aikido.dev) "
            "(see https://github.com/aikido-gate/aikido-gate#troubleshooting)"
        )
        assert proxy.heads == []


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port: int = closed.getsockname()[1]
    return port


class TestTheHostIsNamedWithItsPort:
    """AikidoClient: every failed connection names the host and port of api-base-url, over real loopback"""

    @pytest.fixture
    def connect(self, clock: FakeClock) -> Iterator[Callable[[str], AikidoClient]]:
        """Clients of api-base-url `base`, each closed after the test."""
        with contextlib.ExitStack() as clients:

            def client(base: str) -> AikidoClient:
                retrier = Retrier(Deadline(clock() + 60, clock), sleep=clock.sleep, rng=random.Random(3))
                http = clients.enter_context(build_http_client(base, KEY, Tls({})))
                return AikidoClient(http, retrier, environ={})

            yield client

    def test_a_refused_connection(self, connect: Callable[[str], AikidoClient]) -> None:
        port = closed_port()
        with pytest.raises(AikidoUnreachable) as caught:
            connect(f"http://127.0.0.1:{port}").start_scan(BODY)
        assert str(caught.value).startswith(
            f"could not connect to Aikido at 127.0.0.1:{port} while starting the scan (ConnectError: "
        )

    def test_transient_answers_until_the_deadline(self, connect: Callable[[str], AikidoClient]) -> None:
        with (
            LoopbackServer(lambda request: (502, {"error": "bad gateway"}, {})) as server,
            pytest.raises(OutOfTime) as caught,
        ):
            connect(server.url).scan_status(22)
        port = server.url.rpartition(":")[2]
        assert str(caught.value).startswith(
            f"could not reach Aikido at 127.0.0.1:{port} while polling scan 22: HTTP 502 ("
        )

    def test_a_connection_dropped_after_the_request(self, connect: Callable[[str], AikidoClient]) -> None:
        with socket.create_server(("127.0.0.1", 0)) as listening:
            port = listening.getsockname()[1]

            def drop() -> None:  # the request arrives, then the connection closes without an answer
                listening.accept()[0].close()

            dropper = threading.Thread(target=drop, daemon=True)
            dropper.start()
            with pytest.raises(AikidoUnreachable) as caught:
                connect(f"http://127.0.0.1:{port}").start_scan(BODY)
            dropper.join(5)
        assert str(caught.value).startswith(f"starting the scan failed at 127.0.0.1:{port}: ")
        assert str(caught.value).endswith("; not retried, as Aikido may already have acted on it")
