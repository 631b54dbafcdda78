"""Start-up without what a run never uses: stand-ins that import the real module when used, and no pydantic plugins."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from emulator.aikido import AikidoEmulator
from emulator.runner import prepare_run
from emulator.tls import Certificate
from gate.boot import startup
from tests.conftest import KEY, sample
from tests.support.action import FAST

ROOT = Path(__file__).resolve().parents[2]


def python(code: str, *, before: str = "", env: dict[str, str] | None = None, cwd: Path = ROOT) -> str:
    """Run `code` in a fresh interpreter that has trimmed its start-up first (after `before`); its standard error."""
    prologue = f"import sys; sys.path.insert(0, {str(ROOT)!r}); {before}from gate.boot import startup; startup.trim()\n"
    done = subprocess.run(
        [sys.executable, "-c", prologue + code], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_a_deferred_module_is_imported_when_first_used() -> None:
    code = """
import asyncio
before = startup.pending()
async def answer(): return 42
print(before, asyncio.run(answer()), startup.pending(), type(sys.modules["asyncio"]).__name__, file=sys.stderr)
"""
    assert python(code).split() == ["['asyncio',", "'idna']", "42", "['idna']", "module"]


def test_a_submodule_is_imported_through_a_stand_in() -> None:
    code = "import idna.core\nfrom asyncio import events\nprint(idna.core.encode('bücher.example'), file=sys.stderr)"
    assert python(code).strip() == "b'xn--bcher-kva.example'"


def test_a_module_already_imported_is_left_alone() -> None:
    assert python("print(startup.pending(), file=sys.stderr)", before="import asyncio; ").strip() == "['idna']"


def test_a_whole_gate_run_never_uses_a_deferred_module(tmp_path: Path) -> None:
    """Every deferred module is still a stand-in when the verdict is written: the run never paid for them.

    Over https, as against Aikido: the TLS handshake and the host name are on the way too.
    """
    certificate = Certificate.make(tmp_path)
    with AikidoEmulator("pass", tls=certificate.server()) as emulator:
        inputs = {"secret-key": KEY, **FAST, "api-base-url": emulator.url}
        run = prepare_run(
            tmp_path / "run",
            event_name="pull_request",
            payload=sample("pull_request"),
            inputs=inputs,
            extra_env={"SSL_CERT_FILE": str(certificate.ca)},
        )
        code = (
            "import json\nfrom gate.boot import wiring\n"
            "code = wiring.main()\n"
            "print(json.dumps({'exit': code, 'pending': startup.pending()}), file=sys.stderr)"
        )
        seen = json.loads(python(code, env=run.env, cwd=run.cwd).splitlines()[-1])
    assert seen == {"exit": 0, "pending": list(startup.DEFERRED)}
    assert "Aikido security gate passed" in run.summary_path.read_text()


def test_no_pydantic_plugin_is_loaded(tmp_path: Path) -> None:
    """A plugin would see every validated input, the key included: an installed one is never even imported."""
    (tmp_path / "spy_plugin.py").write_text(
        "import sys\n"
        "print('plugin imported', file=sys.stderr)\n"
        "class Spy:\n"
        "    def new_schema_validator(self, *args, **kwargs): return None, None, None\n"
        "plugin = Spy()\n"
    )
    dist = tmp_path / "spy_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: spy-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[pydantic]\nspy = spy_plugin:plugin\n")
    validate = f"sys.path.insert(0, {str(tmp_path)!r})\nimport pydantic\npydantic.TypeAdapter(int).validate_python(1)\n"
    untrimmed = subprocess.run(
        [sys.executable, "-c", "import sys\n" + validate], capture_output=True, text=True, check=True
    )
    assert "plugin imported" in untrimmed.stderr  # the spy works: pydantic does load an installed plugin
    assert "plugin imported" not in python(validate)
