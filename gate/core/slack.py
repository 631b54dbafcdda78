"""Untrusted text and links as inert Slack mrkdwn, the one escaping every chat line uses.

Slack (and the webhooks that speak its `{"text": …}`: Mattermost, Google Chat, Discord's
/slack endpoint) reads `<…>` as a control sequence: `<!channel>` pings a channel, `<@U123>` a
person, `<https://x|label>` shows a link as any label. Slack's rule is to escape `&`, `<` and
`>` (https://api.slack.com/reference/surfaces/formatting#escaping); a link additionally has the
characters that could end or label it percent-encoded, so it stays one link that shows where it goes.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from gate.core.sanitize import clean

# After an "@" a zero-width space: plain-text mentions (`@here`, `@channel`) notify on some platforms.
_AT = re.compile(r"@")
# What a URL keeps as it is: RFC 3986's unreserved and reserved characters, except those Slack
# reads as markup (`<`, `>`, `|`), a mention's `@` and `!`, and `%` (kept: escapes already made).
_URL_SAFE = ":/?#[]$&'()*+,;=-._~%"


def escape(text: str) -> str:
    """Hostile text as one inert line: cleaned (no secret, no control), `&<>` escaped, no mention."""
    line = clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _AT.sub("@\u200b", line)


def url(link: str) -> str:
    """A link as one inert token Slack auto-links: cleaned, markup percent-encoded, `&` escaped."""
    return quote(clean(link).replace(" ", ""), safe=_URL_SAFE).replace("&", "&amp;")
