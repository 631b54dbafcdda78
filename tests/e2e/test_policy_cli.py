"""End to end: `policy check` and `policy explain` run as the image runs its entrypoint (`python -I -u -B -m entrypoint
policy …`), with no INPUT_* or GITHUB_* variable and no network, on the documentation's policy files."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.vs_cli import as_the_image
from emulator.aikido import AikidoEmulator
from emulator.github import REPO, FakeGitHub
from emulator.runner import ROOT
from gate.core.policy import AUTOMATION_EVENTS
from tests.conftest import sample
from tests.e2e.test_policy import BROKEN, PATH, env
from tests.support.action import act, annotations_of
from tests.test_readme import POLICIES

# Where the action reads the file on the sample pull request: its base commit.
BASE = sample("pull_request")["pull_request"]["base"]["sha"]
PITFALLS = (
    "version: 1\ncicdProfiles:\n  - name: PRs\n    failConditions:\n      failTheBuild: no\n"
    "      vulnerabilitySeverityConditions: medium\n    timeoutSeconds: 1:00:00\n"
    "automations:\n  - name: Tell\n    events:\n      - eventType: scan_finished\n"
    "        actions: [{actionType: create_issue}]\n"
)
DOCS = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
PROFILES, AUTOMATIONS, INSTANCES = (
    next(text for text in POLICIES if key in text)
    for key in ("failOnTimeout: true", "name: Track open issues on main", "instanceId: appsec-teams")
)


def command(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The image's entrypoint with `args`, from this checkout, in `cwd`, with an empty environment."""
    return subprocess.run(
        [sys.executable, *as_the_image("entrypoint", ROOT), *args],
        cwd=cwd,
        env={},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def written(tmp_path: Path, text: str) -> Path:
    """`text` as the repository's .github/aikido-gate.yml, in a checkout at `tmp_path`."""
    (tmp_path / ".github").mkdir(parents=True, exist_ok=True)
    (tmp_path / PATH).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("text", POLICIES)
def test_every_policy_file_of_the_docs_is_ok(tmp_path: Path, text: str) -> None:
    done = command(written(tmp_path, text), "policy", "check", PATH)
    assert (done.returncode, done.stderr) == (0, "")
    [line] = done.stdout.splitlines()
    assert line.startswith(f"OK: {PATH}: ")
    assert line.endswith(" instances") or line.endswith(" instance")


@pytest.mark.parametrize("text", [BROKEN, PITFALLS], ids=["one problem", "four problems"])
def test_a_broken_file_gets_the_action_s_own_messages(tmp_path: Path, text: str) -> None:
    """The same file through the action (read from the fake GitHub at the pull request's base) and the command."""
    done = command(written(tmp_path / "checkout", text), "policy", "check", PATH)
    with FakeGitHub() as github, AikidoEmulator("pass") as emulator:
        github.files[(REPO, PATH, BASE)] = text
        action = act(tmp_path / "run", emulator, env=env(github), policy_file=PATH)
    [error] = annotations_of(action, "error")
    said = error.split("::", 2)[2]
    assert (done.returncode, done.stderr) == (1, "")
    head, *problems = done.stdout.splitlines()
    if problems:  # the head of the action's message, then each problem it lists on a line of its own
        assert head.endswith(" problems:")
        assert said == f"{head} " + "; ".join(problem.removeprefix("  ") for problem in problems)
    else:
        assert said == head
    assert said.startswith(f"{PATH} has ")


def test_explain_a_pull_request_under_the_docs_profiles(tmp_path: Path) -> None:
    done = command(
        written(tmp_path, PROFILES), "policy", "explain", PATH, "--event", "pull_request", "--branch", "release/2.1"
    )
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    assert lines[2:4] == [
        "Profile: Pull requests",
        "  the first profile for event pull_request, base branch release/2.1: its when matches",
    ]
    settings = {line.split()[0]: line.split()[1:] for line in lines[6:15]}
    assert settings == {
        "minimum-severity": ["HIGH", "profile"],
        "fail-on-dependency-scan": ["true", "profile"],
        "fail-on-sast-scan": ["true", "profile"],
        "fail-on-iac-scan": ["false", "profile"],
        "fail-on-secrets-scan": ["true", "profile"],
        "fail-on-timeout": ["true", "profile"],
        "report-only": ["false", "profile"],
        "release-gating": ["false", "default"],
        "timeout-seconds": ["600", "profile"],
    }


def test_explain_a_release_named_by_profile(tmp_path: Path) -> None:
    done = command(
        written(tmp_path, PROFILES), "policy", "explain", PATH, "--event", "release", "--tag", "v3.0.0",
        "--profile", "Releases",
    )  # fmt: skip
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[2:4] == ["Profile: Releases", "  named by policy-profile (event release, tag v3.0.0)"]
    assert "  release-gating           true      profile" in lines


def test_explain_the_docs_rules_on_a_push_and_on_a_pull_request(tmp_path: Path) -> None:
    push = command(written(tmp_path, AUTOMATIONS), "policy", "explain", PATH, "--event", "push", "--branch", "main")
    assert (push.returncode, push.stderr) == (0, "")
    out = push.stdout
    assert "Profile: none\n" in out
    assert "  Track open issues on main: in scope (scope all)\n" in out
    assert "  vulnerability_found:\n    Track open issues on main: create_issue through the input github-token\n" in out
    assert (
        "  scan_failed:\n    Track open issues on main: send_to_communicator through the input "
        "communicator-webhook-url\n" in out
    )
    assert "  scan_done: nothing\n" in out
    assert all(f"  {event}:" in out for event in AUTOMATION_EVENTS)
    pull_request = command(tmp_path, "policy", "explain", PATH, "--event", "pull_request", "--branch", "main")
    assert "  Track open issues on main: not in scope (scope all: a pull request's run is in a rule's scope" in (
        pull_request.stdout
    )
    assert all(f"  {event}: nothing\n" in pull_request.stdout for event in AUTOMATION_EVENTS)


def test_explain_names_each_instance_and_its_variable(tmp_path: Path) -> None:
    done = command(written(tmp_path, INSTANCES), "policy", "explain", PATH, "--event", "push", "--tag", "v1")
    assert done.returncode == 0
    assert (
        "  vulnerability_found:\n"
        "    Release gate to chat: send_to_communicator through instance appsec-slack (pluginId slack, urlEnv "
        "SLACK_WEBHOOK_URL)\n"
        "    Release gate to chat: send_to_communicator through instance appsec-teams (pluginId teams, urlEnv "
        "TEAMS_WEBHOOK_URL)\n"
    ) in done.stdout


def test_a_wrong_command_line_is_exit_2_with_one_line(tmp_path: Path) -> None:
    done = command(written(tmp_path, PROFILES), "policy", "explain", PATH, "--event", "pull_request", "--tag", "v1")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "policy explain: --tag: a pull_request run is about its base branch, not a tag; give --branch (usage: policy "
        "explain FILE --event EVENT [--branch NAME | --tag NAME] [--profile NAME])\n"
    )
    unknown = command(tmp_path, "scan")
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert unknown.stderr.startswith("unknown command 'scan': the action's run takes no arguments")


