"""gate.boot.wiring.main in this process: the last line of defence, for what the end-to-end runs cannot provoke."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gate.boot import wiring
from tests.conftest import KEY, sample

ROOT = Path(__file__).resolve().parents[2]


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


def test_a_policy_file_s_problems_are_listed_one_per_line(
    action_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restore_signals: None
) -> None:
    from emulator.github import REPO, FakeGitHub  # noqa: PLC0415 -- only this test serves files
    from gate.core.errors import PolicyError  # noqa: PLC0415 -- as the policy's own tests import it
    from gate.github import policy  # noqa: PLC0415 -- the parser this test stands in for

    problems = ("line 2: cicdProfiles[0].nme: unknown key", "line 5: version: must be 1")

    def validate(document: Any, lines: Any, source: str) -> Any:
        raise PolicyError(f"{source} has 2 problems: " + "; ".join(problems), problems)

    monkeypatch.setattr(policy, "validate", validate)
    payload = sample("pull_request")
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload))
    with FakeGitHub() as github:
        github.files[(REPO, ".github/gate.yml", payload["pull_request"]["base"]["sha"])] = "version: 2\n"
        monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
        monkeypatch.setenv("GITHUB_API_URL", github.api_url)
        monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
        action_env(**{"secret-key": KEY, "policy-file": ".github/gate.yml"})
        assert wiring.main() == 1
    assert (tmp_path / "summary.md").read_text().splitlines()[2:] == [
        "**Outcome:** `ERROR`: 2 problems stop the gate; fix each of them:",
        "",
        "**Policy file `.github/gate.yml`:**",
        "",
        "- line 2: cicdProfiles\\[0\\].nme: unknown key",
        "- line 5: version: must be 1",
    ]


def test_a_plain_gate_loads_only_what_its_path_uses() -> None:
    """What only a policy file's rules, a pull request's comments, an upload or a plugin use loads on those runs:
    a plain gate's wiring imports none of it (a stray import at the top of a module shows here first)."""
    code = "import sys, gate.boot.wiring; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "gate.boot.wiring" in loaded
    deferred = {
        "gate.core.policy", "gate.core.automations", "gate.flow.automations", "gate.jira.client", "gate.mail.smtp",
        "gate.github.comments", "gate.github.issues", "gate.github.policy", "gate.uploads.files", "github", "yaml",
        "ijson", "msgspec", "smtplib",
    }  # fmt: skip
    assert sorted(deferred & loaded) == []
