"""gate.net.tls: the run's one TLS context, as an object the boot sequence makes and the clients share."""

from __future__ import annotations

import os
import ssl
import threading
from pathlib import Path

import httpx
import pytest

from gate.core.errors import ConfigError
from gate.net.tls import Tls, unusable_ca


class TestTls:
    """Tls: one context per run, built aside during the imports or by the first client; a fresh one per test."""

    @pytest.fixture(autouse=True)
    def _no_cert_dir(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)

    def test_built_aside_once_and_waited_for(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A client asking while the thread still builds it gets that very context, not a second one."""
        built: list[ssl.SSLContext] = []
        release = threading.Event()

        def slow_build(**_: object) -> ssl.SSLContext:
            release.wait(5)
            built.append(ssl.create_default_context())
            return built[-1]

        monkeypatch.setattr(httpx, "create_ssl_context", slow_build)
        tls = Tls(os.environ)
        aside = tls.build_aside()
        threading.Timer(0.2, release.set).start()
        context = tls.context()
        aside.join(5)
        assert built == [context]
        assert tls.context() is context

    def test_a_failure_aside_is_silent_and_met_again_by_the_client(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capfd: pytest.CaptureFixture[str]
    ) -> None:
        missing = tmp_path / "ca.pem"
        monkeypatch.setenv("SSL_CERT_FILE", str(missing))
        tls = Tls(os.environ)
        tls.build_aside().join(5)
        assert capfd.readouterr().err == ""  # no "Exception in thread" traceback
        with pytest.raises(ConfigError) as raised:
            tls.context()
        assert str(raised.value).startswith(
            f"SSL_CERT_FILE is '{missing}', which gives no CA certificates (No such file or directory); "
        )

    def test_a_bad_directory_or_bundle_is_named(self) -> None:
        failure = ssl.SSLError(0, "no certificate")
        missing = FileNotFoundError(2, "No such file or directory")
        assert unusable_ca({"SSL_CERT_DIR": "/etc/corp"}, missing).startswith(
            "SSL_CERT_DIR is '/etc/corp', which gives no CA certificates (No such file or directory); "
        )
        assert "SSL_CERT_DIR is '/etc/corp', which gives no CA certificates (no certificate)" in unusable_ca(
            {"SSL_CERT_DIR": "/etc/corp"}, failure
        )
        assert unusable_ca({}, PermissionError(13, "Permission denied")) == (
            "the CA certificates to verify TLS with could not be loaded (Permission denied)"
        )

    def test_plain_http_to_this_machine_needs_no_context(self) -> None:
        tls = Tls({})
        assert tls.for_url("http://127.0.0.1:9") is False
        assert isinstance(Tls({}).for_url("https://app.aikido.dev"), ssl.SSLContext)
        assert isinstance(
            Tls({"HTTP_PROXY": "http://proxy.example:3128"}).for_url("http://aikido.internal"), ssl.SSLContext
        )
