"""The action run as the runner runs it (entrypoint.py in a subprocess), with the checks every run must pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator.aikido import AikidoEmulator
from emulator.runner import ActionRun, run_action
from tests.conftest import KEY, sample
from tests.support.leak import as_read

FAST = {"poll-interval-seconds": "1", "timeout-seconds": "20"}


def act(
    tmp_path: Path,
    emulator: AikidoEmulator | None,
    *,
    event: str = "pull_request",
    payload: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    inputs: dict[str, str] | None = None,
    **named: str,
) -> ActionRun:
    """Run the action once; `inputs` by their names, `named` in snake case (timeout_seconds=...)."""
    values = {"secret-key": KEY, **FAST, **({"api-base-url": emulator.url} if emulator else {}), **(inputs or {})}
    values |= {name.replace("_", "-"): value for name, value in named.items()}
    run = run_action(
        tmp_path, event_name=event, payload=sample(event) if payload is None else payload, inputs=values, extra_env=env
    )
    assert run.stderr == "", run.stderr  # never a traceback
    key = as_read(KEY)
    for line in run.stdout.splitlines():
        assert key not in as_read(line) or line == f"::add-mask::{KEY}", line
    assert key not in as_read(run.summary + json.dumps(run.outputs, ensure_ascii=False))
    return run


def annotations_of(run: ActionRun, kind: str) -> list[str]:
    return [line for line in run.stdout.splitlines() if line.startswith(f"::{kind}")]


def use(name: str) -> pytest.MarkDecorator:
    """Run a test against the emulator in scenario `name` (the `scenario` fixture in conftest)."""
    return pytest.mark.parametrize("scenario", [name], indirect=True)
