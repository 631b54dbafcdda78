"""Start-up without what a run never uses: stand-ins that import the real module when used, and no pydantic plugins."""

from __future__ import annotations

import importlib.metadata
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
answered = asyncio.run(answer())
print(json.dumps([before, answered, startup.pending(), type(sys.modules["asyncio"]).__name__]), file=sys.stderr)
"""
    before, answer, after, kind = json.loads(python("import json\n" + code))
    assert before == list(startup.DEFERRED)
    assert (answer, kind) == (42, "module")
    assert after == [name for name in startup.DEFERRED if name != "asyncio"]


def test_a_submodule_is_imported_through_a_stand_in() -> None:
    code = "import idna.core\nfrom asyncio import events\nprint(idna.core.encode('bücher.example'), file=sys.stderr)"
    assert python(code).strip() == "b'xn--bcher-kva.example'"


def test_a_module_already_imported_is_left_alone() -> None:
    pending = python("print(' '.join(startup.pending()), file=sys.stderr)", before="import asyncio; ").split()
    assert pending == [name for name in startup.DEFERRED if name != "asyncio"]


class TestForwardedFunctions:
    """`from module import function` takes a forwarder: the real module is imported when it is first called."""

    def test_importing_the_function_imports_nothing(self) -> None:
        code = (
            "from importlib.metadata import entry_points, version\n"
            "from dotenv import dotenv_values\n"
            "print(' '.join(startup.pending()), file=sys.stderr)"
        )
        assert python(code).split() == list(startup.DEFERRED)

    def test_calling_it_calls_the_real_function(self, tmp_path: Path) -> None:
        (tmp_path / "values.env").write_text("A=1\n")
        code = (
            "from importlib.metadata import version\n"
            "from dotenv import dotenv_values\n"
            f"print(version('pydantic'), dict(dotenv_values({str(tmp_path / 'values.env')!r})), file=sys.stderr)\n"
            "import importlib.metadata, dotenv\n"
            "print(type(importlib.metadata).__name__, importlib.metadata.version is version, "
            "type(dotenv).__name__, 'importlib.metadata' in startup.pending(), file=sys.stderr)"
        )
        called, kinds = python(code).splitlines()
        assert called == f"{importlib.metadata.version('pydantic')} {{'A': '1'}}"
        assert kinds == "module False module False"  # the real modules, in place of the stand-ins

    def test_any_other_name_imports_the_real_module(self) -> None:
        code = (
            "from importlib.metadata import PackageNotFoundError\n"
            "print(PackageNotFoundError.__module__, 'importlib.metadata' in startup.pending(), file=sys.stderr)"
        )
        assert python(code).split() == ["importlib.metadata", "False"]

    def test_the_package_attribute_is_the_stand_in_until_then(self) -> None:
        code = "import importlib.metadata\nprint(type(importlib.metadata).__name__, file=sys.stderr)"
        assert python(code).strip() == "_StandIn"


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
