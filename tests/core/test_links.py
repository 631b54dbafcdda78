"""gate.core.links: a link is Aikido's only when every parser, Python's and the browsers', reads the same host."""

from __future__ import annotations

import pytest

from gate.core.links import hosts_in_text, link_host, trusted_link, whatwg_host
from gate.core.markdown import md_link
from gate.core.models import AIKIDO_HOSTS, SastIssue, parse_scan_status
from gate.core.sarif import render as render_sarif
from gate.core.summary import outputs, render
from gate.core.verdict import decide
from tests.support.answers import DEFAULT_DONE, FEATURE_DONE

AMBIGUOUS = [
    "https://evil.example\\@app.aikido.dev/featurebranch/scan/1",  # a browser opens evil.example
    "https://evil.example\\.app.aikido.dev/x",
    "https://user:pass@app.aikido.dev/x",  # userinfo
    "https://app.aikido.dev@evil.example/x",
    "https://app.aikido.dev\t/x",  # white space (the WHATWG parser strips tabs and newlines)
    "https://app.aikido.dev\n/x",
    "https://app\u0000.aikido.dev/x",
    "https://app.aikido.dev\u200b/x",
    "https://app%2Eaikido.dev/x",  # a browser decodes the escape
    "https://\u0430pp.aikido.dev/x",  # a Cyrillic a
    "https://app.ai\u212aido.dev/x",  # the Kelvin sign, which lower() and case-insensitive matching make a k
    "https://app.aikido.dev/\u017f",  # a long s, which case folding makes an s
    "https://[::1]/x",
    "https:///app.aikido.dev/x",  # extra slashes: a browser skips them
    "http://app.aikido.dev/x",
    "javascript:alert(1)//https://app.aikido.dev/",
]


class TestTrustedLink:
    """trusted_link"""

    @pytest.mark.parametrize("url", AMBIGUOUS)
    def test_an_ambiguous_or_foreign_link_is_refused(self, url: str) -> None:
        assert trusted_link(url, AIKIDO_HOSTS) is False

    @pytest.mark.parametrize(
        "url",
        [
            "https://app.aikido.dev/featurebranch/scan/1?groupId=1",
            "https://app.us.aikido.dev/queue?sidebarIssue=2#x",
            "https://app.aikido.dev:443/x",
            "https://APP.AIKIDO.DEV/x",
        ],
    )
    def test_a_plain_aikido_link_is_kept(self, url: str) -> None:
        assert trusted_link(url, AIKIDO_HOSTS) is True

    def test_python_alone_would_have_been_fooled(self) -> None:
        """The check can fail: urlsplit reads the backslash URL as Aikido's, the browser's rules do not."""
        from urllib.parse import urlsplit  # noqa: PLC0415 -- the parser under comparison

        url = AMBIGUOUS[0]
        assert urlsplit(url).hostname == "app.aikido.dev"
        assert whatwg_host(url) == "evil.example"


class TestNamedHosts:
    """link_host and hosts_in_text: what the note about other hosts names"""

    def test_the_host_a_browser_would_open_is_named(self) -> None:
        assert link_host(AMBIGUOUS[0]) == "evil.example"
        assert link_host("not a url") == "no host"

    def test_bare_urls_and_www_names_in_text(self) -> None:
        text = "see https://a.example/x, www.b.example and HTTP://C.EXAMPLE:8080 or https://a.example again"
        assert hosts_in_text(text) == ["a.example", "www.b.example", "c.example"]


class TestEverySink:
    """The backslash URL is foreign in the outputs, the summary, the status links and the SARIF helpUri."""

    def test_diff_url_and_issue_links(self) -> None:
        status = parse_scan_status({**FEATURE_DONE, "diff_url": AMBIGUOUS[0]})
        verdict = decide(status, scan_id=1, report_only=False)
        assert (outputs(verdict)["diff-url"], outputs(verdict)["scanResultUrl"]) == ("", "")
        assert status.foreign_hosts == ("evil.example",)
        summary = render(verdict)
        assert "app.aikido.dev" not in summary
        assert "`evil.example`" in summary
        release = parse_scan_status({**DEFAULT_DONE, "issue_links": [AMBIGUOUS[0], AMBIGUOUS[2]]})
        assert release.issue_links == ()
        assert outputs(decide(release, scan_id=1, report_only=False))["issue-links"] == ""

    def test_sarif_help_uri_is_never_the_ambiguous_link(self) -> None:
        status = parse_scan_status({**FEATURE_DONE, "diff_url": AMBIGUOUS[0]})
        issue = SastIssue(file="a.py", start_line=1, end_line=1, title="t")
        document, _ = render_sarif([issue], blocking=False, scan_url=status.diff_url, automation_id="a/b/")
        assert "helpUri" not in document["runs"][0]["tool"]["driver"]["rules"][0]

    def test_md_link_never_links_a_non_https_url(self) -> None:
        assert "](" not in md_link("x", "javascript:alert(1)")
