"""Shared fixtures: the runner's environment, event samples, a fake clock, the emulator."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.aikido import EMULATOR_KEY, AikidoEmulator
from emulator.runner import input_env
from gate.core.sanitize import Secrets, using
from gate.net.tls import Tls
from tests.support.adaptive import AdaptiveCards

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture(autouse=True)
def _own_secret_registry() -> Iterator[Secrets]:
    """Each test has a secret registry of its own in force, as each run has."""
    with using(Secrets()) as secrets:
        yield secrets


KEY = EMULATOR_KEY


def sample(name: str) -> dict[str, Any]:
    """A webhook payload under tests/samples/, shaped like GitHub's documented examples."""
    payload: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text())
    return payload


class FakeClock:
    """A monotonic clock whose sleep moves time forward at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(scope="session")
def adaptive_cards(tmp_path_factory: pytest.TempPathFactory) -> AdaptiveCards:
    """Microsoft's Adaptive Cards library, installed once per session (tests/support/adaptive.py)."""
    return AdaptiveCards(tmp_path_factory.mktemp("adaptivecards"))


@pytest.fixture(scope="session")
def tls() -> Tls:
    """The TLS context the clients share, as the boot sequence makes one per run (its CA bundle loads once)."""
    return Tls(os.environ)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def action_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Set the runner's variables and every declared input as the runner would; returns a setter for more."""
    for name in list(__import__("os").environ):
        if name.startswith(("INPUT_", "GITHUB_", "RUNNER_")):
            monkeypatch.delenv(name)
    for name, value in input_env({}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))

    def set_inputs(**inputs: str) -> None:
        for name, value in input_env(inputs).items():
            if name[len("INPUT_") :].lower() in {key.replace("_", "-") for key in inputs}:
                monkeypatch.setenv(name, value)

    return set_inputs


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Iterator[AikidoEmulator]:
    """The emulator in the scenario a test names with `tests.support.action.use`."""
    with AikidoEmulator(request.param) as running:
        yield running


@pytest.fixture
def emulator() -> Iterator[AikidoEmulator]:
    with AikidoEmulator("pass") as running:
        yield running


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace holding the real Syft and Checkov outputs under build/."""
    root = tmp_path / "workspace"
    (root / "build").mkdir(parents=True)
    for name in ("syft-dir.json", "syft-image.json", "checkov.sarif", "ruff.sarif"):
        shutil.copy(SAMPLES / "uploads" / name, root / "build" / name)
    return root
