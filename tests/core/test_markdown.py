"""gate.core.markdown: hostile text stays text in every Markdown sink, as GitHub's own renderer (cmark-gfm) shows it."""

from __future__ import annotations

import re
from typing import Any

import cmarkgfm
import pytest

from gate import HOME
from gate.core import sarif
from gate.core.comment import render_review, render_status
from gate.core.markdown import cut_short, defuse, md_block, md_link, md_text
from gate.core.models import SastIssue, parse_scan_status
from gate.core.summary import render
from gate.core.verdict import decide, error
from tests.support.answers import FEATURE_DONE

HOSTILE = [
    "re-authorise at https://aikido-login.evil.example/sso",
    "see http://evil.example/a?b=c#d",
    "visit www.evil-example.com/login-to-fix-your-build",
    "upper case HTTPS://EVIL.EXAMPLE and WWW.EVIL.EXAMPLE",
    "ftp://files.evil.example/x",
    "mail admin@evil.example or mailto:admin@evil.example, xmpp:bot@evil.example",
    "in parentheses (https://evil.example) and after a star *www.evil.example*",
    "fixes #123, closes owner/repo#45 and GH-6",
    "ping @octocat and @org/team :shipit: :+1:",
]
LINK = re.compile(r"<a\s", re.IGNORECASE)


def html(markdown: str) -> str:
    """The Markdown as GitHub renders it: cmark-gfm with the autolink extension (and tables, strikethrough...)."""
    rendered: str = cmarkgfm.github_flavored_markdown_to_html(markdown)
    return rendered


def links(markdown: str) -> list[str]:
    """The targets of every link in the rendered Markdown."""
    return re.findall(r'<a href="([^"]*)"', html(markdown))


def inert(markdown: str) -> bool:
    """No link, and nothing GitHub's own filters would turn into a reference, mention or emoji."""
    text = html(markdown)
    return not LINK.search(text) and not re.search(r"#\d|\bGH-\d|@\w|:[a-z0-9_+-]+:", text)


class TestDefuse:
    """defuse, md_text and md_block"""

    def test_the_renderer_would_link_each_of_them(self) -> None:
        """The check can fail: undefused, GitHub's renderer makes links of the URLs."""
        assert all(links(text) for text in HOSTILE[:7])

    @pytest.mark.parametrize("text", HOSTILE)
    def test_no_hostile_text_renders_as_a_link(self, text: str) -> None:
        assert inert(md_text(text))
        assert inert(md_block(f"{text}\n\n{text}"))

    def test_a_reader_sees_the_same_characters(self) -> None:
        shown = re.sub(r"<[^>]+>", "", html(md_text(HOSTILE[0]))).replace("\u200b", "").strip()
        assert shown == HOSTILE[0]

    def test_plain_text_is_left_alone(self) -> None:
        assert defuse("a plain sentence, with 3 numbers: 1.2") == "a plain sentence, with 3 numbers: 1.2"

    def test_our_own_link_stays_a_link_and_its_text_copies_as_the_url(self) -> None:
        url = "https://app.aikido.dev/queue?sidebarIssue=1"
        assert links(md_link(url, url)) == [url]
        assert "\u200b" not in md_link(url, url)


def hostile_status() -> Any:
    answer = {**FEATURE_DONE, "outcome": {"human_readable_message": "\n".join(HOSTILE)}}
    return parse_scan_status(answer)


def hostile_issue() -> SastIssue:
    return SastIssue(
        file="src/app.py",
        start_line=1,
        end_line=2,
        title=HOSTILE[0],
        description="\n".join(HOSTILE),
        remediation="\n".join(HOSTILE),
    )


class TestEverySink:
    """The summary, the status and review comments and the SARIF help: only Aikido's links are links."""

    AIKIDO = "https://app.aikido.dev/"

    def test_job_summary(self) -> None:
        verdict = decide(hostile_status(), scan_id=1, report_only=False)
        assert all(link.startswith(self.AIKIDO) for link in links(render(verdict)))
        failed = error("input sbom-files: www.evil-example.com/login-to-fix-your-build.syft.json is not a regular file")
        assert links(render(failed)) == []

    def test_status_comment(self) -> None:
        verdict = decide(hostile_status(), scan_id=1, report_only=False)
        body = render_status(verdict, marker="<!-- m -->", head_commit="c0ffee", leftovers=[hostile_issue()], job="j")
        assert all(link.startswith(self.AIKIDO) for link in links(body))
        assert "Aikido says" in body

    def test_review_comment(self) -> None:
        body = render_review(hostile_issue(), "https://app.aikido.dev/featurebranch/scan/1")
        assert links(body) == ["https://app.aikido.dev/featurebranch/scan/1"]

    def test_sarif_help(self) -> None:
        document, _ = sarif.render([hostile_issue()], blocking=True, scan_url=None, automation_id="a/b/")
        help_markdown = document["runs"][0]["tool"]["driver"]["rules"][0]["help"]["markdown"]
        assert inert(help_markdown)

    def test_the_hosts_of_bare_urls_in_the_message_are_named(self) -> None:
        hosts = hostile_status().foreign_hosts
        assert {"aikido-login.evil.example", "evil.example", "www.evil-example.com"} <= set(hosts)
        summary = render(decide(hostile_status(), scan_id=1, report_only=False))
        assert "links to other hosts" in summary


class TestOwnLinks:
    """The README links of our own messages stay links; nothing that merely starts like one"""

    def test_our_readme_anchor_is_a_link(self) -> None:
        assert links(md_text(f"see {HOME}#troubleshooting.")) == [f"{HOME}#troubleshooting"]

    @pytest.mark.parametrize("suffix", [".evil.example/x", "/../../evil/repo", "-evil", "#x/../y"])
    def test_a_lookalike_is_not(self, suffix: str) -> None:
        assert inert(md_text(f"see {HOME}{suffix}"))


class TestCutShort:
    """cut_short: below a sink's limit, in its unit, at a line's end where there is one"""

    @pytest.mark.parametrize(
        ("text", "unit", "expected"),
        [
            ("short\n", "utf-8", "short\n"),
            ("aaaa\nbbbb\ncccc\n", "utf-8", "aaaa\n\n[cut]"),
            ("é" * 10, "utf-8", "éé\n\n[cut]"),  # two bytes each, never half a character
            ("🐍" * 10, "utf-16-le", "🐍🐍\n\n[cut]"),  # two UTF-16 units each
            ("x" * 20, "utf-16-le", "xxxxx\n\n[cut]"),  # one line: cut inside it
        ],
    )
    def test_cut_short_counts_in_the_sinks_unit(self, text: str, unit: str, expected: str) -> None:
        assert cut_short(text, 12, "[cut]", unit=unit) == expected
