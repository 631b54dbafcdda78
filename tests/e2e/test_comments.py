"""End to end with PR comments: entrypoint.py, the Aikido emulator and the fake GitHub API together."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.aikido import AikidoEmulator
from emulator.github import REPO, FakeGitHub, added_patch
from emulator.runner import ActionRun
from tests.conftest import KEY
from tests.support.action import act, annotations_of

JOB_TOKEN = "ghs_fakeJobToken0000"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        # The pull request adds lines 10 to 12 of src/app.py, where the emulator's SQL injection is.
        fake.change("src/app.py", added_patch([10, 11, 12]))
        yield fake


def runner_env(github: FakeGitHub) -> dict[str, str]:
    return {"GITHUB_API_URL": github.api_url, "GITHUB_WORKFLOW": "CI", "GITHUB_JOB": "aikido"}


class TestComments:
    """The comments a developer sees on the pull request."""

    def test_failed_gate_comments_inline_and_in_the_status(self, tmp_path: Path, github: FakeGitHub) -> None:
        with AikidoEmulator("fail") as emulator:
            run = act(
                tmp_path,
                emulator,
                env=runner_env(github),
                post_scan_status_comment="on",
                post_sast_review_comments="on",
            )
        assert (run.returncode, run.outputs["outcome"]) == (10, "FAILED")
        [review] = github.review_comments
        assert (review["path"], review["start_line"], review["line"]) == ("src/app.py", 10, 12)
        assert "**Aikido SAST: SQL injection**" in review["body"]
        [status] = github.issue_comments
        body = status["body"]
        assert body.startswith("<!-- aikido-gate:status:")
        assert "### ❌ Aikido security gate failed" in body
        assert "\\*\\*4 new issues\\*\\* found: 2 dependency, 2 SAST." in body
        assert "- **Hard-coded secret** in `src/util.py` line 3" in body
        assert "commit `ec26c3e57ca3`" in body
        assert "PR status comment: created" in run.stdout
        assert JOB_TOKEN not in run.stdout.replace(f"::add-mask::{JOB_TOKEN}", "")
        # One write for the status, one review for the inline comments (one notification).
        assert [(w.method, w.path) for w in github.writes()] == [
            ("POST", f"/repos/{REPO}/issues/42/comments"),
            ("POST", f"/repos/{REPO}/pulls/42/reviews"),
        ]

    def test_a_rerun_with_the_same_findings_writes_nothing(self, tmp_path: Path, github: FakeGitHub) -> None:
        def run(attempt: str) -> ActionRun:
            with AikidoEmulator("fail") as emulator:
                return act(
                    tmp_path / attempt,
                    emulator,
                    env=runner_env(github),
                    post_scan_status_comment="on",
                    post_sast_review_comments="on",
                )

        run("first")
        writes = len(github.writes())
        again = run("again")
        assert again.outputs["outcome"] == "FAILED"
        assert "PR status comment: unchanged" in again.stdout
        assert (len(github.writes()), len(github.reviews)) == (writes, 1)

    def test_fork_token_cannot_write_and_the_gate_still_passes(self, tmp_path: Path, github: FakeGitHub) -> None:
        github.refuse("POST", "/comments$", 403, "Resource not accessible by integration")
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, env=runner_env(github), post_scan_status_comment="true")
        assert (run.returncode, run.outputs["outcome"]) == (0, "SUCCEEDED")
        [warning] = annotations_of(run, "warning")
        assert "permissions: pull-requests: write" in warning

    def test_only_if_new_findings_stays_quiet_on_a_pass(self, tmp_path: Path, github: FakeGitHub) -> None:
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, env=runner_env(github), post_scan_status_comment="only_if_new_findings")
        assert run.returncode == 0
        assert github.writes() == []
        assert [r.path for r in github.requests] == [f"/repos/{REPO}/issues/42/comments"]

    def test_no_comment_outside_pull_requests(self, tmp_path: Path, github: FakeGitHub) -> None:
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, event="push", env=runner_env(github), post_scan_status_comment="on")
        assert run.returncode == 0
        assert github.requests == []

    def test_error_replaces_a_stale_pass(self, tmp_path: Path, github: FakeGitHub) -> None:
        with AikidoEmulator("html-login") as emulator:
            run = act(tmp_path, emulator, env=runner_env(github), post_scan_status_comment="on")
        assert run.outputs["outcome"] == "ERROR"
        assert "### ⚠️ Aikido security gate could not decide" in github.issue_comments[0]["body"]


class TestHostileServer:
    """A compromised Aikido answer echoes the key (in several spellings), terminal escapes, bidi and a foreign link."""

    def test_nothing_of_it_reaches_any_sink(self, tmp_path: Path, github: FakeGitHub) -> None:
        with AikidoEmulator("hostile") as emulator:
            run = act(
                tmp_path,
                emulator,
                env=runner_env(github),
                post_scan_status_comment="on",
                post_sast_review_comments="on",
            )
        assert (run.returncode, run.outputs["outcome"]) == (10, "FAILED")
        [status] = github.issue_comments
        [review] = github.review_comments
        sinks = {
            "log": run.stdout.replace(f"::add-mask::{KEY}", ""),
            "outputs": "\n".join(run.outputs.values()),
            "summary": run.summary,
            "status comment": status["body"],
            "review comment": review["body"],
        }
        encoded = "".join(f"%{byte:02x}" for byte in KEY.encode())
        for sink, text in sinks.items():
            for form in (KEY, KEY.lower(), KEY.upper(), encoded):
                assert form not in text, (sink, form)
            assert "\x1b" not in text, sink
            assert "\u202e" not in text, sink
            assert "](https://evil.example" not in text, sink
        assert "held links to other hosts, not shown as links: `evil.example`" in run.summary
        assert "held links to other hosts, not shown as links: `evil.example`" in status["body"]
        assert run.outputs["diff-url"] == ""  # the answer's diff_url pointed elsewhere
        assert "&lt;U+202E&gt;exe.txt" in status["body"]  # shown, inert
