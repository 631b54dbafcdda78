"""Run `entrypoint.py` the way GitHub's runner runs the container, and read back what it left.

The runner passes every input declared in action.yml as `INPUT_<NAME>` (upper-cased,
hyphens kept, the default when the workflow gives none, else an empty string), the
`GITHUB_*` variables, and files for the event payload, outputs and summary.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "entrypoint.py"


def action_defaults(action_yml: Path = ROOT / "action.yml") -> dict[str, str]:
    """Each input of action.yml with the default the runner would pass (GitHub expressions as the runner fills them)."""
    defaults: dict[str, str] = {}
    name = None
    # A tiny reader for our own flat action.yml, so this module needs no YAML library.
    for line in action_yml.read_text().splitlines():
        if match := re.fullmatch(r"  ([a-zA-Z][\w-]*):", line):
            name = match.group(1)
            defaults[name] = ""
        elif name and (match := re.fullmatch(r"    default: ['\"]?(.*?)['\"]?", line)):
            defaults[name] = match.group(1)
        elif line and not line.startswith(" ") and defaults:
            break
    return defaults


def input_env(inputs: dict[str, str]) -> dict[str, str]:
    """`INPUT_*` variables for every declared input, with our values over the defaults."""
    values = action_defaults() | inputs
    env = {}
    for name, value in values.items():
        # The runner fills expressions: `github.token` becomes the job's token, the rest is left empty here.
        filled = ("ghs_fakeJobToken0000" if "github.token" in value else "") if "${{" in value else value
        env[f"INPUT_{name.upper().replace(' ', '_')}"] = filled
    return env


@dataclass
class ActionRun:
    """What one run left behind."""

    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


def parse_outputs(text: str) -> dict[str, str]:
    """Read a GITHUB_OUTPUT file as the runner does: `name=value` and `name<<DELIM` blocks."""
    outputs: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value: list[str] = []
            for body in lines:
                if body == delimiter:
                    break
                value.append(body)
            else:
                raise ValueError(f"output {name} is not closed by its delimiter")
            outputs[name] = "\n".join(value)
        elif line:
            name, _, rest = line.partition("=")
            outputs[name] = rest
    return outputs


def run_action(
    workdir: Path,
    *,
    event_name: str,
    payload: dict[str, Any] | None,
    inputs: dict[str, str],
    extra_env: dict[str, str] | None = None,
    timeout: float = 120,
) -> ActionRun:
    """Run the action once in `workdir` (its workspace and runner files go there)."""
    workspace = workdir / "workspace"
    workspace.mkdir(parents=True, exist_ok=True)
    runner_dir = workdir / "_runner"
    runner_dir.mkdir(exist_ok=True)
    event_path = runner_dir / "event.json"
    if payload is not None:
        event_path.write_text(json.dumps(payload))
    output_path, summary_path = runner_dir / "output", runner_dir / "summary.md"
    output_path.write_text("")
    summary_path.write_text("")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "PYTHONUNBUFFERED": "1",
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_OUTPUT": str(output_path),
        "GITHUB_STEP_SUMMARY": str(summary_path),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": "octo-org/octo-repo",
        "GITHUB_SHA": "c0ffee0000000000000000000000000000000001",
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_ACTOR": "octocat",
        "GITHUB_API_URL": "http://127.0.0.1:9",
        "GITHUB_SERVER_URL": "https://github.com",
        **input_env(inputs),
        **(extra_env or {}),
        # Lets coverage measure the subprocess when the tests run under it.
        **{name: value for name, value in os.environ.items() if name.startswith("COVERAGE_")},
    }
    done = subprocess.run(  # noqa: S603 -- our own entrypoint, no shell
        [sys.executable, str(ENTRYPOINT)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return ActionRun(
        done.returncode,
        done.stdout,
        done.stderr,
        parse_outputs(output_path.read_text()),
        summary_path.read_text(),
    )
