"""gate.chat.webhook: the `Chat` port over a real incoming webhook on loopback (emulator.chat)."""

from __future__ import annotations

import random

import pytest

from emulator.chat import ChatWebhook
from gate.chat.webhook import Webhook
from gate.core.chat import ChatNews
from gate.core.clock import Deadline
from gate.core.errors import WebhookRefused
from gate.net.http import Retrier
from gate.net.tls import Tls
from tests.conftest import FakeClock

# The webhook's path and query hold its token (emulator.chat's is /services/T000/B000/demo).
SECRET_PARTS = ("/services", "T000", "B000", "demo")
NEWS = ChatNews("ERROR", None, "octo-org/octo-repo", "main")
LINE = "Aikido gate ERROR on octo-org/octo-repo main"


def webhook(chat: ChatWebhook, clock: FakeClock | None = None) -> Webhook:
    """The adapter as the wiring makes it, with a budget of 30 s on a fake clock."""
    clock = clock or FakeClock()
    return Webhook(chat.url, Retrier(Deadline(clock() + 30, clock), sleep=clock.sleep, rng=random.Random(1)), Tls({}))


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

    def test_retried_past_a_503_and_a_429(self) -> None:
        clock = FakeClock()
        with ChatWebhook(503, 429) as chat:
            webhook(chat, clock).post(NEWS)
        assert chat.bodies == [{"text": LINE}] * 3
        assert len(clock.sleeps) == 2


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
    def test_a_failing_service_after_the_retries(self, status: int, doing: str) -> None:
        with ChatWebhook(*[status] * 100) as chat:
            refused = refusal(chat)
        assert (str(refused), refused.status) == (
            f"the chat service at {chat.url.split('/')[2]} {doing} (HTTP {status} until the time budget ran out): "
            "communicator-webhook-url needs no change; see the service's status page",
            status,
        )
        assert len(chat.bodies) > 1

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
