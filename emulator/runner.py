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


# Where the runner mounts its directories in an action's container (and sets --workdir).
CONTAINER_PATHS = {
    "workspace": "/github/workspace",
    "workflow": "/github/workflow",
    "file_commands": "/github/file_commands",
    "home": "/github/home",
}


@dataclass
class PreparedRun:
    """One run laid out on disk: the command, its environment, and where it leaves its files."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path
    output_path: Path
    summary_path: Path

    def result(self, returncode: int, stdout: str, stderr: str) -> ActionRun:
        return ActionRun(
            returncode, stdout, stderr, parse_outputs(self.output_path.read_text()), self.summary_path.read_text()
        )


def prepare_run(
    workdir: Path,
    *,
    event_name: str,
    payload: dict[str, Any] | None,
    inputs: dict[str, str],
    extra_env: dict[str, str] | None = None,
    image: str | None = None,
    container_name: str | None = None,
) -> PreparedRun:
    """Lay out the runner's directories in `workdir`; the command runs entrypoint.py, or `image` as the runner does.

    With `image`, the command is the `docker run` the runner uses for a Docker action: the
    workspace, workflow (event), file-command and home directories mounted under /github,
    `--workdir /github/workspace`, and every variable passed by name (`-e NAME`) so no
    value, the key included, appears on a command line.
    """
    dirs = {name: workdir / ("workspace" if name == "workspace" else f"_runner/{name}") for name in CONTAINER_PATHS}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    event_path = dirs["workflow"] / "event.json"
    if payload is not None:
        event_path.write_text(json.dumps(payload))
    output_path, summary_path = dirs["file_commands"] / "output", dirs["file_commands"] / "summary.md"
    output_path.write_text("")
    summary_path.write_text("")
    seen = {name: str(path) for name, path in dirs.items()} if image is None else CONTAINER_PATHS
    action_env = {
        "HOME": seen["home"],
        "PYTHONUNBUFFERED": "1",
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": f"{seen['workflow']}/event.json",
        "GITHUB_OUTPUT": f"{seen['file_commands']}/output",
        "GITHUB_STEP_SUMMARY": f"{seen['file_commands']}/summary.md",
        "GITHUB_WORKSPACE": seen["workspace"],
        "GITHUB_REPOSITORY": "octo-org/octo-repo",
        "GITHUB_SHA": "c0ffee0000000000000000000000000000000001",
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_ACTOR": "octocat",
        "GITHUB_WORKFLOW": "CI",
        "GITHUB_JOB": "aikido",
        "GITHUB_API_URL": "http://127.0.0.1:9",
        "GITHUB_SERVER_URL": "https://github.com",
        "RUNNER_OS": "Linux",
        **input_env(inputs),
        **(extra_env or {}),
    }
    # The client's own environment: a PATH to find python or docker, and coverage's variables.
    host_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        **{name: value for name, value in os.environ.items() if name.startswith(("COVERAGE_", "DOCKER_"))},
    }
    if image is None:
        return PreparedRun(
            [sys.executable, str(ENTRYPOINT)], host_env | action_env, dirs["workspace"], output_path, summary_path
        )
    argv = ["docker", "run", "--rm", "--network", "host", "--workdir", CONTAINER_PATHS["workspace"]]
    if container_name:
        argv += ["--name", container_name]
    for name, path in dirs.items():
        argv += ["--volume", f"{path}:{CONTAINER_PATHS[name]}"]
    for name in action_env:
        argv += ["--env", name]
    return PreparedRun([*argv, image], host_env | action_env, dirs["workspace"], output_path, summary_path)


def run_action(
    workdir: Path,
    *,
    event_name: str,
    payload: dict[str, Any] | None,
    inputs: dict[str, str],
    extra_env: dict[str, str] | None = None,
    timeout: float = 120,
    image: str | None = None,
) -> ActionRun:
    """Run the action once in `workdir` (its workspace and runner files go there)."""
    run = prepare_run(workdir, event_name=event_name, payload=payload, inputs=inputs, extra_env=extra_env, image=image)
    done = subprocess.run(  # noqa: S603 -- our own entrypoint or docker, no shell
        run.argv, cwd=run.cwd, env=run.env, capture_output=True, text=True, timeout=timeout, check=False
    )
    return run.result(done.returncode, done.stdout, done.stderr)