def test_without_arguments_it_is_still_the_action_s_run(tmp_path: Path) -> None:
    done = command(tmp_path)
    assert done.returncode == 1
    assert done.stdout == (
        "::error title=Aikido security gate::GITHUB_EVENT_PATH is not set: run this action in a GitHub Actions job\n"
    )


def test_the_sample_in_the_docs_is_what_the_commands_print(tmp_path: Path) -> None:
    """docs/policy.md's sample: each `$ python entrypoint.py …` line run on its file, and what follows it printed."""
    marker = "<!-- policy explain: tests/e2e/test_policy_cli.py"
    sample_block = re.search(r"^```text\n(.*?)^```$", DOCS[DOCS.index(marker) :], re.MULTILINE | re.DOTALL)
    assert sample_block is not None
    both = PROFILES + AUTOMATIONS[AUTOMATIONS.index("automations:") :]
    checkout = written(tmp_path, both)
    said = re.split(r"^\$ python entrypoint\.py (.*)\n", sample_block.group(1), flags=re.MULTILINE)[1:]
    assert len(said) == 4  # two commands, each with its output
    for arguments, output in zip(said[::2], said[1::2], strict=True):
        done = command(checkout, *shlex.split(arguments))
        assert (done.returncode, done.stderr) == (0, "")
        assert done.stdout == output


def test_text_of_the_file_is_printed_whole_and_clean(tmp_path: Path) -> None:
    name = "Veröffentlichung ✓\u202e\x1b[2J"
    text = f'version: 1\ncicdProfiles:\n  - name: "{name.encode("unicode_escape").decode()}"\n'
    done = command(written(tmp_path, text), "policy", "explain", PATH, "--event", "schedule")
    assert (done.returncode, done.stderr) == (0, "")
    assert "Profile: Veröffentlichung ✓<U+202E>\n" in done.stdout
