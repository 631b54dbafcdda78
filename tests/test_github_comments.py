"""gate.github_comments: the PyGithub adapter's own logic (the comment flow over it is in test_comment.py)."""

from __future__ import annotations

import pytest

from gate.comment import (
    status_marker,
)
from gate.github_comments import rate_limit_wait
from gate.models import SastIssue, parse_scan_status
from gate.verdict import decide
from tests.support.answers import FEATURE_DONE

HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
TOKEN = "ghs_" + "x" * 36
MARKER = status_marker("CI", "aikido", '{"os": "linux"}')
PASSED = decide(
    parse_scan_status(FEATURE_DONE | {"gate_passed": True, "new_issues_found": 0}), scan_id=7, report_only=False
)
CLEAN = decide(
    parse_scan_status(FEATURE_DONE | {"gate_passed": True, "new_issues_found": 0, "new_dependency_issues_found": 0}),
    scan_id=7,
    report_only=False,
)
FAILED = decide(
    parse_scan_status(FEATURE_DONE | {"outcome": {"human_readable_message": "**1 new** issue <script>x</script>"}}),
    scan_id=7,
    report_only=False,
)
ISSUES = [
    SastIssue("src/app.py", 10, 12, "SQL injection", "User input reaches a query.", "Use parameters."),
    SastIssue("src/app.py", 40, 40, "Hard-coded password"),
]


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
