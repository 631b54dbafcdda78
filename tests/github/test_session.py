"""gate.github.session: the PyGithub session's own logic (the comment flow over it is in tests/flow/test_comment.py)."""

from __future__ import annotations

import pytest

from gate.github.session import rate_limit_wait, trusted_cas


class TestRateLimitWait:
    """rate_limit_wait"""

    @pytest.mark.parametrize(
        ("status", "headers", "message", "wait"),
        [
            (429, {"Retry-After": "5"}, "", 5.0),
            (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1010"}, "API rate limit exceeded", 11.0),
            (403, {}, "You have exceeded a secondary rate limit", 60.0),
            (403, {}, "Resource not accessible by integration", None),
            (500, {"Retry-After": "5"}, "", None),
        ],
    )
    def test_waits(self, status: int, headers: dict[str, str], message: str, wait: float | None) -> None:
        assert rate_limit_wait(status, headers, {"message": message}, now=1000.0) == wait


@pytest.mark.parametrize(
    ("environ", "verify"),
    [
        ({}, True),
        ({"SSL_CERT_FILE": "/etc/corp/ca.pem"}, "/etc/corp/ca.pem"),
        ({"SSL_CERT_DIR": "/etc/corp/certs"}, "/etc/corp/certs"),
        ({"SSL_CERT_FILE": "/etc/corp/ca.pem", "REQUESTS_CA_BUNDLE": "/etc/requests.pem"}, "/etc/requests.pem"),
        ({"SSL_CERT_FILE": "/etc/corp/ca.pem", "CURL_CA_BUNDLE": "/etc/curl.pem"}, "/etc/curl.pem"),
        ({"SSL_CERT_FILE": ""}, True),
    ],
)
def test_requests_trusts_what_httpx_trusts_unless_told_otherwise(environ: dict[str, str], verify: bool | str) -> None:
    assert trusted_cas(environ) == verify
