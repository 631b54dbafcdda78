"""gate.core.slack: hostile text and links stay inert in a Slack-format chat line."""

from __future__ import annotations

import re

import pytest

from gate.core import slack
from gate.core.sanitize import add_secrets
from tests.support.leak import as_read, disguises

KEY = "AIK_CI_sekritKey0123456789"
# Slack's control sequences: a channel or everyone ping, a user mention, a link with any label.
MARKUP = re.compile(r"<[!@#]|<https?:|\|[^ ]*>")


@pytest.mark.parametrize(
    "text",
    ["<!channel>", "<!here|here>", "<@U123>", "<#C123>", "<https://evil.example|Open the scan>", "a & b <> c"],
)
def test_no_markup_survives_in_text(text: str) -> None:
    escaped = slack.escape(text)
    assert "<" not in escaped
    assert ">" not in escaped
    assert MARKUP.search(escaped) is None


def test_plain_mentions_do_not_notify() -> None:
    assert slack.escape("@here @channel") == "@\u200bhere @\u200bchannel"


@pytest.mark.parametrize(
    "link",
    [
        "https://app.aikido.dev/scan/1?n=<!channel>",
        "https://app.aikido.dev/scan/1?u=<@U123>",
        "https://app.aikido.dev/scan/1?l=<https://evil.example|Open_the_scan>",
        "https://app.aikido.dev/scan/1|Open the scan",
    ],
)
def test_a_link_stays_one_link_that_shows_where_it_goes(link: str) -> None:
    shown = slack.url(link)
    assert shown.startswith("https://app.aikido.dev/scan/1")
    assert not re.search(r"[<>|@! ]", shown), shown


def test_a_link_keeps_its_query_with_ampersands_escaped() -> None:
    assert (
        slack.url("https://app.aikido.dev/scan/1?groupId=1&x=%20")
        == "https://app.aikido.dev/scan/1?groupId=1&amp;x=%20"
    )


@pytest.mark.parametrize("form", ["as given", *disguises(KEY)])
def test_no_secret_in_any_form(form: str) -> None:
    add_secrets([KEY])
    spelled = KEY if form == "as given" else disguises(KEY)[form]
    for shown in (slack.escape(f"key {spelled}"), slack.url(f"https://app.aikido.dev/s?k={spelled}")):
        assert as_read(KEY) not in as_read(shown)


def test_control_characters_are_neutralised() -> None:
    assert slack.escape("a\x1b[31mred\x07\u202e") == "ared<U+0007><U+202E>".replace("<", "&lt;").replace(">", "&gt;")
