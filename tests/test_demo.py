"""scripts/demo: each scenario prints what its description says, and --policy runs a user's own policy file."""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from emulator.demo import BASE, EVENTS, HEAD, SHOWS, usage
from gate.core.event import SUPPORTED_EVENTS
from tests.conftest import sample

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "scripts" / "demo"
# A user's policy file, as they would try it before committing it.
USER_POLICY = """\
version: 1
cicdProfiles:
  - name: Main pushes
    when:
      events: [push]
      branches: [main]
    failConditions:
      vulnerabilitySeverityConditions: high_or_critical
      scanTypes: [sast]
  - name: Releases
    when:
      tags: ["v*"]
    releaseGating: true
  - name: Nightly
    when:
      events: [schedule]
    failConditions:
      failTheBuild: do_not_fail_build
"""
# scripts/demo --policy FILE ARGS, run from the file's folder as a user would (FILE relative to it).
USER_RUNS = {
    "push to main": ("--policy", "aikido.yml", "--event", "push", "--branch", "main", "fail"),
    "push to a feature branch": ("--policy", "aikido.yml", "--event", "push", "--branch", "feature/x", "fail"),
    "schedule": ("--policy", "aikido.yml", "--event", "schedule", "fail"),
    "tag push": ("--policy", "aikido.yml", "--event", "push", "--tag", "v2.0.0", "fail"),
    "release": ("--policy", "aikido.yml", "--event", "release", "--tag", "v3.0.0", "pass"),
    "not UTF-8": ("--policy", "latin1.yml", "--event", "push", "pass"),
}


@dataclass(frozen=True)
class Ran:
    """What one demo printed, and its exit code."""

    code: int
    stdout: str
    stderr: str

    @property
    def outputs(self) -> dict[str, str]:
        """The `== outputs` block: `  name=value` lines."""
        block = self.stdout.partition("\n== outputs\n")[2].partition("\n== job summary\n")[0]
        return dict(re.findall(r"^  ([a-z][\w-]*)=(.*)$", block, re.MULTILINE))

    @property
    def summary(self) -> str:
        return self.stdout.partition("\n== job summary\n")[2].partition("\n== aikido.sarif")[0]


def _run(argv: list[str | Path], cwd: Path) -> Ran:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, timeout=180)
    return Ran(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ran]:
    """Every scenario, and the user's runs: side by side, as most of a run is waiting for the emulator."""
    folder = tmp_path_factory.mktemp("user")
    (folder / "aikido.yml").write_text(USER_POLICY, encoding="utf-8")
    (folder / "latin1.yml").write_bytes(b"version: 1\n# caf\xe9\n")
    commands: dict[str, tuple[list[str | Path], Path]] = {
        name: ([sys.executable, "-m", "emulator.demo", name], ROOT) for name in SHOWS
    }
    commands |= {label: ([DEMO, *args], folder) for label, args in USER_RUNS.items()}
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = {label: pool.submit(_run, argv, cwd) for label, (argv, cwd) in commands.items()}
        return {label: future.result() for label, future in futures.items()}


OUTCOME = re.compile(r"\b(SUCCEEDED|FAILED|TIMED_OUT|ERROR)\b")
# What a description claims, in numbers: each pattern's groups, named as `observed` names them.
CLAIMS = (
    r"(?P<new_issues>\d+) new issues \((?P<new_dependency>\d+) dependency, (?P<new_sast>\d+) SAST\)",
    r"(?P<open_issues>\d+) open issues",
    r"(?P<in_sarif>\d+) (?:SAST findings )?in the SARIF file",
    r"(?P<left_out>\d+) left out",
    r"a progress line each \((?P<progress_lines>\d+)\)",
    r"\bexit (?P<exit_code>\d+)\b",
)


