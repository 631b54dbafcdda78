"""gate.net.proxy: the proxy variables read as httpx and requests read them; an unusable one refused up front."""

from __future__ import annotations

import pytest

from gate.net.proxy import clear_text_proxy, plain_loopback, proxy_variable, unusable_proxy

SECRET = "AIK_CI_" + "s3cr3t" * 10


class TestProxyVariables:
    """The proxy variables, read as httpx and requests read them."""

    @pytest.mark.parametrize(
        ("environ", "problem"),
        [
            ({}, None),
            ({"HTTPS_PROXY": "http://user:pw@proxy:3128", "HTTP_PROXY": "https://proxy"}, None),
            ({"HTTPS_PROXY": "proxy.corp:3128"}, None),  # no scheme: http://, as httpx reads it
            ({"ALL_PROXY": "  "}, None),
            (
                {"ALL_PROXY": "socks5://user:hunter2@127.0.0.1:1080"},
                "ALL_PROXY is a SOCKS proxy (socks5://…); aikido-gate goes through HTTP proxies only, as GitHub's "
                "runner does: set ALL_PROXY to an http:// or https:// proxy URL, or to an empty value in this "
                "step's env",
            ),
            ({"https_proxy": "SOCKS5H://proxy"}, "https_proxy is a SOCKS proxy (socks5h://…)"),
            ({"HTTP_PROXY": "ftp://proxy"}, "HTTP_PROXY is a proxy URL (ftp://…)"),
        ],
    )
    def test_unusable_proxy_names_the_variable_never_the_value(
        self, environ: dict[str, str], problem: str | None
    ) -> None:
        found = unusable_proxy(environ)
        if problem is None:
            assert found is None
        else:
            assert found is not None
            assert found.startswith(problem)
            assert "hunter2" not in found
            assert "127.0.0.1" not in found

    @pytest.mark.parametrize(
        ("scheme", "environ", "variable"),
        [
            ("https", {"HTTPS_PROXY": "http://p", "https_proxy": "http://q"}, "https_proxy"),  # lower case wins
            ("https", {"HTTP_PROXY": "http://p"}, None),
            ("http", {"HTTP_PROXY": "http://p", "ALL_PROXY": "http://q"}, "HTTP_PROXY"),
            ("https", {"ALL_PROXY": "http://q"}, "ALL_PROXY"),
            ("https", {"HTTPS_PROXY": "http://p", "NO_PROXY": "aikido.dev"}, None),
            ("https", {"HTTPS_PROXY": "http://p", "no_proxy": "example.com"}, "HTTPS_PROXY"),
        ],
    )
    def test_proxy_variable(self, scheme: str, environ: dict[str, str], variable: str | None) -> None:
        assert proxy_variable(scheme, "app.aikido.dev", environ) == variable


class TestPlainLoopback:
    """plain_loopback and clear_text_proxy: plain http to this machine never goes through a proxy"""

    @pytest.mark.parametrize(
        ("url", "want"),
        [
            ("http://localhost:8080", True),
            ("http://LOCALHOST.", True),
            ("http://api.localhost", True),
            ("http://127.0.0.1:9", True),
            ("http://127.1.2.3", True),
            ("http://[::1]:8080", True),
            ("https://localhost:8443", False),
            ("http://10.0.0.1", False),
            ("http://localhost.evil.example", False),
        ],
    )
    def test_which_urls(self, url: str, want: bool) -> None:
        assert plain_loopback(url) is want

    def test_the_proxy_variable_is_none_for_plain_loopback(self) -> None:
        assert proxy_variable("http", "127.0.0.1", {"HTTP_PROXY": "http://proxy:3128"}) is None
        assert proxy_variable("https", "127.0.0.1", {"HTTPS_PROXY": "http://proxy:3128"}) == "HTTPS_PROXY"

    def test_clear_text_proxy_names_both_and_no_proxy_lifts_it(self) -> None:
        environ = {"ALL_PROXY": "http://proxy:3128"}
        message = clear_text_proxy("GITHUB_API_URL", "http://127.0.0.1:9", environ)
        assert message is not None
        assert message.startswith("GITHUB_API_URL is plain http to this machine and ALL_PROXY is set")
        assert clear_text_proxy("GITHUB_API_URL", "http://127.0.0.1:9", {**environ, "NO_PROXY": "127.0.0.1"}) is None
        assert clear_text_proxy("GITHUB_API_URL", "https://127.0.0.1:9", environ) is None
