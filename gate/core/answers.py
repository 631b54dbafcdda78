"""Answers deciphered, as gidgethub's `sansio.decipher_response` does: status, headers and body in; a value or a
typed exception out, saying what went wrong and what to do.

No socket and no I/O library: the API adapters hand their answers here (`gate.net.http.answer_of`)
and raise what comes back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from gate import DOCS
from gate.core.errors import (
    AikidoUnreachable,
    AuthenticationFailed,
    GitHubLookupFailed,
    RequestRejected,
    UnexpectedAnswer,
)
from gate.core.models import AIKIDO_HOSTS
from gate.core.sanitize import clean

KEY_HELP = (
    "the key is invalid, rotated or revoked. Create a new one in Aikido under "
    f"Settings > Integrations > CI/CD and store it as the secret given to secret-key (see {DOCS}#troubleshooting)"
)
NOT_CONNECTED_HELP = (
    "Aikido does not know this repository for this key: the repository is not connected to Aikido, or the key "
    "belongs to another Aikido workspace. Check that the repository is listed under Repositories in the "
    "workspace where the CI token was made (Settings > Integrations > CI/CD), or set repository-id "
    f"(see {DOCS}#troubleshooting)"
)
HTML_HELP = (
    "an HTML page instead of Aikido's JSON usually means a wrong api-base-url, a proxy or captive portal "
    "answering in Aikido's place, or a key for another region ({hosts}; leave api-base-url empty to choose by "
    f"the key) (see {DOCS}#troubleshooting)"
)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer as plain values, so each service's `decipher` reads it without a socket."""

    status: int
    headers: Mapping[str, str]
    content: bytes

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def excerpt(text: str, limit: int = 200) -> str:
    """A short one-line quote of an answer, cleaned (no secret, no control text) before it is cut."""
    text = re.sub(r"\s+", " ", clean(text[: limit * 4])).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def decipher_aikido(answer: Answer, *, doing: str, not_found: str = "", proxy: str | None = None) -> Any:
    """Aikido's answer as JSON, or the exception that says what went wrong and what to do. Pure.

    `not_found`: what a 404 means for this request. `proxy`: the variable naming the proxy in the way.
    """
    status, headers = answer.status, {name.lower(): value for name, value in answer.headers.items()}
    quote = excerpt(answer.text())
    if status in (401, 403):
        raise AuthenticationFailed(f"Aikido refused the secret-key (HTTP {status}) while {doing}: {KEY_HELP}", status)
    if status == 407:
        # Only a proxy answers 407 (a plain-http api-base-url goes through it as a request, not a tunnel).
        raise AikidoUnreachable(
            f"the proxy in {proxy or 'HTTP_PROXY'} refused the request while {doing} (HTTP 407, "
            f"proxy authentication required): check the credentials in {proxy or 'HTTP_PROXY'}",
            status,
        )
    if status in (301, 302, 303, 307, 308) and "location" in headers:
        target = _host_of(headers["location"]) or "another address"
        raise UnexpectedAnswer(
            f"Aikido answered HTTP {status} redirecting to {target} while {doing}; redirects are not followed "
            "so the key never leaves for another host: check api-base-url",
            status,
        )
    if 400 <= status < 500:
        hint = f": {not_found}" if status == 404 and not_found else ""
        raise RequestRejected(f"Aikido refused {doing} (HTTP {status}: {quote or 'empty answer'}){hint}", status)
    if not 200 <= status < 300:
        raise AikidoUnreachable(f"Aikido failed while {doing} (HTTP {status}): {quote or 'empty answer'}", status)
    try:
        return json.loads(answer.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        kind = headers.get("content-type", "no content type")
        html = "html" in kind.lower() or answer.content.lstrip()[:1] == b"<"
        hint = "; " + HTML_HELP.format(hosts=", ".join(sorted(AIKIDO_HOSTS))) if html else ""
        raise UnexpectedAnswer(
            f"Aikido's answer while {doing} is not JSON (HTTP {status}, {kind}): {quote or 'empty answer'}{hint}",
            status,
        ) from None


def fix_for(override: str) -> str:
    return f"set the {override} input, or give the job a token that can read the repository"


def decipher_lookup(answer: Answer, *, what: str, override: str) -> dict[str, Any]:
    """A look-up's answer as a JSON object, or GitHubLookupFailed saying which input avoids the look-up. Pure."""
    if not 200 <= answer.status < 300:
        quote = excerpt(answer.text(), limit=120)
        raise GitHubLookupFailed(
            f"the GitHub API refused to tell {what} (HTTP {answer.status}: {quote}); {fix_for(override)}",
            answer.status,
        )
    try:
        value = json.loads(answer.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        value = None
    if not isinstance(value, dict):
        raise GitHubLookupFailed(
            f"the GitHub API's answer for {what} is not a JSON object; {fix_for(override)}", answer.status
        )
    return value