def claimed(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for pattern in CLAIMS:
        if match := re.search(pattern, text):
            found |= {name: int(value) for name, value in match.groupdict().items()}
    return found


def observed(run: Ran) -> dict[str, int]:
    """The same numbers, read from what the run printed."""
    outputs = run.outputs
    wrote = re.search(r"^wrote (\d+) SAST finding\(s\) to aikido\.sarif", run.stdout, re.MULTILINE)
    return {
        "new_issues": int(outputs.get("new-issues-found") or -1),
        "new_dependency": int(outputs.get("new-dependency-issues-found") or -1),
        "new_sast": int(outputs.get("new-sast-issues-found") or -1),
        "open_issues": int(outputs.get("open-issues-found") or -1),
        "in_sarif": int(wrote[1]) if wrote else -1,
        "left_out": run.stdout.count("leads outside the repository; left out of aikido.sarif"),
        "progress_lines": len(re.findall(r"^\[ *\d+s\] ", run.stdout, re.MULTILINE)),
        "exit_code": run.code,
    }


class TestScenarioTexts:
    """SHOWS, the scenarios' descriptions in --help: each number and outcome they name is what the run prints"""

    def test_the_claims_are_read(self) -> None:
        assert claimed(SHOWS["fail"]) == {
            "new_issues": 4,
            "new_dependency": 2,
            "new_sast": 2,
            "in_sarif": 2,
            "exit_code": 10,
        }
        assert claimed(SHOWS["slow"]) == {"progress_lines": 4, "exit_code": 0}
        assert claimed(SHOWS["automations"]) == {"exit_code": 10}

    @pytest.mark.parametrize("scenario", list(SHOWS))
    def test_every_number_named_is_the_run_s(self, runs: dict[str, Ran], scenario: str) -> None:
        run = runs[scenario]
        claims = claimed(SHOWS[scenario])
        assert "exit_code" in claims, "say the exit code the scenario ends with"
        seen = observed(run)
        assert {name: seen[name] for name in claims} == claims, run.stdout
        assert run.stderr == "", run.stderr  # never a traceback, of the action or the emulator

    @pytest.mark.parametrize("scenario", [name for name, text in SHOWS.items() if OUTCOME.search(text)])
    def test_the_outcome_named_is_the_run_s(self, runs: dict[str, Ran], scenario: str) -> None:
        assert set(OUTCOME.findall(SHOWS[scenario])) == {runs[scenario].outputs["outcome"]}

    def test_every_scenario_of_one_run_names_its_outcome(self) -> None:
        assert {name for name, text in SHOWS.items() if not OUTCOME.search(text)} == {"automations", "plugins"}

    def test_the_policy_scenario_shows_the_policy_section(self, runs: dict[str, Ran]) -> None:
        run = runs["policy"]
        assert "| `minimum-severity` | `HIGH` | profile |" in run.summary
        assert run.outputs["policy-profile"] == "Pull requests"

    def test_the_automations_open_then_close_an_issue(self, runs: dict[str, Ran]) -> None:
        run = runs["automations"]
        assert "== issue #100 (open): Aikido: 4 new issues on main" in run.stdout
        assert "== issue #100 (closed): Aikido: 4 new issues on main" in run.stdout
        assert "  Aikido gate SUCCEEDED (0 new issues) on octo-org/octo-repo main" in run.stdout

    def test_the_plugins_write_to_jira_mail_and_teams(self, runs: dict[str, Ran]) -> None:
        run = runs["plugins"]
        first, second = run.stdout.split("\n== push 2: ")
        assert (
            "Main to Jira, mail and Teams: issue SEC-1 created; e-mail to security-mail sent (1 recipient); " in first
        )
        assert "== Jira SEC-1 (To Do): Aikido: 4 new issues on main" in first
        assert "   Subject: Aikido gate FAILED: octo-org/octo-repo, branch main (4 new issues" in first
        assert "== Jira SEC-1 (Done): Aikido: 4 new issues on main" in second
        assert "   comment: Resolved in commit {{ec26c3e57ca3}}" in second
        assert "   Subject: Aikido gate SUCCEEDED: octo-org/octo-repo, branch main" in second
        for push in (first, second):
            assert (
                push.count("== mail from aikido-gate@acme.example to appsec@acme.example"),
                push.count("== Teams card:"),
            ) == (1, 1)
            assert "   attached: aikido-gate-summary.md (text/markdown)" in push
            assert '"contentType": "application/vnd.microsoft.card.adaptive"' in push
        for secret in ("demo-smtp-password", "jira-api-token-0123456789abcdef"):
            # Masked at the start of each push's step, and in no other line.
            assert [line for line in run.stdout.splitlines() if secret in line] == [f"::add-mask::{secret}"] * 2

    def test_the_release_scenario_runs_a_release_gate(self, runs: dict[str, Ran]) -> None:
        assert "**Release gate** of commit" in runs["release-fail"].summary


class TestYourOwnPolicyFile:
    """scripts/demo --policy FILE: the file served where the action reads it, the profile it picks, the verdict"""

    def test_a_profile_for_pushes_to_main(self, runs: dict[str, Ran]) -> None:
        run = runs["push to main"]
        assert run.stdout.startswith(
            "== aikido.yml, served as .github/aikido-gate.yml at commit ec26c3e57ca3 (the pushed commit) by a fake "
            "GitHub at http://127.0.0.1:"
        )
        assert (run.code, run.outputs["outcome"], run.outputs["policy-profile"]) == (10, "FAILED", "Main pushes")
        assert (
            "**Policy:** profile `Main pushes` of `.github/aikido-gate.yml` at `ec26c3e57ca3`: the first profile for "
            "event push, branch main: its when matches"
        ) in run.summary
        for row in (
            "| `minimum-severity` | `HIGH` | profile |",
            "| `fail-on-dependency-scan` | `false` | profile |",
            "| `fail-on-sast-scan` | `true` | profile |",
            "| `timeout-seconds` | `300` | default |",
        ):
            assert row in run.summary

    def test_no_profile_matches_a_feature_branch(self, runs: dict[str, Ran]) -> None:
        run = runs["push to a feature branch"]
        assert (run.code, run.outputs["policy-profile"]) == (10, "")
        assert (
            "::notice title=Aikido policy::no profile in .github/aikido-gate.yml matches event push, branch feature/x: "
            "the built-in defaults apply"
        ) in run.stdout

    def test_a_schedule_run_needs_no_base_commit(self, runs: dict[str, Ran]) -> None:
        """Its payload names no commit and no repository: the action asks the fake GitHub for both."""
        run = runs["schedule"]
        assert (
            "Starting an Aikido scan of branch main: 9049f1265b7d..ec26c3e57ca3 (repository R_kgDOLrq3yg" in run.stdout
        )
        # Nightly reports and does not enforce: the exit code is the verdict, 0 though the scan found issues.
        assert (run.code, run.outputs["outcome"], run.outputs["policy-profile"]) == (0, "FAILED", "Nightly")
        assert "| `report-only` | `true` | profile |" in run.summary

    @pytest.mark.parametrize(("label", "code"), [("tag push", 10), ("release", 0)])
    def test_a_tag_s_profile_gates_a_release(self, runs: dict[str, Ran], label: str, code: int) -> None:
        run = runs[label]
        assert (run.code, run.outputs["policy-profile"]) == (code, "Releases")
        assert "**Release gate** of commit `ec26c3e57ca3`" in run.summary
        assert "| `release-gating` | `true` | profile |" in run.summary

    def test_the_commits_are_the_samples(self) -> None:
        """A run of a push has the samples' before and after; others the same base and head, told by the fake GitHub."""
        pull, push = sample("pull_request")["pull_request"], sample("push")
        assert (BASE, HEAD) == (pull["base"]["sha"], pull["head"]["sha"]) == (push["before"], push["after"])

    def test_a_file_that_is_not_utf_8_is_the_action_s_error(self, runs: dict[str, Ran]) -> None:
        run = runs["not UTF-8"]
        assert (run.code, run.outputs["outcome"]) == (1, "ERROR")
        assert (
            "::error title=Aikido security gate::the policy file .github/aikido-gate.yml in octo-org/octo-repo at "
            "ec26c3e57ca3 is not UTF-8 text"
        ) in run.stdout


def demo(*argv: str, cwd: Path = ROOT) -> Ran:
    return _run([sys.executable, "-m", "emulator.demo", *argv], cwd)


class TestArguments:
    """python -m emulator.demo: --help anywhere, and one line then the usage for arguments it cannot run"""

    @pytest.mark.parametrize("argv", [["--help"], ["policy", "--help"], ["-h", "--policy", "missing.yml"]])
    def test_help(self, argv: list[str]) -> None:
        assert demo(*argv) == Ran(0, usage(), "")

    def test_help_documents_the_options_and_every_event(self) -> None:
        text = " ".join(usage().split())
        assert text.startswith(
            "usage: scripts/demo [--policy FILE] [--event EVENT] [--branch NAME | --tag NAME] [SCENARIO]"
        )
        for option in ("--policy FILE", "--event EVENT", "--branch NAME", "--tag NAME"):
            assert f"\n  {option} " in usage()
        assert ", ".join(EVENTS) in text
        assert set(EVENTS) == set(SUPPORTED_EVENTS)

    @pytest.mark.parametrize(
        ("argv", "line"),
        [
            (["--policy", "missing.yml"], "--policy: cannot read missing.yml (No such file or directory)"),
            (["--policy", "tests"], "--policy: cannot read tests (Is a directory)"),
            (
                ["--event", "pr"],
                "argument --event: unknown event 'pr': give one of pull_request, pull_request_target, merge_group, "
                "push, workflow_dispatch, schedule, release",
            ),
            (["--branch", "main", "--tag", "v1"], "argument --tag: not allowed with argument --branch"),
            (["--tag", "v1"], "--tag: a pull_request run is about a branch, not a tag; give --branch"),
            (
                ["--event", "schedule", "--tag", "v1"],
                "--tag: a schedule run is about a branch, not a tag; give --branch",
            ),
            (["--event", "release", "--branch", "main"], "--branch: a release is of a tag; give --tag"),
            (["--branch", ""], "--branch: give a name"),
            (
                ["policy", "--policy", "README.md"],
                "--policy: the policy scenario serves a file of its own; give --policy with another scenario",
            ),
            (
                ["automations", "--event", "push"],
                "--event: the automations scenario runs two pushes to main of its own",
            ),
            (["plugins", "--branch", "x"], "--branch: the plugins scenario runs two pushes to main of its own"),
            (["pass", "fail"], "unrecognized arguments: fail"),
            (["nope"], "unknown scenario 'nope'"),
        ],
    )
    def test_one_line_then_the_usage(self, argv: list[str], line: str) -> None:
        assert demo(*argv) == Ran(2, "", f"scripts/demo: {line}\n\n{usage()}")
