"""The GitHub look-ups: a commit's parent and the repository's node id."""

from __future__ import annotations

import os
import random
import socket

import httpx
import pytest
from pytest_httpx import HTTPXMock

from gate.core.clock import Deadline
from gate.core.errors import GitHubLookupFailed
from gate.github.lookups import GitHubLookups, build_github_client
from gate.net.http import Retrier
from gate.net.tls import Tls
from tests.conftest import FakeClock

API = "https://ghe.example.com/api/v3"
SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
TOKEN = "ghs_" + "t" * 36


@pytest.fixture
def lookups(clock: FakeClock, tls: Tls) -> GitHubLookups:
    retrier = Retrier(Deadline(clock() + 60, clock), sleep=clock.sleep, rng=random.Random(3))
    return GitHubLookups(lambda: build_github_client(API, TOKEN, tls), retrier, "octo-org/octo-repo")


class TestParentOf:
    """GitHubLookups.parent_of"""

    def test_first_parent(self, httpx_mock: HTTPXMock, lookups: GitHubLookups) -> None:
        url = f"{API}/repos/octo-org/octo-repo/commits/{SHA}"
        httpx_mock.add_response(url=url, json={"sha": SHA, "parents": [{"sha": "1" * 40}, {"sha": "2" * 40}]})
        assert lookups.parent_of(SHA) == "1" * 40
        request = httpx_mock.get_requests()[0]
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"

    def test_root_commit_says_to_set_base_commit(self, httpx_mock: HTTPXMock, lookups: GitHubLookups) -> None:
        httpx_mock.add_response(json={"sha": SHA, "parents": []})
        with pytest.raises(GitHubLookupFailed, match=f"commit {SHA} has no parent to compare with: set base-commit"):
            lookups.parent_of(SHA)

    def test_refusal_says_what_to_set(self, httpx_mock: HTTPXMock, lookups: GitHubLookups) -> None:
        httpx_mock.add_response(status_code=404, json={"message": "Not Found"})
        with pytest.raises(GitHubLookupFailed) as caught:
            lookups.parent_of(SHA)
        assert str(caught.value) == (
            f'the GitHub API refused to tell the parent of commit {SHA} (HTTP 404: {{"message":"Not Found"}}); '
            "set the base-commit input, or give the job a token that can read the repository"
        )

    def test_no_answer_names_the_api_url_not_a_token(self, httpx_mock: HTTPXMock, lookups: GitHubLookups) -> None:
        httpx_mock.add_exception(httpx.ConnectError("[Errno -2] Name or service not known"), is_reusable=True)
        with pytest.raises(GitHubLookupFailed) as caught:
            lookups.parent_of(SHA)
        assert str(caught.value) == (
            "could not reach the GitHub API at ghe.example.com for the parent of commit "
            f"{SHA} (ConnectError: Name or service not known): check GITHUB_API_URL (on GitHub Enterprise Server "
            "the runner sets it) and the network to ghe.example.com, or set the base-commit input to need no look-up"
        )
        assert "token" not in str(caught.value)

    def test_transient_faults_are_retried(self, httpx_mock: HTTPXMock, lookups: GitHubLookups) -> None:
        httpx_mock.add_response(status_code=502)
        httpx_mock.add_response(json={"parents": [{"sha": "3" * 40}]})
        assert lookups.parent_of(SHA) == "3" * 40


class TestRepositoryNodeId:
    """GitHubLookups.repository_node_id"""

    def test_node_id(self, httpx_mock: HTTPXMock, lookups: GitHubLookups) -> None:
        httpx_mock.add_response(url=f"{API}/repos/octo-org/octo-repo", json={"id": 1, "node_id": "R_kgDOLrq3yg"})
        assert lookups.repository_node_id() == "R_kgDOLrq3yg"

    def test_not_json(self, httpx_mock: HTTPXMock, lookups: GitHubLookups) -> None:
        httpx_mock.add_response(html="<html></html>")
        with pytest.raises(GitHubLookupFailed, match="not a JSON object; set the repository-id input"):
            lookups.repository_node_id()

    def test_no_repository_variable(self, clock: FakeClock) -> None:
        retrier = Retrier(Deadline(clock() + 60, clock), sleep=clock.sleep)
        lookups = GitHubLookups(lambda: build_github_client(API, "", Tls(os.environ)), retrier, "")
        with pytest.raises(GitHubLookupFailed, match="GITHUB_REPOSITORY is not set"):
            lookups.repository_node_id()


class TestNoAnswer:
    """GitHubLookups: a GITHUB_API_URL that does not answer is named with its port, over real loopback"""

    def test_a_refused_connection_names_host_and_port(self, clock: FakeClock) -> None:
        with socket.create_server(("127.0.0.1", 0)) as closed:
            port = closed.getsockname()[1]
        retrier = Retrier(Deadline(clock() + 60, clock), sleep=clock.sleep, rng=random.Random(3))
        http = build_github_client(f"http://127.0.0.1:{port}/api/v3", TOKEN, Tls({}))
        with http, pytest.raises(GitHubLookupFailed) as caught:
            GitHubLookups(lambda: http, retrier, "octo-org/octo-repo").repository_node_id()
        message = str(caught.value)
        assert message.startswith(f"could not reach the GitHub API at 127.0.0.1:{port} for the repository id (")
        assert message.endswith(
            f"check GITHUB_API_URL (on GitHub Enterprise Server the runner sets it) and the network to "
            f"127.0.0.1:{port}, or set the repository-id input to need no look-up"
        )
