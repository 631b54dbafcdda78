"""The emulator behaves like Aikido: the gate from the start's fail_on_* flags and minimum_severity; a clear CLI."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.aikido import SCENARIOS, gate_passes, gated_counts
from emulator.demo import SHOWS, usage
from emulator.github import REPO, FakeGitHub
from gate.core.clock import Deadline
from gate.core.errors import GitHubLookupFailed
from gate.github.lookups import GitHubLookups, build_github_client
from gate.net.http import Retrier
from gate.net.tls import Tls
from tests.conftest import FakeClock, sample
from tests.support.action import act

ROOT = Path(__file__).resolve().parent.parent
ISSUES = {"dependency": 2, "sast": 2}
PR = sample("pull_request")["pull_request"]
BASE, HEAD = PR["base"]["sha"], PR["head"]["sha"]
NONE_FAIL = {f"fail-on-{kind}-scan": "false" for kind in ("dependency", "sast", "iac", "secrets")}


class TestGate:
    """gated_counts and gate_passes: Aikido computes gate_passed from the start body"""

    @pytest.mark.parametrize(
        ("body", "passed"),
        [
            ({}, False),  # fail_on_dependency_scan defaults to true
            ({"fail_on_dependency_scan": False}, True),
            ({"fail_on_dependency_scan": False, "fail_on_sast_scan": True}, False),
            ({"fail_on_dependency_scan": False, "fail_on_iac_scan": True, "fail_on_secrets_scan": True}, True),
        ],
    )
    def test_per_category(self, body: dict[str, Any], passed: bool) -> None:
        assert gate_passes(body, gated_counts(body, ISSUES, "CRITICAL")) is passed

    def test_issues_below_the_minimum_severity_do_not_count(self) -> None:
        body = {"minimum_severity": "CRITICAL", "fail_on_sast_scan": True}
        assert gated_counts(body, ISSUES, "HIGH") == {"dependency": 0, "sast": 0, "iac": 0, "leaked_secret": 0}
        assert gate_passes(body, gated_counts(body, ISSUES, "HIGH")) is True
        assert gated_counts({"minimum_severity": "LOW"}, ISSUES, "HIGH")["sast"] == 2


class TestEndToEnd:
    """The action against the emulator: what the demo shows is true"""

    @pytest.mark.parametrize("scenario", ["fail"], indirect=True)
    def test_nothing_can_fail_and_nothing_does(self, tmp_path: Path, scenario: Any) -> None:
        run = act(tmp_path, scenario, inputs=NONE_FAIL)
        assert "nothing can fail this gate" in run.stdout
        assert (run.returncode, run.outputs["outcome"]) == (0, "SUCCEEDED")

    @pytest.mark.parametrize("scenario", ["fail"], indirect=True)
    def test_a_higher_threshold_counts_fewer(self, tmp_path: Path, scenario: Any) -> None:
        run = act(tmp_path, scenario, inputs={"minimum-severity": "LOW", "fail-on-sast-scan": "true"})
        assert (run.outputs["outcome"], run.outputs["new-sast-issues-found"]) == ("FAILED", "2")


def python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=60)


class TestCommandLines:
    """python -m emulator and scripts/demo: usage and one-line errors, never a traceback"""

    def test_every_scenario_is_shown_by_the_demo(self) -> None:
        assert set(SCENARIOS) <= set(SHOWS)
        assert all(f"  {name} " in usage() for name in SHOWS)

    def test_demo_help_and_an_unknown_scenario(self) -> None:
        done = python("-m", "emulator.demo", "--help")
        assert (done.returncode, done.stdout) == (0, usage())
        done = python("-m", "emulator.demo", "nope")
        assert done.returncode == 2
        assert done.stderr == f"scripts/demo: unknown scenario 'nope'\n\n{usage()}"

    def test_a_port_out_of_range(self) -> None:
        done = python("-m", "emulator", "--port", "99999")
        assert done.returncode == 2
        assert done.stderr.splitlines()[-1] == (
            "python -m emulator: error: argument --port: '99999' is not a port: give 1 to 65535, or 0 for a free one"
        )

    def test_a_port_in_use(self) -> None:
        with socket.create_server(("127.0.0.1", 0)) as taken:
            port = taken.getsockname()[1]
            done = python("-m", "emulator", "--port", str(port))
        assert done.returncode == 1
        assert done.stderr == (
            f"cannot listen on 127.0.0.1:{port} (Address already in use): another program uses it; "
            "pick another port with --port, or --port 0 for a free one\n"
        )


class TestFakeGitHubLookups:
    """FakeGitHub's repository and commits, through the action's own look-ups over real HTTP (GitHub's shapes)"""

    @pytest.fixture
    def github(self) -> Iterator[FakeGitHub]:
        with FakeGitHub(prefix="/api/v3") as fake:
            fake.commits[HEAD] = [BASE]
            yield fake

    @pytest.fixture
    def lookups(self, github: FakeGitHub, clock: FakeClock, tls: Tls) -> Iterator[GitHubLookups]:
        retrier = Retrier(Deadline(clock() + 60, clock), sleep=clock.sleep, rng=random.Random(3))
        with build_github_client(github.api_url, "ghs_token", tls) as http:
            yield GitHubLookups(lambda: http, retrier, REPO)

    def test_a_commit_s_parent_and_the_repository_s_node_id(self, github: FakeGitHub, lookups: GitHubLookups) -> None:
        assert (lookups.parent_of(HEAD), lookups.repository_node_id()) == (BASE, "R_kgDOLrq3yg")
        assert [(r.method, r.path, r.headers["Authorization"]) for r in github.requests] == [
            ("GET", f"/api/v3/repos/{REPO}/commits/{HEAD}", "Bearer ghs_token"),
            ("GET", f"/api/v3/repos/{REPO}", "Bearer ghs_token"),
        ]

    def test_the_answers_have_github_s_fields(self, github: FakeGitHub) -> None:
        commit = github.answer("GET", f"/api/v3/repos/{REPO}/commits/{HEAD}", {}, None)[1]
        assert (commit["sha"], commit["html_url"]) == (HEAD, f"https://github.com/{REPO}/commit/{HEAD}")
        assert commit["parents"] == [
            {
                "sha": BASE,
                "url": f"{github.api_url}/repos/{REPO}/commits/{BASE}",
                "html_url": f"https://github.com/{REPO}/commit/{BASE}",
            }
        ]
        assert set(commit["commit"]) >= {"author", "committer", "message", "tree"}
        repository = github.answer("GET", f"/api/v3/repos/{REPO}", {}, None)[1]
        assert (repository["full_name"], repository["default_branch"], repository["url"]) == (
            REPO,
            "main",
            f"{github.api_url}/repos/{REPO}",
        )

    def test_a_commit_it_does_not_have_is_github_s_422(self, github: FakeGitHub, lookups: GitHubLookups) -> None:
        with pytest.raises(GitHubLookupFailed) as caught:
            lookups.parent_of(BASE)
        assert str(caught.value).startswith(
            f"the GitHub API refused to tell the parent of commit {BASE} (HTTP 422: "
            f'{{"message": "No commit found for SHA: {BASE}"'
        )
        status, _, _ = github.answer("GET", "/api/v3/repos/other/repo", {}, None)
        assert status == 404


PULL = f"/repos/{REPO}/pulls/42"
TWO_HUNKS = "@@ -1,3 +1,4 @@\n a\n-b\n+c\n+d\n e\n@@ -20,2 +21,3 @@\n x\n+y\n z"


class TestFakeGitHubPullRequest:
    """FakeGitHub's files, reviews and review comments over real HTTP, as GitHub's REST API answers them"""

    @pytest.fixture
    def github(self) -> Iterator[FakeGitHub]:
        with FakeGitHub() as fake:
            fake.change("src/app.py", TWO_HUNKS)
            yield fake

    @pytest.fixture
    def http(self, github: FakeGitHub) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=github.api_url, headers={"Authorization": "token ghs_x"}) as client:
            yield client

    @staticmethod
    def review(*comments: dict[str, Any]) -> dict[str, Any]:
        return {"commit_id": HEAD, "body": "findings", "event": "COMMENT", "comments": list(comments)}

    def test_files_are_paged_with_a_link_and_carry_patch_status_and_old_name(
        self, github: FakeGitHub, http: httpx.Client
    ) -> None:
        github.change("logo.png", None, status="added")
        github.change("src/new.py", "@@ -1 +1 @@\n-a\n+b", status="renamed", previous_filename="src/old.py")
        first = http.get(f"{PULL}/files", params={"per_page": 2})
        assert [file["filename"] for file in first.json()] == ["src/app.py", "logo.png"]
        assert first.links["next"]["url"] == f"{github.api_url}{PULL}/files?per_page=2&page=2"
        assert "patch" not in first.json()[1]
        [renamed] = http.get(first.links["next"]["url"]).json()
        assert (renamed["status"], renamed["previous_filename"], renamed["patch"]) == (
            "renamed",
            "src/old.py",
            "@@ -1 +1 @@\n-a\n+b",
        )
        assert (renamed["additions"], renamed["deletions"], renamed["changes"]) == (1, 1, 2)
        # GitHub lists at most 100 a page, whatever per_page asks.
        assert "next" not in http.get(f"{PULL}/files", params={"per_page": 500}).links

    def test_one_comment_off_the_diff_refuses_the_whole_review(self, github: FakeGitHub, http: httpx.Client) -> None:
        answer = http.post(
            f"{PULL}/reviews",
            json=self.review(
                {"path": "src/app.py", "line": 3, "body": "on"}, {"path": "src/app.py", "line": 9, "body": "off"}
            ),
        )
        assert (answer.status_code, answer.json()) == (
            422,
            {
                "message": "Unprocessable Entity",
                "errors": [
                    "Pull request review thread line must be part of the diff and Pull request review thread diff hunk "
                    "can't be blank"
                ],
                "documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
                "status": "422",
            },
        )
        assert (github.reviews, github.review_comments) == ([], [])

    def test_a_multi_line_comment_needs_both_lines_in_one_hunk(self, http: httpx.Client) -> None:
        across = {"path": "src/app.py", "start_line": 4, "line": 22, "side": "RIGHT", "body": "x"}
        answer = http.post(f"{PULL}/reviews", json=self.review(across))
        assert answer.json()["errors"] == [
            "Pull request review thread start line must be part of the same hunk as the line."
        ]
        within = {**across, "start_line": 21}
        assert http.post(f"{PULL}/reviews", json=self.review(within)).status_code == 200

    def test_sides_a_deleted_line_is_left_only(self, http: httpx.Client) -> None:
        # Base line 2 ("b") was deleted: on the LEFT it takes a comment; the head's line 2 is the added "c".
        left = {"path": "src/app.py", "line": 2, "side": "LEFT", "body": "x"}
        assert http.post(f"{PULL}/reviews", json=self.review(left)).status_code == 200
        past = {"path": "src/app.py", "line": 3, "side": "LEFT", "body": "x"}
        assert http.post(f"{PULL}/reviews", json=self.review(past)).status_code == 200  # base line 3 is context "e"
        assert http.post(f"{PULL}/reviews", json=self.review({**past, "line": 4})).status_code == 422

    def test_a_review_s_comments_are_listed_with_their_review_and_hunk(
        self, github: FakeGitHub, http: httpx.Client
    ) -> None:
        made = http.post(
            f"{PULL}/reviews",
            json=self.review(
                {"path": "src/app.py", "start_line": 2, "line": 3, "side": "RIGHT", "start_side": "RIGHT", "body": "x"}
            ),
        )
        assert (made.status_code, made.json()["state"], made.json()["user"]["login"]) == (
            200,
            "COMMENTED",
            "github-actions[bot]",
        )
        [listed] = http.get(f"{PULL}/comments").json()
        assert (listed["pull_request_review_id"], listed["start_line"], listed["line"], listed["commit_id"]) == (
            made.json()["id"],
            2,
            3,
            HEAD,
        )
        assert listed["diff_hunk"] == "@@ -1,3 +1,4 @@\n a\n-b\n+c\n+d"

    def test_a_single_comment_off_the_diff_is_github_s_validation_failure(self, http: httpx.Client) -> None:
        answer = http.post(f"{PULL}/comments", json={"commit_id": HEAD, "path": "src/app.py", "line": 9, "body": "x"})
        assert (answer.status_code, answer.json()["message"], answer.json()["errors"]) == (
            422,
            "Validation Failed",
            [
                {
                    "resource": "PullRequestReviewComment",
                    "code": "custom",
                    "field": "pull_request_review_thread.line",
                    "message": "pull_request_review_thread.line must be part of the diff",
                }
            ],
        )

    def test_a_comment_review_needs_a_body(self, http: httpx.Client) -> None:
        answer = http.post(f"{PULL}/reviews", json={**self.review(), "body": ""})
        assert (answer.status_code, answer.json()["errors"]) == (422, ["Body can't be blank"])

    def test_a_review_on_an_earlier_head_is_checked_against_that_head_s_diff(
        self, github: FakeGitHub, http: httpx.Client
    ) -> None:
        github.files_at[HEAD] = [{"filename": "src/app.py", "patch": "@@ -1 +1 @@\n-a\n+c"}]
        assert (
            http.post(f"{PULL}/reviews", json=self.review({"path": "src/app.py", "line": 22, "body": "x"})).status_code
            == 422
        )
        assert (
            http.post(
                f"{PULL}/reviews",
                json={**self.review({"path": "src/app.py", "line": 22, "body": "x"}), "commit_id": BASE},
            ).status_code
            == 200
        )
