"""The layers, from the code: the core imports no I/O library; only the edge modules do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IO_LIBRARIES = ("httpx", "github", "requests", "ijson")
# Event reading, the decision, the rendering of the summary, comments and SARIF, the models, and the flow.
CORE = (
    "cancel", "clock", "comment", "comment_plan", "errors", "event", "models", "plan", "poll", "report", "run",
    "sanitize", "sarif", "settings", "state", "summary", "upload_body", "verdict", "workflow", "json_string",
)  # fmt: skip


def loaded_by(module: str) -> list[str]:
    """The I/O libraries importing `gate.<module>` loads, in a fresh interpreter."""
    probe = (
        f"import sys, json; import gate.{module}; "
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(IO_LIBRARIES)!r}))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    found: list[str] = json.loads(done.stdout)
    return found


@pytest.mark.parametrize("module", CORE)
def test_the_core_imports_no_io_library(module: str) -> None:
    assert loaded_by(module) == []


@pytest.mark.parametrize(
    ("module", "library"),
    [("aikido", "httpx"), ("github_lookups", "httpx"), ("github_comments", "github"), ("json_inspect", "ijson")],
)
def test_the_edge_does(module: str, library: str) -> None:
    assert library in loaded_by(module)


def test_every_module_is_placed() -> None:
    edge = {"aikido", "github_lookups", "github_comments", "http", "proxy", "json_inspect", "upload_files"}
    edge |= {"prefetch", "startup"}  # the process: what it starts and what it loads
    modules = {path.stem for path in (ROOT / "gate").glob("*.py")} - {"__init__"}
    assert modules == set(CORE) | edge
