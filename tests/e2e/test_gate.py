"""End to end: `entrypoint.py` in a subprocess with the runner's environment, against the emulator over loopback."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from emulator.aikido import AikidoEmulator
from emulator.runner import ENTRYPOINT, ActionRun, input_env, prepare_run
from emulator.server import Answer, LoopbackServer, Request
from tests.conftest import KEY, SAMPLES, sample
from tests.support.action import FAST, act, annotations_of, use
from tests.support.refusing_proxy import RefusingProxy

HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
PARENT = "5" * 40


class TestGate:
    """The gate's outcomes through the real entrypoint."""

    @use("pass")
    def test_pass(self, tmp_path: Path, scenario: AikidoEmulator) -> None:
        run = act(tmp_path, scenario)
        assert run.returncode == 0
        assert run.stdout.splitlines()[0] == f"::add-mask::{KEY}"
        assert run.outputs["outcome"] == "SUCCEEDED"
        assert run.outputs["gate-passed"] == "true"
        assert (
            run.outputs["diff-url"]
            == run.outputs["scanResultUrl"]
            == ("https://app.aikido.dev/featurebranch/scan/1?groupId=1")
        )
        assert "## ✅ Aikido security gate passed" in run.summary
        start = scenario.requests[0]
        assert start.headers["X-AIK-API-SECRET"] == KEY
        assert start.body == {
            "version": "1.0.5",
            "branch_name": "feature/login-form",
            "repository_id": "R_kgDOLrq3yg",
            "base_commit_id": "9049f1265b7d61be4a8904a9a27120d2064dab3b",
            "head_commit_id": HEAD,
            "minimum_severity": "CRITICAL",
            "fail_on_dependency_scan": True,
            "fail_on_sast_scan": False,
            "fail_on_iac_scan": False,
            "fail_on_secrets_scan": False,
            "pull_request_metadata": {
                "url": "https://github.com/octo-org/octo-repo/pull/42",
                "title": "Add the login form",
            },
        }

    @use("fail")
    def test_fail(self, tmp_path: Path, scenario: AikidoEmulator) -> None:
        run = act(tmp_path, scenario, minimum_severity="high", fail_on_sast_scan="true")
        assert run.returncode == 10
        assert run.outputs["outcome"] == "FAILED"
        assert (run.outputs["new-dependency-issues-found"], run.outputs["new-sast-issues-found"]) == ("2", "2")
        assert annotations_of(run, "error") == [
            "::error title=Aikido security gate::the Aikido gate failed. 4 new issues (2 dependency, 2 SAST, 0 IaC, "
            "0 leaked secrets). https://app.aikido.dev/featurebranch/scan/1?groupId=1"
        ]
        assert scenario.requests[0].body["minimum_severity"] == "HIGH"
        assert scenario.requests[0].body["fail_on_sast_scan"] is True

    @use("fail")
    def test_report_only(self, tmp_path: Path, scenario: AikidoEmulator) -> None:
        run = act(tmp_path, scenario, report_only="true")
        assert (run.returncode, run.outputs["outcome"]) == (0, "FAILED")
        assert annotations_of(run, "error") == []
        assert len(annotations_of(run, "warning")) == 1

    @use("default-branch")
    def test_default_branch_shape(self, tmp_path: Path, scenario: AikidoEmulator) -> None:
        run = act(tmp_path, scenario)
        assert run.returncode == 10
        assert run.outputs["open-issues-found"] == "2"
        assert run.outputs["new-issues-found"] == ""
        assert annotations_of(run, "error")[:2] == [
            "::error title=Aikido issue::Open issue: https://app.aikido.dev/queue?sidebarIssue=1",
            "::error title=Aikido issue::Open issue: https://app.aikido.dev/queue?sidebarIssue=2",
        ]

    @use("flaky")
    def test_flaky_aikido_is_retried_without_a_second_scan(self, tmp_path: Path, scenario: AikidoEmulator) -> None:
        run = act(tmp_path, scenario)
        assert (run.returncode, run.outputs["outcome"]) == (0, "SUCCEEDED")
        assert len(scenario.scans) == 1
        assert "transient fault (HTTP 503); retrying" in run.stdout

    @use("timeout")
    @pytest.mark.parametrize(("fail_on_timeout", "code"), [("true", 1), ("false", 0)])
    def test_timeout(self, tmp_path: Path, scenario: AikidoEmulator, fail_on_timeout: str, code: int) -> None:
        run = act(tmp_path, scenario, timeout_seconds="2", fail_on_timeout=fail_on_timeout)
        assert (run.returncode, run.outputs["outcome"], run.outputs["scan-id"]) == (code, "TIMED_OUT", "1")
        assert "the Aikido scan did not finish within 2 s" in run.stdout
        assert "## ⏱️ Aikido security gate timed out" in run.summary


