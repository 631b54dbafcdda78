"""gate.net.tls: the run's one TLS context, as an object the wiring makes and the clients share."""

from __future__ import annotations

import os
import ssl
from pathlib import Path

import httpx
import pytest

from gate.core.errors import ConfigError
from gate.net.tls import Tls, unusable_ca


class TestTls:
    """Tls: one context per run, built by the first client; a fresh one per test."""

    @pytest.fixture(autouse=True)
    def _no_cert_dir(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)

    def test_built_once_by_the_first_client(self, monkeypatch: pytest.MonkeyPatch) -> None:
        built: list[ssl.SSLContext] = []

        def build(**_: object) -> ssl.SSLContext:
            built.append(ssl.create_default_context())
            return built[-1]

        monkeypatch.setattr(httpx, "create_ssl_context", build)
        tls = Tls(os.environ)
        context = tls.context()
        assert tls.context() is context
        assert built == [context]

    def test_an_unusable_bundle_is_named(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        missing = tmp_path / "ca.pem"
        monkeypatch.setenv("SSL_CERT_FILE", str(missing))
        with pytest.raises(ConfigError) as raised:
            Tls(os.environ).context()
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
