"""gate.boot.wiring.main in this process: the last line of defence, for what the end-to-end runs cannot provoke."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gate.boot import wiring
from tests.conftest import KEY, sample


@pytest.fixture
def restore_signals() -> Iterator[None]:
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def test_an_internal_error_says_where_to_report_it_and_what_to_attach(
    action_env: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    restore_signals: None,
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(sample("pull_request")))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    action_env(**{"secret-key": KEY})

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError(KEY)  # a bug whose text carries the key

    monkeypatch.setattr(wiring, "reach_verdict", broken)
    assert wiring.main() == 1
    out = capsys.readouterr().out
    errors = [line for line in out.splitlines() if line.startswith("::error")]
    assert errors == [
        "::error title=Aikido security gate::internal error (KeyError); please report it at "
        "https://github.com/aikido-gate/aikido-gate/issues with the step's log from a run with debug logging on "
        "(re-run with 'Enable debug logging', or set the secret RUNNER_DEBUG to 1); the key is masked in it"
    ]
    assert KEY not in out.replace(f"::add-mask::{KEY}", "")
    assert "Traceback" not in out
