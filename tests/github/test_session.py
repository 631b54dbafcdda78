"""gate.github.session: the PyGithub session's own logic (the ports over it: test_comments.py, test_issues.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.github import REPO, FakeGitHub
from emulator.server import Answer, LoopbackServer, Request
from gate.core.clock import Deadline
from gate.core.errors import GitHubRefused
from gate.github.issues import PyGithubIssues
from gate.github.session import rate_limit_wait, trusted_cas
from tests.conftest import FakeClock

ROOT = Path(__file__).resolve().parents[2]


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


# Lists the tracking issues in a fresh interpreter, as the action would run under `python -O`.
LIST_ISSUES = """
import sys, time
from gate.core.clock import Deadline
from gate.core.errors import GitHubRefused
from gate.github.issues import PyGithubIssues

issues = PyGithubIssues(
    sys.argv[1], "ghs_secret", "octo-org/octo-repo", deadline=Deadline.after(30), environ={}
)
try:
    print(f"listed {len(issues.tracked('<!-- m -->', 'github-actions[bot]'))}")
except GitHubRefused as refused:
    print(refused)
print(f"optimize={sys.flags.optimize}")
"""


@pytest.fixture
def elsewhere() -> Iterator[tuple[LoopbackServer, list[Request]]]:
    """Another server on loopback, where no request of ours may arrive; it records what does and answers []."""
    arrived: list[Request] = []

    def record(request: Request) -> Answer:
        arrived.append(request)
        return 200, [], {}

    with LoopbackServer(record) as server:
        yield server, arrived


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(prefix="/api/v3") as fake:
        for number in range(101):  # two pages: the second one is behind a Link
            fake.add_issue(f"other {number}", "unrelated")
        yield fake


class TestTheTokenGoesOnlyToGitHubApiUrl:
    """PyGithubSession: no request, and so no token, leaves for a host or port other than GITHUB_API_URL's"""

    @pytest.mark.parametrize("optimize", ["0", "1"])
    @pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
    def test_a_next_page_link_elsewhere_is_refused_whatever_the_flags(
        self, github: FakeGitHub, elsewhere: tuple[LoopbackServer, list[Request]], host: str, optimize: str
    ) -> None:
        server, arrived = elsewhere
        other = server.url.replace("127.0.0.1", host)
        github.links_to = other + "/api/v3"
        # PyGithub refuses a Link to another host with `assert` alone, which -O (PYTHONOPTIMIZE) removes.
        done = subprocess.run(
            [sys.executable, "-c", LIST_ISSUES, github.api_url],
            cwd=ROOT,
            env={**os.environ, "PYTHONOPTIMIZE": optimize},
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert (done.stdout, done.stderr) == (
            f"not sent to {other.split('//')[1]}: GitHub's answer pointed there (a next-page link or an object's "
            f"URL), and the token goes only to GITHUB_API_URL's {github.origin.split('//')[1]}\noptimize={optimize}\n",
            "",
        )
        assert arrived == []

    def test_an_issue_whose_url_points_elsewhere_is_not_written_to(
        self, github: FakeGitHub, elsewhere: tuple[LoopbackServer, list[Request]], clock: FakeClock
    ) -> None:
        server, arrived = elsewhere
        github.links_to = None
        ours = github.add_issue("Aikido: 1 new issue on main", "<!-- m -->\nbody", url=f"{server.url}/repos/o/r/1")
        issues = PyGithubIssues(github.api_url, "ghs_secret", REPO, deadline=Deadline.after(30, clock), environ={})
        [tracked] = issues.tracked("<!-- m -->", "github-actions[bot]")
        with pytest.raises(GitHubRefused) as caught:
            issues.update(tracked.number, "new title", "<!-- m -->\nnew", reopen=False)
        assert str(caught.value).startswith(f"not sent to {server.url.split('//')[1]}: GitHub's answer pointed there")
        assert (arrived, ours["title"]) == ([], "Aikido: 1 new issue on main")

    @pytest.mark.parametrize("status", [301, 302, 307])
    def test_a_redirect_elsewhere_is_not_followed(
        self, github: FakeGitHub, elsewhere: tuple[LoopbackServer, list[Request]], clock: FakeClock, status: int
    ) -> None:
        server, arrived = elsewhere
        github.refuse(
            "GET", r"/issues$", status, "Moved", headers={"Location": f"{server.url}/api/v3/repos/o/r/issues"}
        )
        issues = PyGithubIssues(github.api_url, "ghs_secret", REPO, deadline=Deadline.after(30, clock), environ={})
        with pytest.raises(GitHubRefused) as caught:
            issues.tracked("<!-- m -->", "github-actions[bot]")
        assert str(caught.value) == (
            f"GitHub at {github.origin.split('//')[1]} redirected to {server.url.split('//')[1]} (HTTP {status}), "
            "not followed: the token goes only to GITHUB_API_URL's host; check GITHUB_API_URL"
        )
        assert arrived == []