class TestErrors:
    """Failures: one clear line, exit 1, no traceback, no secret."""

    @use("html-login")
    def test_html_answer(self, tmp_path: Path, scenario: AikidoEmulator) -> None:
        run = act(tmp_path, scenario)
        assert (run.returncode, run.outputs["outcome"]) == (1, "ERROR")
        assert annotations_of(run, "error") == [
            "::error title=Aikido security gate::Aikido's answer while starting the scan is not JSON "
            "(HTTP 200, text/html; charset=utf-8): <!DOCTYPE html><html><head><title>Log in | Aikido</title>"
            "</head><body>Log in</body></html>; an HTML page instead of Aikido's JSON usually means a wrong "
            "api-base-url, a proxy or captive portal answering in Aikido's place, or a key for another region "
            "(app.aikido.dev, app.me.aikido.dev, app.us.aikido.dev; leave api-base-url empty to choose by the key) "
            "(see https://github.com/aikido-gate/aikido-gate#troubleshooting)"
        ]
        assert "## ⚠️ Aikido security gate could not decide" in run.summary

    @use("pass")
    def test_wrong_key(self, tmp_path: Path, scenario: AikidoEmulator) -> None:
        run = act(tmp_path, scenario, secret_key="AIK_CI_" + "w" * 64)
        assert run.returncode == 1
        assert "Aikido refused the secret-key (HTTP 401)" in annotations_of(run, "error")[0]
        assert "AIK_CI_www" not in run.stdout.replace("::add-mask::AIK_CI_" + "w" * 64, "")

    def test_unreachable_aikido_ends_at_the_deadline(self, tmp_path: Path) -> None:
        started = time.monotonic()
        run = act(tmp_path, None, api_base_url="http://127.0.0.1:9", timeout_seconds="3")
        assert time.monotonic() - started < 10
        assert run.returncode == 1
        # Fewer than three attempts fit in 3 s: the advice is the same as after three.
        assert "could not connect to Aikido at 127.0.0.1:9 while starting the scan (ConnectError: " in run.stdout
        assert "check api-base-url, or leave it empty" in run.stdout

    def test_every_bad_input_is_named_in_one_line(self, tmp_path: Path) -> None:
        run = act(tmp_path, None, timeout_seconds="soon", minimum_severity="banana")
        assert run.returncode == 1
        assert annotations_of(run, "error") == [
            '::error title=Aikido security gate::2 inputs are wrong: input minimum-severity is "banana": must be one '
            'of LOW, MEDIUM, HIGH, CRITICAL (any case); input timeout-seconds is "soon": must be a positive whole '
            "number of seconds (see https://github.com/aikido-gate/aikido-gate#inputs)"
        ]
        assert run.outputs["outcome"] == "ERROR"

    def test_missing_secret_is_an_error_on_an_ordinary_run(self, tmp_path: Path) -> None:
        run = act(tmp_path, None, event="push", secret_key="")
        assert run.returncode == 1
        assert annotations_of(run, "error")[0].startswith(
            "::error title=Aikido security gate::input secret-key is empty"
        )

    def test_a_socks_proxy_is_refused_before_any_request(self, tmp_path: Path, emulator: AikidoEmulator) -> None:
        run = act(tmp_path, emulator, env={"ALL_PROXY": "socks5://corp:hunter2@127.0.0.1:1080"})
        assert run.returncode == 1
        assert annotations_of(run, "error") == [
            "::error title=Aikido security gate::ALL_PROXY is a SOCKS proxy (socks5://…); aikido-gate goes through "
            "HTTP proxies only, as GitHub's runner does: set ALL_PROXY to an http:// or https:// proxy URL, or to "
            "an empty value in this step's env"
        ]
        assert emulator.requests == []
        masked = [line for line in run.stdout.splitlines() if "hunter2" in line]
        assert masked == ["::add-mask::corp:hunter2", "::add-mask::hunter2"]
        assert "hunter2" not in run.summary

    def test_plain_http_to_this_machine_never_goes_through_a_proxy(
        self, tmp_path: Path, emulator: AikidoEmulator
    ) -> None:
        """The key would travel in clear text to the proxy, which may be another machine."""
        with RefusingProxy() as proxy:
            github = {"GITHUB_API_URL": "https://github.invalid"}  # not asked on this run
            run = act(tmp_path, emulator, env={"HTTP_PROXY": proxy.url, "ALL_PROXY": proxy.url, **github})
        assert run.outputs["outcome"] == "SUCCEEDED"
        assert proxy.heads == []
        assert [request.path for request in emulator.requests][:1] == [
            "/api/integrations/continuous_integration/scan/repository"
        ]

    def test_a_plain_http_github_api_with_a_proxy_is_refused_naming_both(
        self, tmp_path: Path, emulator: AikidoEmulator
    ) -> None:
        with RefusingProxy() as proxy:
            run = act(tmp_path, emulator, env={"http_proxy": proxy.url, "GITHUB_API_URL": "http://localhost:9"})
        assert run.returncode == 1
        assert annotations_of(run, "error") == [
            "::error title=Aikido security gate::GITHUB_API_URL is plain http to this machine and http_proxy is set: "
            "the token would go in clear text through the proxy, which may be another machine; add localhost to "
            "NO_PROXY, or empty http_proxy in this step's env"
        ]
        assert (proxy.heads, emulator.requests) == ([], [])
        run = act(
            tmp_path,
            emulator,
            env={"http_proxy": proxy.url, "GITHUB_API_URL": "http://localhost:9", "NO_PROXY": "localhost"},
        )
        assert run.outputs["outcome"] == "SUCCEEDED"

    def test_malformed_payload(self, tmp_path: Path) -> None:
        payload = sample("pull_request")
        payload["pull_request"]["head"]["sha"] = "HEAD"
        run = act(tmp_path, None, payload=payload)
        assert run.returncode == 1
        assert "the event payload's pull_request.head.sha is missing or not a commit SHA" in run.stdout

    def test_unsupported_event(self, tmp_path: Path) -> None:
        run = act(tmp_path, None, event="issue_comment")
        assert run.returncode == 1
        assert "the issue_comment event is not supported; use one of pull_request" in run.stdout


