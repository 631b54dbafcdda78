"""gate.core.chat: each communicator's message, checked by its service's own models, every hostile part inert."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from gate.core.chat import ChatNews, slack_message, teams_message, teams_text, text_line, webhook_message
from gate.core.sanitize import Secrets, using
from tests.support.adaptive import AdaptiveCards

SCAN = "https://app.aikido.dev/repositories/1/scans/42?a=1&b=2"
RUN = "https://github.com/octo-org/octo-repo/actions/runs/7"
NEWS = ChatNews("FAILED", "3 new issues", "octo-org/octo-repo", "main", SCAN, RUN)
# A branch a stranger named to ping a channel, disguise a link and emphasise (Slack's and Markdown's markup).
HOSTILE = ChatNews("FAILED", None, "octo-org/octo-repo", "<!channel> [click](https://evil.example) *x* @here")


def slack_blocks(message: dict[str, Any]) -> list[Block]:
    """Each block parsed by the Slack SDK's Block Kit models, validated, and unchanged by the round trip."""
    blocks = []
    for data in message["blocks"]:
        block = Block.parse(data)
        assert block is not None, data
        block.validate_json()  # raises SlackObjectFormationError on anything Slack would refuse
        assert block.to_dict() == data  # nothing the model does not know was dropped
        blocks.append(block)
    return blocks


class TestWebhookMessage:
    """webhook_message and text_line: today's {"text"} line"""

    def test_one_line_with_the_link(self) -> None:
        assert webhook_message(NEWS) == {
            "text": "Aikido gate FAILED (3 new issues) on octo-org/octo-repo main "
            "https://app.aikido.dev/repositories/1/scans/42?a=1&amp;b=2"
        }

    def test_hostile_text_cannot_ping_or_disguise_a_link(self) -> None:
        assert text_line(HOSTILE) == (
            "Aikido gate FAILED on octo-org/octo-repo &lt;!channel&gt; [click](https://evil.example) *x* @\u200bhere"
        )


class TestSlackMessage:
    """slack_message: Block Kit blocks the Slack SDK accepts, with the line as the fallback"""

    def test_blocks_and_fallback(self) -> None:
        message = slack_message(NEWS)
        assert [block.type for block in slack_blocks(message)] == ["section", "context"]
        assert message == {
            "text": webhook_message(NEWS)["text"],
            "blocks": [
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": "*Aikido gate FAILED (3 new issues) on octo-org/octo-repo main*",
                    },
                },
                {
                    "type": "context",
                    "elements": [
                        {
                            "type": "mrkdwn",
                            "text": "<https://app.aikido.dev/repositories/1/scans/42?a=1&amp;b=2"
                            "|Open the scan in Aikido> · <https://github.com/octo-org/octo-repo/actions/runs/7"
                            "|Open the run>",
                        }
                    ],
                },
            ],
        }

    def test_without_links_no_context_block(self) -> None:
        message = slack_message(ChatNews("ERROR", None, "octo-org/octo-repo", "main"))
        assert [block.type for block in slack_blocks(message)] == ["section"]

    def test_hostile_text_is_escaped_in_every_block(self) -> None:
        message = slack_message(HOSTILE)
        slack_blocks(message)
        text = json.dumps(message, ensure_ascii=False)
        assert "<!channel>" not in text
        assert "&lt;!channel&gt;" in text
        assert "@here" not in text

    def test_a_link_cannot_close_its_markup(self) -> None:
        """A link with `|` or `>` stays one link: they are percent-encoded."""
        news = ChatNews("FAILED", None, "o/r", "main", "https://app.aikido.dev/x|<!channel>")
        [_, context] = slack_message(news)["blocks"]
        assert context["elements"][0]["text"] == "<https://app.aikido.dev/x%7C%3C%21channel%3E|Open the scan in Aikido>"


class TestTeamsMessage:
    """teams_message: an Adaptive Card 1.4 Microsoft's library parses without a problem"""

    def test_the_card(self, adaptive_cards: AdaptiveCards) -> None:
        message = teams_message(NEWS)
        [attachment] = message["attachments"]
        assert (message["type"], attachment["contentType"]) == ("message", "application/vnd.microsoft.card.adaptive")
        card = attachment["content"]
        assert adaptive_cards.check(card) == {"errors": [], "version": "1.4"}
        assert [block["text"] for block in card["body"]] == [
            "Aikido gate FAILED",
            "3 new issues on octo-org/octo-repo main",
        ]
        assert card["actions"] == [
            {"type": "Action.OpenUrl", "title": "Open the scan in Aikido", "url": SCAN},
            {"type": "Action.OpenUrl", "title": "Open the run", "url": RUN},
        ]

    def test_the_checker_reports_what_teams_would_not_show(self, adaptive_cards: AdaptiveCards) -> None:
        """The check can fail: an unknown element is reported."""
        card = teams_message(NEWS)["attachments"][0]["content"]
        card["body"].append({"type": "TextBlok", "text": "x"})
        assert adaptive_cards.check(card)["errors"] == [
            'UnknownElementType: Unknown element type "TextBlok". Fallback will be used if present.'
        ]

    def test_hostile_text_is_inert_markdown(self, adaptive_cards: AdaptiveCards) -> None:
        card = teams_message(HOSTILE)["attachments"][0]["content"]
        assert adaptive_cards.check(card)["errors"] == []
        assert card["body"][1]["text"] == (
            "octo-org/octo-repo \\<!channel\\> \\[click\\]\\(https://evil.example\\) \\*x\\* @here"
        )
        assert "actions" not in card

    def test_a_secret_never_reaches_the_card(self) -> None:
        with using(Secrets(["hunter2hunter2"])):
            assert teams_text("branch-hunter2hunter2") == "branch-\\*\\*\\*"


@pytest.mark.parametrize("render", [webhook_message, slack_message, teams_message])
def test_every_shape_is_json(render: Any) -> None:
    assert json.loads(json.dumps(render(NEWS))) == render(NEWS)
