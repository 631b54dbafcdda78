"""The proxy variables, read as httpx and requests read them, and checked before any request.

Both clients take their proxy from `HTTPS_PROXY`, `HTTP_PROXY` and `ALL_PROXY` (the lower-case
spelling wins, as in urllib's `getproxies`). GitHub's runner goes through HTTP proxies only and
so do we: a SOCKS URL would need an extra library and fail deep inside a request, so it is
refused up front, naming the variable. A proxy URL may hold credentials: never show its value.
"""

from __future__ import annotations

from collections.abc import Mapping

# Public, documented by its docstring only, and missing from typeshed.
from urllib.request import proxy_bypass_environment  # type: ignore[attr-defined]

PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")
SCHEMES = ("http", "https")


def _spellings(name: str) -> tuple[str, str]:
    return name.lower(), name


def proxy_variable(url_scheme: str, host: str, environ: Mapping[str, str]) -> str | None:
    """The variable whose proxy a request to `url_scheme`://`host` goes through, if any (NO_PROXY counts)."""
    no_proxy = environ.get("no_proxy", "").strip() or environ.get("NO_PROXY", "").strip()
    if no_proxy and proxy_bypass_environment(host, {"no": no_proxy}):
        return None
    for name in (f"{url_scheme.upper()}_PROXY", "ALL_PROXY"):
        for env in _spellings(name):
            if environ.get(env, "").strip():
                return env
    return None


def unusable_proxy(environ: Mapping[str, str]) -> str | None:
    """One line naming a proxy variable we cannot go through, or None when all are fine."""
    for name in PROXY_VARIABLES:
        for env in _spellings(name):
            value = environ.get(env, "").strip()
            # A value without a scheme ("proxy:3128") is read as http://, as httpx and requests do.
            scheme = value.partition("://")[0].lower() if "://" in value else "http"
            if value and scheme not in SCHEMES:
                kind = "a SOCKS proxy" if scheme.startswith("socks") else "a proxy URL"
                return (
                    f"{env} is {kind} ({scheme}://…); aikido-gate goes through HTTP proxies only, as GitHub's "
                    f"runner does: set {env} to an http:// or https:// proxy URL, or to an empty value in this "
                    "step's env"
                )
    return None