class TestReleaseGating:
    """release-gating: one commit's open issues, on the events a release runs on."""

    RUN_SHA = "c0ffee0000000000000000000000000000000001"

    @use("release-fail")
    def test_a_release_event_gates_the_tagged_commit(self, tmp_path: Path, scenario: AikidoEmulator) -> None:
        run = act(
            tmp_path,
            scenario,
            event="release",
            env={"GITHUB_REF": "refs/tags/v1.2.0"},
            release_gating="true",
            base_branch="main",
            minimum_severity="HIGH",
        )
        assert (run.returncode, run.outputs["outcome"], run.outputs["open-issues-found"]) == (10, "FAILED", "3")
        assert run.outputs["issue-links"].splitlines() == [
            f"https://app.aikido.dev/queue?sidebarIssue={n}" for n in (1, 2, 3)
        ]
        start = scenario.requests[0].body
        assert start["is_release_gating"] is True
        assert (start["head_commit_id"], start["base_branch"], start["minimum_severity"]) == (
            self.RUN_SHA,
            "main",
            "HIGH",
        )
        assert "base_commit_id" not in start
        assert "branch_name" not in start
        assert "## ❌ Aikido security gate failed: open issues in this commit block the release" in run.summary
        assert (
            "**Release gate** of commit `c0ffee000000`: open issues at or above `HIGH`, base branch `main`"
            in run.summary
        )
        assert "**Issues (3):**" in run.summary
        assert "Starting an Aikido release gate of commit c0ffee000000 (base branch main)" in run.stdout

    @use("pass")
    def test_a_tag_push_gates_after_without_asking_github(self, tmp_path: Path, scenario: AikidoEmulator) -> None:
        run = act(tmp_path, scenario, event="push", payload=sample("push_tag"), release_gating="true")
        assert (run.returncode, run.outputs["outcome"], run.outputs["gate-passed"]) == (0, "SUCCEEDED", "true")
        assert run.outputs["issue-links"] == ""
        start = scenario.requests[0].body
        assert start["head_commit_id"] == HEAD
        assert "base_branch" not in start
        # GITHUB_API_URL points nowhere: a base-commit look-up would have failed the run.

    @use("release-fail")
    def test_report_only_and_a_pull_request_head(self, tmp_path: Path, scenario: AikidoEmulator) -> None:
        run = act(tmp_path, scenario, release_gating="true", report_only="true")
        assert (run.returncode, run.outputs["outcome"]) == (0, "FAILED")
        assert scenario.requests[0].body["head_commit_id"] == HEAD
        assert "pull_request_metadata" not in scenario.requests[0].body

    def test_a_bad_base_branch_names_the_input(self, tmp_path: Path) -> None:
        run = act(tmp_path, None, release_gating="true", base_branch="main\u0007")
        assert run.returncode == 1
        assert annotations_of(run, "error") == [
            '::error title=Aikido security gate::input base-branch is "main\\u0007": must be one line of at most 255 '
            "characters (see https://github.com/aikido-gate/aikido-gate#inputs)"
        ]


