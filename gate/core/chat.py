"""The chat messages a communicator posts, one shape per plugin, rendered from plain values.

Pure. `ChatNews` holds what a message says (the outcome, the counts in words, where, the trusted
Aikido link and the run's link); each renderer turns it into the JSON body its service takes:
- webhook: `{"text": …}`, the one line Slack, Mattermost and Google Chat incoming webhooks accept;
- slack: Block Kit blocks with that line as the `text` fallback
  (https://api.slack.com/messaging/webhooks#advanced_message_formatting);
- teams: an Adaptive Card in a message, the shape a Teams Workflows webhook takes
  (https://learn.microsoft.com/en-us/connectors/teams/?tabs=text1#microsoft-teams-webhook).
Every part that comes from an answer or the event is inert in its service's markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gate.core import slack
from gate.core.sanitize import clean

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
SCAN_LINK = "Open the scan in Aikido"
RUN_LINK = "Open the run"
# The characters that make Markdown in a Teams TextBlock (emphasis, links, code, HTML, strike):
# backslash-escaped, so a branch named "[click](https://evil)" shows as those characters. List and
# heading marks count only at a line's start, which is always our own word here.
_TEAMS_MARKUP = re.compile(r"([\\`*_\[\]()<>~])")


@dataclass(frozen=True)
class ChatNews:
    """What a chat message says, as plain values: `counts` in words ("3 new issues") or None; links may be empty."""

    outcome: str
    counts: str | None
    repository: str
    place: str
    scan_url: str = ""
    run_url: str = ""

    @property
    def headline(self) -> str:
        counts = f" ({self.counts})" if self.counts else ""
        return f"Aikido gate {self.outcome}{counts} on {self.repository} {self.place}"


def text_line(news: ChatNews) -> str:
    """One line of inert Slack text: the headline escaped, then the Aikido link (the shape of today's webhook)."""
    link = f" {slack.url(news.scan_url)}" if news.scan_url else ""
    return slack.escape(news.headline) + link


def webhook_message(news: ChatNews) -> dict[str, Any]:
    """`{"text": …}`: what any Slack-compatible incoming webhook takes."""
    return {"text": text_line(news)}


def slack_message(news: ChatNews) -> dict[str, Any]:
    """Block Kit: the headline in bold, then the links; `text` is the notification's fallback."""
    pairs = ((news.scan_url, SCAN_LINK), (news.run_url, RUN_LINK))
    shown = [f"<{slack.url(url)}|{label}>" for url, label in pairs if url]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{slack.escape(news.headline)}*"}},
    ]
    if shown:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(shown)}]})
    return {"text": text_line(news), "blocks": blocks}


def teams_text(text: str) -> str:
    """Hostile text as one inert line of Teams Markdown: cleaned, every markup character backslash-escaped."""
    return _TEAMS_MARKUP.sub(r"\\\1", clean(text))


def teams_message(news: ChatNews) -> dict[str, Any]:
    """An Adaptive Card 1.4 in a message: the outcome, where, and a button per link."""
    failed = news.outcome not in ("SUCCEEDED", "SKIPPED")
    body = [
        {
            "type": "TextBlock",
            "text": teams_text(f"Aikido gate {news.outcome}"),
            "weight": "Bolder",
            "size": "Medium",
            "color": "Attention" if failed else "Good",
            "wrap": True,
        },
        {
            "type": "TextBlock",
            "text": teams_text(f"{news.counts + ' on ' if news.counts else ''}{news.repository} {news.place}"),
            "wrap": True,
        },
    ]
    # Action.OpenUrl takes the URL as a value, never as Markdown: only cleaned, never escaped.
    actions = [
        {"type": "Action.OpenUrl", "title": title, "url": clean(url).replace(" ", "")}
        for url, title in ((news.scan_url, SCAN_LINK), (news.run_url, RUN_LINK))
        if url
    ]
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return {"type": "message", "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}]}
