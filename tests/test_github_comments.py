"""gate.github_comments: the PyGithub adapter's own logic (the comment flow over it is in test_comment.py)."""

from __future__ import annotations

import pytest

from gate.github_comments import rate_limit_wait


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