class TestSkips:
    """Runs that have nothing to scan, or no secret by GitHub's design."""

    @pytest.mark.parametrize("case", ["pull_request_fork", "pull_request_dependabot"])
    def test_no_secret_on_fork_or_dependabot(self, tmp_path: Path, emulator: AikidoEmulator, case: str) -> None:
        run = act(tmp_path, emulator, payload=sample(case), secret_key="")
        assert (run.returncode, run.outputs["outcome"]) == (0, "SKIPPED")
        assert emulator.requests == []
        assert annotations_of(run, "notice")[0].startswith("::notice title=Aikido security gate::no secret-key on a")

    def test_fork_with_pull_request_target_is_not_skipped_without_secret(self, tmp_path: Path) -> None:
        run = act(tmp_path, None, event="pull_request_target", secret_key="")
        assert run.outputs["outcome"] == "ERROR"

    def test_deleted_branch(self, tmp_path: Path, emulator: AikidoEmulator) -> None:
        run = act(tmp_path, emulator, event="push", payload=sample("push_deleted"))
        assert (run.returncode, run.outputs["outcome"]) == (0, "SKIPPED")
        assert emulator.requests == []


class TestNewBranch:
    """A push that creates a branch: the base is the parent of `after`, from the GitHub API."""

    def test_parent_from_the_github_api(self, tmp_path: Path, emulator: AikidoEmulator) -> None:
        seen: list[Request] = []

        def commit(request: Request) -> Answer:
            seen.append(request)
            return 200, {"sha": HEAD, "parents": [{"sha": PARENT}]}, {}

        with LoopbackServer(commit) as github:
            env = {"GITHUB_API_URL": github.url}
            run = act(tmp_path, emulator, event="push", payload=sample("push_new_branch"), env=env)
        assert run.returncode == 0
        assert [(request.path, request.headers["Authorization"]) for request in seen] == [
            (f"/repos/octo-org/octo-repo/commits/{HEAD}", "Bearer ghs_fakeJobToken0000")
        ]
        assert emulator.requests[0].body["base_commit_id"] == PARENT
        assert emulator.requests[0].body["branch_name"] == "feature/new"


