"""The proxy variables, read as httpx and requests read them, and checked before any request.

Both clients take their proxy from `HTTPS_PROXY`, `HTTP_PROXY` and `ALL_PROXY` (the lower-case
spelling wins, as in urllib's `getproxies`). GitHub's runner goes through HTTP proxies only and
so do we: a SOCKS URL would need an extra library and fail deep inside a request, so it is
refused up front, naming the variable. A proxy URL may hold credentials: never show its value.

A plain-http request to this machine (`http://localhost:8080`, the emulator) never goes
through a proxy: the proxy may be another machine, and the request carries the key or the
token in clear text. httpx clients are built without the environment's proxies for such a
URL; requests (under PyGithub) offers no public way to say so per client, so a plain-http
loopback `GITHUB_API_URL` with a proxy that would apply is refused instead.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit
from urllib.request import proxy_bypass_environment  # type: ignore[attr-defined]  # public, missing from typeshed

PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")
SCHEMES = ("http", "https")


def _spellings(name: str) -> tuple[str, str]:
    return name.lower(), name


def is_loopback(host: str) -> bool:
    """`host` is this machine: localhost (or a name under it), 127.0.0.0/8 or ::1."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_loopback(url: str) -> bool:
    """`url` is plain http to this machine: never sent through a proxy."""
    parts = urlsplit(url)
    return parts.scheme.lower() == "http" and is_loopback(parts.hostname or "")


def proxy_variable(
    url_scheme: str, host: str, environ: Mapping[str, str], *, loopback_direct: bool = True
) -> str | None:
    """The variable whose proxy a request to `url_scheme`://`host` goes through, if any (NO_PROXY counts).

    `loopback_direct`: the client sends plain http to this machine directly (our httpx clients do;
    requests under PyGithub does not, and settings refuses that case up front).
    """
    if loopback_direct and url_scheme.lower() == "http" and is_loopback(host):
        return None
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


def clear_text_proxy(name: str, url: str, environ: Mapping[str, str]) -> str | None:
    """One line refusing a plain-http loopback `url` (named `name`) that a proxy variable would send away."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "http" or not is_loopback(parts.hostname or ""):
        return None
    # The variable requests would go through: it does not send plain http to this machine directly.
    env = proxy_variable("http", parts.hostname or "", environ, loopback_direct=False)
    if env is None:
        return None
    return (
        f"{name} is plain http to this machine and {env} is set: the token would go in clear text through the "
        f"proxy, which may be another machine; add {parts.hostname} to NO_PROXY, or empty {env} in this step's env"
    )
