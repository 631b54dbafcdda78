"""gate.chat.webhook: the `Chat` port over a real incoming webhook on loopback (emulator.chat)."""

from __future__ import annotations

import random

import pytest

from emulator.chat import ChatWebhook
from gate.chat.webhook import Webhook
from gate.core.chat import ChatNews
from gate.core.clock import Deadline
from gate.core.errors import WebhookRefused
from gate.net.http import WRITER_ATTEMPTS, Retrier
from gate.net.tls import Tls
from tests.conftest import FakeClock

# The webhook's path and query hold its token (emulator.chat's is /services/T000/B000/demo).
SECRET_PARTS = ("/services", "T000", "B000", "demo")
NEWS = ChatNews("ERROR", None, "octo-org/octo-repo", "main")
LINE = "Aikido gate ERROR on octo-org/octo-repo main"


def webhook(chat: ChatWebhook, clock: FakeClock | None = None) -> Webhook:
    """The adapter as the wiring makes it, with a budget of 30 s on a fake clock."""
    clock = clock or FakeClock()
    retrier = Retrier(Deadline(clock() + 30, clock), sleep=clock.sleep, rng=random.Random(1), attempts=WRITER_ATTEMPTS)
    return Webhook(chat.url, retrier, Tls({}))


def refusal(chat: ChatWebhook) -> WebhookRefused:
    """What posting one line to `chat` raises."""
    with pytest.raises(WebhookRefused) as refused:
        webhook(chat).post(NEWS)
    assert [part for part in SECRET_PARTS if part in str(refused.value)] == []
    return refused.value


class TestPost:
    """Webhook.post: the body's shape, retries, the URL in no message"""

    def test_the_line_is_posted_as_text(self) -> None:
        with ChatWebhook() as chat:
            webhook(chat).post(NEWS)
        assert chat.bodies == [{"text": LINE}]

    @pytest.mark.parametrize("status", [503, 429])
    def test_retried_once_past_a_transient_answer(self, status: int) -> None:
        clock = FakeClock()
        with ChatWebhook(status) as chat:
            webhook(chat, clock).post(NEWS)
        assert chat.bodies == [{"text": LINE}] * 2
        assert len(clock.sleeps) == 1


class TestRefusals:
    """A failed chat line names what to fix and the webhook's host and port, never its path"""

    @pytest.mark.parametrize(
        ("status", "said"),
        [
            (
                404,
                "answered HTTP 404: the webhook was deleted or the URL is wrong; set communicator-webhook-url to "
                "the webhook's current URL",
            ),
            (
                410,
                "answered HTTP 410: the webhook was deleted or the URL is wrong; set communicator-webhook-url to "
                "the webhook's current URL",
            ),
            (
                403,
                "refused the message (HTTP 403): the webhook was revoked or disabled; create a new one and set "
                "communicator-webhook-url to its URL",
            ),
            (
                401,
                "refused the message (HTTP 401): the webhook was revoked or disabled; create a new one and set "
                "communicator-webhook-url to its URL",
            ),
            (
                302,
                "answered with a redirect (HTTP 302), not followed: set communicator-webhook-url to the webhook's "
                "current URL",
            ),
            (
                400,
                "refused the message (HTTP 400): check that communicator-webhook-url is the URL of an incoming "
                'webhook that takes {"text": ...}',
            ),
        ],
    )
    def test_a_refusal_says_what_to_fix(self, status: int, said: str) -> None:
        with ChatWebhook(status) as chat:
            refused = refusal(chat)
        assert (str(refused), refused.status) == (f"the chat webhook at {chat.url.split('/')[2]} {said}", status)
        assert len(chat.bodies) == 1  # a refusal is not retried

    @pytest.mark.parametrize(("status", "doing"), [(503, "is failing"), (429, "is rate-limiting us")])
    def test_a_failing_service_is_retried_once(self, status: int, doing: str) -> None:
        with ChatWebhook(*[status] * 100) as chat:
            refused = refusal(chat)
        assert (str(refused), refused.status) == (
            f"the chat service at {chat.url.split('/')[2]} {doing} (HTTP {status}, and again when retried once): "
            "communicator-webhook-url needs no change; the next run posts again",
            status,
        )
        assert len(chat.bodies) == 2

    def test_a_wait_past_the_budget_is_not_waited_for(self) -> None:
        clock = FakeClock()
        with ChatWebhook(429) as chat:
            chat.headers = {"Retry-After": "90"}
            with pytest.raises(WebhookRefused) as refused:
                webhook(chat, clock).post(NEWS)
        assert str(refused.value).endswith(
            "is rate-limiting us (HTTP 429, asking for a wait of 90 s, past the time left): communicator-webhook-url "
            "needs no change; the next run posts again"
        )
        assert (len(chat.bodies), clock.sleeps) == (1, [])

    def test_no_answer_names_host_and_port_only(self) -> None:
        with ChatWebhook() as chat:
            pass  # stopped: its port now refuses connections
        refused = refusal(chat)
        where = chat.url.split("/")[2]
        assert str(refused).startswith(f"could not connect to the chat webhook at {where} (ConnectError: ")
        assert str(refused).endswith("): check communicator-webhook-url and the network to it")
        assert (where.startswith("127.0.0.1:"), refused.status) == (True, 0)

    def test_another_source_is_named_as_given(self) -> None:
        with ChatWebhook(404) as chat:
            clock = FakeClock()
            retrier = Retrier(Deadline(clock() + 30, clock), sleep=clock.sleep, rng=random.Random(1))
            with pytest.raises(WebhookRefused, match="set CHAT_URL to the webhook's current URL"):
                Webhook(chat.url, retrier, Tls({}), source="CHAT_URL").post(NEWS)
