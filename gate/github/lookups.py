"""The two GitHub API look-ups the plain gate may need: a commit's parent and the repository's node id.

Plain httpx rather than PyGithub: these are two GETs on the start-up path, and PyGithub
is imported only when a PR comment is to be posted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from gate import USER_AGENT
from gate.core.answers import decipher_lookup, fix_for
from gate.core.errors import GitHubLookupFailed
from gate.net.faults import AnswerTooLarge, GaveUp, Stop
from gate.net.http import Retrier, Safety, answer_of, host_and_port
from gate.net.proxy import plain_loopback
from gate.net.tls import Tls


def build_github_client(api_url: str, token: str, tls: Tls) -> httpx.Client:
    """An httpx client for the REST API at `api_url` (GitHub.com or Enterprise Server)."""
    headers = {
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": USER_AGENT,
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    base_url = api_url.rstrip("/")
    # The environment's proxies, but never for plain http to this machine (gate.net.proxy).
    trust_env = not plain_loopback(base_url)
    return httpx.Client(
        base_url=base_url, headers=headers, follow_redirects=False, trust_env=trust_env, verify=tls.for_url(base_url)
    )


class GitHubLookups:
    """Reads what the event payload does not carry."""

    def __init__(self, connect: Callable[[], httpx.Client], retrier: Retrier, repository: str) -> None:
        """`connect` makes the client at the first look-up: most runs need none, and an https client costs
        the loading of the CA bundle."""
        self._connect = connect
        self._client: httpx.Client | None = None
        self._retrier = retrier
        self._repository = repository

    @property
    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def parent_of(self, sha: str) -> str:
        """The first parent of commit `sha`."""
        answer = self._get(f"/repos/{self._path()}/commits/{sha}", f"the parent of commit {sha}", "base-commit")
        parents = answer.get("parents")
        first = parents[0] if isinstance(parents, list) and parents else None
        parent = first.get("sha") if isinstance(first, dict) else None
        if not isinstance(parent, str) or not parent:
            raise GitHubLookupFailed(f"commit {sha} has no parent to compare with: set base-commit")
        return parent

    def repository_node_id(self) -> str:
        """The node id (`R_…`) of the repository this run belongs to."""
        answer = self._get(f"/repos/{self._path()}", "the repository id", "repository-id")
        node_id = answer.get("node_id")
        if not isinstance(node_id, str) or not node_id:
            raise GitHubLookupFailed("the GitHub API answer has no node_id: set repository-id")
        return node_id

    def _path(self) -> str:
        owner, _, name = self._repository.partition("/")
        if not owner or not name:
            raise GitHubLookupFailed("GITHUB_REPOSITORY is not set to owner/name; cannot ask the GitHub API")
        return f"{quote(owner, safe='')}/{quote(name, safe='')}"

    def _get(self, path: str, what: str, override: str) -> dict[str, Any]:
        request = self._http.build_request("GET", path)
        try:
            response = self._retrier.send(self._http, request, Safety.IDEMPOTENT)
        except GaveUp as gave_up:
            if gave_up.stop in (Stop.CANNOT_CONNECT, Stop.UNTRUSTED) or gave_up.response is None:
                # No answer at all: a token cannot help; the address, or the network to it, can.
                host = host_and_port(self._http.base_url)
                raise GitHubLookupFailed(
                    f"could not reach the GitHub API at {host} for {what} ({gave_up.reason}): check GITHUB_API_URL "
                    f"(on GitHub Enterprise Server the runner sets it) and the network to {host}, or set the "
                    f"{override} input to need no look-up"
                ) from None
            raise GitHubLookupFailed(
                f"could not ask the GitHub API for {what}: {gave_up.reason}; {fix_for(override)}"
            ) from None
        except AnswerTooLarge:
            raise GitHubLookupFailed(
                f"the GitHub API's answer for {what} is implausibly large; {fix_for(override)}"
            ) from None
        return decipher_lookup(answer_of(response), what=what, override=override)
