"""The `Chat` port over an incoming webhook: POST the message its plugin renders, retried once on 5xx and 429 within
the budget.

One HTTP sender for every communicator (gate.core.plugins): `{"text": ...}` for
communicator-webhook-url and a webhook instance, Block Kit for Slack, an Adaptive Card for Teams.
The webhook URL is a credential (anyone holding it can post): it is registered as a secret,
never printed, and a message here names only its host and port and the input or variable that
holds it, never its path or query (where Slack, Teams and Google Chat keep the token).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from gate import USER_AGENT
from gate.core.chat import ChatNews, webhook_message
from gate.core.errors import WebhookRefused
from gate.net.faults import AnswerTooLarge, GaveUp, Stop
from gate.net.http import Retrier, Safety, host_and_port
from gate.net.proxy import plain_loopback
from gate.net.tls import Tls

INPUT = "communicator-webhook-url"


class Webhook:
    """Posts to the URL in communicator-webhook-url (or what `source` names)."""

    def __init__(
        self,
        url: str,
        retrier: Retrier,
        tls: Tls,
        *,
        source: str = INPUT,
        render: Callable[[ChatNews], dict[str, Any]] = webhook_message,
        kind: str = 'an incoming webhook that takes {"text": ...}',
    ) -> None:
        """`source`: where the URL comes from, as messages tell the user what to fix; `render`: the message's shape,
        which `kind` names in words."""
        self._url = url
        self._render = render
        self._kind = kind
        self._retrier = retrier
        self._tls = tls
        self._source = source
        self._where = host_and_port(url) or "no host"

    def post(self, news: ChatNews) -> None:
        """Post one message (a run posts at most one per rule and instance: a client of its own, closed after)."""
        with httpx.Client(
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
            trust_env=not plain_loopback(self._url),
            verify=self._tls.for_url(self._url),
        ) as http:
            self._send(http, http.build_request("POST", self._url, json=self._render(news)))

    def _send(self, http: httpx.Client, request: httpx.Request) -> None:
        try:
            # A chat message posted twice is a nuisance, not a harm: a 5xx, a 429 or a lost answer is retried (once).
            response = self._retrier.send(http, request, Safety.IDEMPOTENT)
        except GaveUp as gave_up:
            last = gave_up.response.status_code if gave_up.response is not None else None
            raise WebhookRefused(self._gave_up(gave_up), last or 0) from None
        except AnswerTooLarge:
            raise WebhookRefused(f"the chat webhook at {self._where} answered far too much") from None
        status = response.status_code
        if not 200 <= status < 300:
            raise WebhookRefused(self._refused(status), status)

    def _gave_up(self, gave_up: GaveUp) -> str:
        """Why the retries ended, truthfully: the service kept failing, asked for too long a wait, or nothing
        answered."""
        where, source = self._where, self._source
        if gave_up.response is not None:
            status = gave_up.response.status_code
            doing = "is rate-limiting us" if status == 429 else "is failing"
            return (
                f"the chat service at {where} {doing} ({gave_up.history()}): {source} needs no change; the next run "
                "posts again"
            )
        reason = self._without_url(gave_up.history())
        if gave_up.stop in (Stop.CANNOT_CONNECT, Stop.UNTRUSTED):
            return f"could not connect to the chat webhook at {where} ({reason}): check {source} and the network to it"
        return f"no answer from the chat webhook at {where} ({reason}): check {source} and the network to it"

    def _refused(self, status: int) -> str:
        """What a final answer other than 2xx means, and what to fix."""
        where, source = self._where, self._source
        if status in (404, 410):
            return (
                f"the chat webhook at {where} answered HTTP {status}: the webhook was deleted or the URL is wrong; "
                f"set {source} to the webhook's current URL"
            )
        if status in (401, 403):
            return (
                f"the chat webhook at {where} refused the message (HTTP {status}): the webhook was revoked or "
                f"disabled; create a new one and set {source} to its URL"
            )
        if 300 <= status < 400:
            # Not followed: the URL it points at is the secret's new form, and the old one is outdated.
            return (
                f"the chat webhook at {where} answered with a redirect (HTTP {status}), not followed: set {source} "
                "to the webhook's current URL"
            )
        if status >= 500:
            return f"the chat service at {where} is failing (HTTP {status}): {source} needs no change"
        return (
            f"the chat webhook at {where} refused the message (HTTP {status}): check that {source} is the URL of "
            f"{self._kind}"
        )

    def _without_url(self, text: str) -> str:
        """`text` with the URL's path and query cut out, should a transport fault quote them."""
        parts = urlsplit(self._url)
        for secret in (self._url, parts.path, parts.query):
            if len(secret) > 1:
                text = text.replace(secret, "…")
        return text