class TestCancel:
    """SIGINT/SIGTERM from the runner end the step at once and name the scan."""

    @use("timeout")
    @pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
    def test_cancel_names_the_scan(self, tmp_path: Path, scenario: AikidoEmulator, signum: int) -> None:
        event_path = tmp_path / "event.json"
        event_path.write_text(json.dumps(sample("pull_request")))
        env = {
            "PATH": "/usr/bin:/bin",
            "PYTHONUNBUFFERED": "1",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event_path),
            **input_env({"secret-key": KEY, "api-base-url": scenario.url, "poll-interval-seconds": "30"}),
        }
        with subprocess.Popen(
            [sys.executable, str(ENTRYPOINT)], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith("Aikido scan 1 started"):
                    break
            time.sleep(0.2)
            started = time.monotonic()
            process.send_signal(signum)
            rest = process.stdout.read()
            assert process.wait(timeout=5) == 1
            assert time.monotonic() - started < 2
        name = signal.Signals(signum).name
        assert f"::warning::cancelled ({name}); Aikido scan 1 was started and finishes on its own in Aikido" in rest


class StallingServer:
    """Aikido and GitHub on one loopback server, answering at once except in the phase it stalls."""

    def __init__(self, stall: str) -> None:
        self.stall = stall
        self.arrived, self.release = threading.Event(), threading.Event()
        self._server = LoopbackServer(self._handle)

    def _phase(self, request: Request) -> str:
        if request.path.startswith("/repos/"):
            return "github"
        if request.path.endswith("/custom"):
            return "upload"
        return "start" if request.method == "POST" else "poll"

    def _handle(self, request: Request) -> Answer:
        phase = self._phase(request)
        if phase == self.stall:
            self.arrived.set()
            self.release.wait(20)
            return 503, {"message": "released"}, {}
        answers = {"start": {"scan_id": 7}, "upload": {"success": 1}, "poll": FEATURE_DONE_FAILED, "github": []}
        return 200, answers[phase], {}

    @property
    def url(self) -> str:
        return self._server.url

    def __enter__(self) -> StallingServer:
        self._server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.__exit__(*exc)


FEATURE_DONE_FAILED = {
    "all_scans_completed": True,
    "gate_passed": False,
    "new_issues_found": 1,
    "new_dependency_issues_found": 1,
    "diff_url": "https://app.aikido.dev/featurebranch/scan/7?groupId=1",
}


class TestCancelSaysWhatIsTrue:
    """A cancellation's warning says what was left behind in Aikido, in every phase, outside any log group."""

    def cancel_during(self, tmp_path: Path, stall: str, **inputs: str) -> tuple[ActionRun, list[str]]:
        with StallingServer(stall) as server:
            values = {"secret-key": KEY, "api-base-url": server.url, **FAST} | {
                name.replace("_", "-"): value for name, value in inputs.items()
            }
            run = prepare_run(
                tmp_path,
                event_name="pull_request",
                payload=sample("pull_request"),
                inputs=values,
                extra_env={"GITHUB_API_URL": server.url},
            )
            with subprocess.Popen(
                run.argv, cwd=run.cwd, env=run.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            ) as process:
                assert server.arrived.wait(15), f"the run never reached the {stall} phase"
                time.sleep(0.2)
                process.send_signal(signal.SIGTERM)
                stdout, stderr = process.communicate(timeout=5)
        result = run.result(process.returncode, stdout, stderr)
        assert stderr == ""
        lines = stdout.splitlines()
        return result, lines[lines.index(next(line for line in lines if "cancelled (SIGTERM)" in line)) - 1 :]

    def test_before_the_start_answer(self, tmp_path: Path) -> None:
        run, tail = self.cancel_during(tmp_path, "start")
        assert tail[-1] == (
            "::warning::cancelled (SIGTERM) while Aikido was starting the scan; one may have started, and it "
            "finishes on its own in Aikido"
        )
        assert run.returncode == 1
        # A step after it with `if: always()` reads what happened, not an empty outcome.
        assert (run.outputs["outcome"], run.outputs["scan-id"]) == ("CANCELLED", "")

    def test_during_an_upload(self, tmp_path: Path) -> None:
        (tmp_path / "workspace" / "build").mkdir(parents=True)
        shutil.copy(SAMPLES / "uploads" / "syft-dir.json", tmp_path / "workspace" / "build" / "sbom.json")
        run, tail = self.cancel_during(tmp_path, "upload", sbom_files="build/sbom.json")
        assert tail[-1] == (
            "::warning::cancelled (SIGTERM) while uploading build/sbom.json; Aikido scan 7 waits for this upload "
            "and will not complete without it"
        )
        assert run.returncode == 1

    def test_while_polling_the_open_group_is_closed_first(self, tmp_path: Path) -> None:
        run, tail = self.cancel_during(tmp_path, "poll")
        assert tail == [
            "::endgroup::",
            "::warning::cancelled (SIGTERM); Aikido scan 7 was started and finishes on its own in Aikido",
        ]
        assert run.returncode == 1
        assert (run.outputs["outcome"], run.outputs["scan-id"]) == ("CANCELLED", "7")

    def test_during_the_comments_the_verdict_stands(self, tmp_path: Path) -> None:
        run, tail = self.cancel_during(tmp_path, "github", post_scan_status_comment="on")
        assert tail[-1] == (
            "::warning::cancelled (SIGTERM) after the verdict (SARIF file, PR comments); the verdict (FAILED) is "
            "already in the step's outputs and summary"
        )
        # Nothing lost, nothing contradicted: outputs, summary and exit code are the verdict's.
        assert (run.returncode, run.outputs["outcome"], run.outputs["scan-id"]) == (10, "FAILED", "7")
        assert "## ❌ Aikido security gate failed" in run.summary


class TestLeanImports:
    """The plain path imports nothing for uploads or PR comments."""

    @use("pass")
    def test_plain_run_imports_no_upload_code(self, tmp_path: Path, scenario: AikidoEmulator) -> None:
        event_path = tmp_path / "event.json"
        event_path.write_text(json.dumps(sample("pull_request")))
        env = {
            "PATH": "/usr/bin:/bin",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event_path),
            **input_env({"secret-key": KEY, "api-base-url": scenario.url, "poll-interval-seconds": "1"}),
        }
        probe = (
            "import os, runpy, sys\n"
            f"sys.argv = [{str(ENTRYPOINT)!r}]\n"
            f"sys.path.insert(0, {str(ENTRYPOINT.parent)!r})\n"
            "real_exit = os._exit\n"
            "def probe(code):\n"
            "    heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('ijson', 'github', 'requests', 'yaml'))\n"
            "    print('HEAVY', heavy, code, flush=True)\n"
            "    real_exit(code)\n"
            "os._exit = probe\n"
            f"runpy.run_path({str(ENTRYPOINT)!r}, run_name='__main__')\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
        )
        assert "HEAVY [] 0" in done.stdout, done.stdout + done.stderr


