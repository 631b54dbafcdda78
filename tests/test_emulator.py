"""The emulator behaves like Aikido: the gate from the start's fail_on_* flags and minimum_severity; a clear CLI."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from emulator.aikido import SCENARIOS, gate_passes, gated_counts
from emulator.demo import SHOWS, usage
from tests.support.action import act

ROOT = Path(__file__).resolve().parent.parent
ISSUES = {"dependency": 2, "sast": 2}
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
        assert done.stderr.startswith("unknown scenario 'nope'\n\nusage: scripts/demo [SCENARIO]")

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

    def test_the_demo_s_policy_scenario_shows_the_policy_section(self) -> None:
        done = python("-m", "emulator.demo", "policy")
        assert done.returncode == 10
        assert "| `minimum-severity` | `HIGH` | profile |" in done.stdout
        assert "policy-profile=Pull requests" in done.stdout

    def test_the_demo_s_automations_open_then_close_an_issue(self) -> None:
        done = python("-m", "emulator.demo", "automations")
        assert done.returncode == 10
        assert "== issue #100 (open): Aikido: 4 new issues on main" in done.stdout
        assert "== issue #100 (closed): Aikido: 4 new issues on main" in done.stdout
        assert "  Aikido gate SUCCEEDED (0 new issues) on octo-org/octo-repo main" in done.stdout

    def test_the_demo_s_release_scenario_runs_a_release_gate(self) -> None:
        done = python("-m", "emulator.demo", "release-fail")
        assert done.returncode == 10
        assert "**Release gate** of commit" in done.stdout
