"""Untrusted text as inert Markdown, the one escaping every Markdown sink uses (summary, comments, SARIF help).

GitHub renders with cmark-gfm plus its own filters, and both turn plain text into links:
cmark-gfm's autolink extension (`https://…`, `http://…`, `www.…`, e-mail addresses) and
GitHub's references (`#123`, `owner/repo#1`, `GH-1`), mentions (`@user`) and emoji
(`:shortcode:`). A zero-width space breaks each pattern without changing what a reader sees,
so text never becomes a link, a mention or a reference; the only links are those `md_link`
makes, and the models keep only Aikido's (`gate.core.links`).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from gate import HOME
from gate.core.sanitize import clean

ZWSP = "\u200b"
# GitHub's limit for a comment or an issue body, in characters (counted as UTF-16 units to be safe).
MAX_COMMENT_CHARS = 65_536
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")
# Markers that start a block (heading, list, quote, rule) where they begin a line.
_BLOCK_START = re.compile(r"^([#+\-=]|\d+[.)])")
# What GitHub would link or expand, each with the point where a zero-width space defuses it:
# a scheme's "://" (cmark-gfm checks those three characters), a scheme cmark-gfm links without
# slashes, "www." (cmark-gfm checks the four), "@" (mentions and e-mail addresses), "#" or "GH-"
# before a number (issue references), and ":" opening an emoji short code. cmark-gfm reads ASCII
# letters there, so the classes spell them out: IGNORECASE would fold other letters in, and is slow to compile.
_LINKABLE = re.compile(
    r"(?P<slashes>(?<=:)(?=//))"
    r"|(?P<scheme>(?<![A-Za-z0-9])(?i:mailto|xmpp)(?=:))"
    r"|(?P<www>(?<![A-Za-z0-9])(?i:www)(?=\.))"
    r"|(?P<at>(?<=@))"
    r"|(?P<ref>(?<=#)(?=\d)|(?<![A-Za-z0-9])(?i:gh)(?=-\d))"
    r"|(?P<emoji>(?<=:)(?=[A-Za-z0-9_+-]+:))"
)


# Links to this project's own README (the fatal messages' "see …#troubleshooting") stay links.
_OWN_LINK = re.compile(rf"{re.escape(HOME)}(?:#[a-z0-9-]+)?(?!\.?[\w#/%-])")


def defuse(text: str) -> str:
    """`text` with a zero-width space wherever GitHub would make a link, mention, reference or emoji of it."""
    parts = _OWN_LINK.split(text)
    own = _OWN_LINK.findall(text)
    defused = [_LINKABLE.sub(lambda match: match.group(0) + ZWSP, part) for part in parts]
    return "".join(part + (own[index] if index < len(own) else "") for index, part in enumerate(defused))


def _escaped(text: str) -> str:
    """One line with no HTML, emphasis, table break or block marker (links still possible)."""
    text = re.sub(r"\s+", " ", clean(text)).strip()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BLOCK_START.sub(r"\\\1", _MD_SPECIAL.sub(r"\\\1", text))


def md_text(text: str) -> str:
    """Untrusted text as inert one-line Markdown: no HTML, no links, no table breaks, no mentions or references."""
    return defuse(_escaped(text))


def md_block(text: str, limit: int = 3000) -> str:
    """Untrusted multi-line text as inert Markdown paragraphs (each line made safe as by md_text)."""
    text = clean(text, multiline=True)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    lines = [md_text(line) for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def md_code(text: str) -> str:
    """Untrusted text as an inline code span (never linked), safe inside a table cell."""
    text = re.sub(r"\s+", " ", clean(text)).strip().replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}" if longest else f"`{text}`"


def md_url(url: str) -> str:
    """An https URL safe inside `(...)` of a Markdown link."""
    return quote(clean(url), safe="/:?&=#%@+,;~!$*'-._")


def md_link(text: str, url: str) -> str:
    """A link named `text`, for an https URL only (models keep only Aikido's); anything else stays inert text."""
    # Inside a link's text nothing is linked again, and a copied URL must stay the URL.
    return f"[{_escaped(text)}]({md_url(url)})" if url.startswith("https://") else md_text(text)


def cut_short(markdown: str, limit: int, note: str, *, unit: str = "utf-8") -> str:
    """`markdown` and then `note`, cut at a line end so that the whole stays within `limit`.

    `limit` counts code units of the encoding `unit`: bytes for "utf-8" (the job summary),
    UTF-16 units for "utf-16-le", never fewer than the characters GitHub counts in a comment.
    The start is kept, so a marker on the first line survives.
    """
    width = 2 if unit == "utf-16-le" else 1
    encoded = markdown.encode(unit)
    if len(encoded) <= limit * width:
        return markdown
    room = limit - len(note.encode(unit)) // width - 2
    head = encoded[: max(room, 0) * width].decode(unit, errors="ignore")
    if (line_end := head.rfind("\n")) > 0:
        head = head[:line_end]
    return f"{head}\n\n{note}"