class TestDemo:
    """README's first command: `scripts/demo` runs `python -m emulator.demo`."""

    def test_the_emulators_help_says_the_key_the_variables_and_the_defaults(self) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "emulator", "--help"],
            cwd=ENTRYPOINT.parent,
            capture_output=True,
            text=True,
            check=True,
        )
        text = " ".join(done.stdout.split())
        assert "(default: AIK_CI_emulator)" in text
        assert "(default: pass)" in text
        assert "(default: 8080; 0 picks a free one)" in text
        assert "INPUT_<NAME> with its hyphens kept" in text
        assert "GITHUB_EVENT_PATH" in text

    @pytest.mark.parametrize(
        ("scenario", "outcome", "code"), [("pass", "SUCCEEDED", 0), ("fail", "FAILED", 10), ("drip", "TIMED_OUT", 1)]
    )
    def test_demo_runs_the_action(self, scenario: str, outcome: str, code: int) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "emulator.demo", scenario],
            cwd=ENTRYPOINT.parent,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert done.returncode == code, done.stderr
        assert f"== exit code {code}\n" in done.stdout
        assert f"  outcome={outcome}" in done.stdout
        assert "== job summary\n## " in done.stdout


class DrippingAikido:
    """A raw HTTP server on loopback: starts scans at once, then answers each poll one byte every 0.3 s."""

    def __init__(self, *, drip_headers: bool = False) -> None:
        self._drip_headers = drip_headers
        self.started_at: float | None = None  # when the scan was started: the deadline runs from before it
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: Any) -> None:
        with connection:
            request = connection.recv(65536).decode("latin-1")
            if request.startswith("POST"):
                self.started_at = time.monotonic()
                body = b'{"scan_id": 1}'
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\nContent-Type: application/json\r\n\r\n" + body
                )
                return
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            data = head + b" " * 100000 if self._drip_headers else b" " * 100000
            if not self._drip_headers:
                connection.sendall(head)
            for byte in data:
                if self._stop.is_set():
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.3)

    def close(self) -> None:
        self._stop.set()
        self._server.close()


class TestOneWallClockDeadline:
    """timeout-seconds bounds the whole step, however slowly a server answers."""

    @pytest.mark.parametrize("drip_headers", [False, True], ids=["body", "headers"])
    def test_a_dripping_poll_answer_ends_as_timed_out_on_time(self, tmp_path: Path, drip_headers: bool) -> None:
        server = DrippingAikido(drip_headers=drip_headers)
        try:
            # Long enough that a loaded machine's start-up leaves the poll its turn: the message says "polling".
            run = act(tmp_path, None, api_base_url=server.url, timeout_seconds="6")
            ended = time.monotonic()
        finally:
            server.close()
        assert (run.returncode, run.outputs["outcome"]) == (1, "TIMED_OUT")
        # From the scan's start (the interpreter's start-up is not the server's to stretch) to the exit.
        assert server.started_at is not None
        assert ended - server.started_at < 6 + 2, ended - server.started_at
        assert "gave no complete answer before the deadline while polling scan 1" in run.stdout


class TestOutputEncoding:
    """The locale never decides the verdict."""

    @pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"}, {"LANG": "C", "LC_ALL": "C"}], ids=["ascii", "C"])
    def test_any_locale_prints_utf8_and_passes(self, tmp_path: Path, env: dict[str, str]) -> None:
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, env=env)
        assert (run.returncode, run.outputs["outcome"]) == (0, "SUCCEEDED")
        assert "scan complete: dependencies ✓" in run.stdout
