"""The `Chat` port over an incoming webhook: POST {"text": ...}, retried on 5xx and 429 within the budget.

The webhook URL is a credential (anyone holding it can post): it is registered as a secret,
never printed, and no message here names more than the input that holds it.
"""

from __future__ import annotations

import httpx

from gate import USER_AGENT
from gate.core.errors import WebhookRefused
from gate.net.faults import AnswerTooLarge, GaveUp
from gate.net.http import Retrier, Safety
from gate.net.proxy import plain_loopback
from gate.net.tls import Tls

INPUT = "communicator-webhook-url"


class Webhook:
    """Posts to the URL in communicator-webhook-url."""

    def __init__(self, url: str, retrier: Retrier, tls: Tls) -> None:
        self._url = url
        self._retrier = retrier
        self._tls = tls

    def post(self, text: str) -> None:
        """Post one line (a run posts at most one per rule: a client of its own, closed after)."""
        with httpx.Client(
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
            trust_env=not plain_loopback(self._url),
            verify=self._tls.for_url(self._url),
        ) as http:
            self._send(http, http.build_request("POST", self._url, json={"text": text}))

    def _send(self, http: httpx.Client, request: httpx.Request) -> None:
        try:
            # A chat message posted twice is a nuisance, not a harm: 5xx and 429 are retried.
            response = self._retrier.send(http, request, Safety.IDEMPOTENT)
        except GaveUp as gave_up:
            raise WebhookRefused(f"no answer from the webhook in {INPUT} ({gave_up.reason})") from None
        except AnswerTooLarge:
            raise WebhookRefused(f"the webhook in {INPUT} answered far too much") from None
        if not 200 <= response.status_code < 300:
            raise WebhookRefused(f"the webhook in {INPUT} answered HTTP {response.status_code}", response.status_code)
