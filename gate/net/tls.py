"""The run's TLS context: one object, made by the wiring and handed to every client that needs it.

Loading the CA bundle is costly, so the context is built once, by whoever asks first. The CA
certificates are the ones the process environment names (SSL_CERT_FILE, SSL_CERT_DIR): httpx reads
those two itself (`create_ssl_context(trust_env=True)`). The environment the wiring gives, the same
one in a run, only names them when they hold no certificate and decides whether a proxy is in the way.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Mapping

import httpx

from gate import DOCS
from gate.core.errors import ConfigError
from gate.net.proxy import proxy_variable


class Tls:
    """Builds the one context lazily, once."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self._lock = threading.Lock()
        self._context: ssl.SSLContext | None = None

    def context(self) -> ssl.SSLContext:
        """The context; ConfigError naming the variable when its CA certificates cannot be loaded."""
        with self._lock:
            if self._context is None:
                try:
                    self._context = httpx.create_ssl_context(trust_env=True)
                except OSError as failure:  # ssl.SSLError included: a file that holds no certificate
                    raise ConfigError(unusable_ca(self._environ, failure)) from None
            return self._context

    def for_url(self, base_url: str) -> ssl.SSLContext | bool:
        """What a client of `base_url` verifies TLS with.

        Plain http with no proxy in the way (the emulator on loopback) never speaks TLS, and
        redirects are never followed: no CA bundle to load. Everything else shares the one context.
        """
        url = httpx.URL(base_url)
        if url.scheme == "http" and proxy_variable("http", url.host, self._environ) is None:
            return False
        return self.context()


def unusable_ca(environ: Mapping[str, str], failure: OSError) -> str:
    """Why no CA certificates could be loaded, naming the variable that chose them (as httpx reads them)."""
    # OpenSSL's own words (X509: NO_CERTIFICATE_OR_CRL_FOUND), or the system's (No such file or directory).
    library, code = getattr(failure, "library", None), getattr(failure, "reason", None)
    reason = f"{library}: {code}" if library and code else failure.strerror or str(failure)
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        if environ.get(name):
            return (
                f"{name} is {environ[name]!r}, which gives no CA certificates ({reason}); point it at a PEM file "
                f"of the certificates to trust, or unset it to trust the usual public ones (see {DOCS}#troubleshooting)"
            )
    return f"the CA certificates to verify TLS with could not be loaded ({reason})"
