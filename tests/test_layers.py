"""The layers, read from the folders of gate/: each imports only the layers beneath it, the adapters nothing of the
flow but its ports, and the core no I/O."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GATE = ROOT / "gate"
IO_LIBRARIES = ("httpx", "github", "requests", "ijson", "pydantic", "pydantic_settings", "yaml")
# Inside out: a package may import its own modules and those of the layers before it. The
# adapters sit side by side (none imports another) around the flow, and `net` is the transport
# the API adapters share; `boot` starts the process and wires everything (`gate.boot.wiring`).
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"core"}),
    frozenset({"flow"}),
    frozenset({"net"}),
    frozenset({"aikido", "github", "chat", "uploads", "runner", "jira", "mail"}),
    frozenset({"boot"}),
)
PURE = ("core", "flow")  # no I/O library, even indirectly
ADAPTERS = LAYERS[3]
# The flow's one seam: the adapters import its protocols and values, never its logic.
SEAM = "gate.flow.ports"


def package_of(module: str) -> str:
    """`gate.core.event` → `core`; the root package `gate` → ``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else ""


def rank(package: str) -> int:
    return next(index for index, layer in enumerate(LAYERS) if package in layer)


@cache
def modules() -> dict[str, Path]:
    """Every module of the gate, by dotted name, found on disk."""
    found = {}
    for path in sorted(GATE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def gate_imports(path: Path) -> set[str]:
    """The gate modules `path` imports anywhere in it (inside functions and TYPE_CHECKING blocks too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in names if name in modules() and name != "gate"}


def loaded_by(module: str) -> list[str]:
    """The I/O libraries importing `module` loads, in a fresh interpreter."""
    probe = (
        f"import sys, json; import {module}; "
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(IO_LIBRARIES)!r}))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    found: list[str] = json.loads(done.stdout)
    return found


def test_every_folder_is_a_layer() -> None:
    folders = {path.name for path in GATE.iterdir() if path.is_dir() and path.name != "__pycache__"}
    assert folders == set().union(*LAYERS)
    assert {path.name for path in GATE.glob("*.py")} == {"__init__.py"}  # every module sits in a layer


@pytest.mark.parametrize("module", sorted(name for name in modules() if package_of(name)))
def test_a_module_imports_only_its_own_package_and_the_layers_beneath(module: str) -> None:
    own = package_of(module)
    wrong = sorted(
        name
        for name in gate_imports(modules()[module])
        if package_of(name) not in {"", own} and rank(package_of(name)) >= rank(own)
    )
    assert wrong == []


def beyond_the_seam(path: Path) -> list[str]:
    """The flow modules `path` imports other than its one seam, gate.flow.ports."""
    return sorted(name for name in gate_imports(path) if package_of(name) == "flow" and name != SEAM)


@pytest.mark.parametrize("module", sorted(name for name in modules() if package_of(name) in ADAPTERS))
def test_an_adapter_imports_nothing_of_the_flow_but_its_ports(module: str) -> None:
    assert beyond_the_seam(modules()[module]) == []


def test_the_seam_check_sees_an_adapter_reaching_into_the_flow(tmp_path: Path) -> None:
    sample = tmp_path / "adapter.py"
    sample.write_text(
        "from gate.flow.ports import Chat\n"
        "from gate.flow import run\n"
        "if TYPE_CHECKING:\n    from gate.flow.state import RunState\n"
    )
    assert beyond_the_seam(sample) == ["gate.flow.run", "gate.flow.state"]


@pytest.mark.parametrize("module", sorted(name for name in modules() if package_of(name) == "flow"))
def test_the_flow_renders_no_markdown(module: str) -> None:
    """Every text for people (summary, comments, issues, chat, SARIF) is rendered in the core, from plain values."""
    assert "gate.core.markdown" not in gate_imports(modules()[module])


@pytest.mark.parametrize("module", sorted(name for name in modules() if package_of(name) in PURE))
def test_the_core_and_the_flow_load_no_io_library(module: str) -> None:
    assert loaded_by(module) == []


# What only an adapter does, behind a port: the core and the flow get files, paths and time from it.
FILE_ACCESS = frozenset(
    {"read_text", "read_bytes", "write_text", "write_bytes", "exists", "is_dir", "is_file", "stat", "lstat"}
    | {"iterdir", "glob", "rglob", "mkdir", "touch", "unlink", "rmdir", "open"}
)
PATH_RESOLUTION = frozenset({"resolve", "realpath", "abspath", "cwd", "getcwd", "expanduser", "absolute"})
CLOCKS = {"time": {"time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns"}}
CLOCKS |= {"datetime": {"now", "utcnow", "today"}, "date": {"today"}}
# Each allowance: a module, what it does, and why.
IO_ALLOWED = {
    ("gate/core/clock.py", "clock read time.monotonic"): "the one home of the clock: every Deadline's default",
}


def _named(node: ast.expr) -> str:
    """`time` for `time`, `datetime` for `datetime.datetime`: the last name of a dotted expression."""
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def io_in(source: str) -> list[str]:
    """What `source` does that only an adapter may: file access, path resolution and clock reads, by the AST."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
            found.append("file access open()")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in FILE_ACCESS:
                found.append(f"file access .{node.func.attr}()")
            elif node.func.attr in PATH_RESOLUTION:
                found.append(f"path resolution .{node.func.attr}()")
        if isinstance(node, ast.Attribute) and node.attr in CLOCKS.get(_named(node.value), ()):
            found.append(f"clock read {_named(node.value)}.{node.attr}")  # a call or a reference: both read it
        elif isinstance(node, ast.ImportFrom) and node.module in CLOCKS:
            found += [f"clock read {node.module}.{a.name}" for a in node.names if a.name in CLOCKS[node.module]]
    return sorted(found)


@pytest.mark.parametrize("module", sorted(name for name in modules() if package_of(name) in PURE))
def test_the_core_and_the_flow_touch_no_file_and_read_no_clock(module: str) -> None:
    path = modules()[module]
    where = path.relative_to(ROOT).as_posix()
    assert [done for done in io_in(path.read_text()) if (where, done) not in IO_ALLOWED] == []


def test_every_io_allowance_is_still_needed() -> None:
    assert [key for key in IO_ALLOWED if key[1] not in io_in((ROOT / key[0]).read_text())] == []


def test_the_io_check_sees_files_paths_and_clocks() -> None:
    """Each rule, with a sample it catches; a name that only looks alike (a field `open`, glob_matches) is not."""
    sample = (
        "import time, datetime, os\n"
        "from time import monotonic\n"
        "from pathlib import Path\n"
        "open('x')\n"
        "Path('x').read_text(); p.read_bytes(); p.write_text('y'); p.write_bytes(b''); p.open()\n"
        "p.exists(); p.is_dir(); p.is_file(); p.stat(); p.iterdir(); p.glob('*')\n"
        "p.resolve(); os.path.realpath('x'); Path.cwd()\n"
        "time.time(); started = time.monotonic; time.perf_counter()\n"
        "datetime.datetime.now(); datetime.datetime.utcnow()\n"
        "issue.open; glob_matches('a', 'b'); text.replace('a', 'b')\n"
    )
    assert io_in(sample) == sorted(
        [f"file access .{name}()" for name in ("read_text", "read_bytes", "write_text", "write_bytes", "open")]
        + [f"file access .{name}()" for name in ("exists", "is_dir", "is_file", "stat", "iterdir", "glob")]
        + ["file access open()", "path resolution .resolve()", "path resolution .realpath()"]
        + ["path resolution .cwd()", "clock read time.monotonic", "clock read time.monotonic"]
        + ["clock read time.time", "clock read time.perf_counter"]
        + ["clock read datetime.now", "clock read datetime.utcnow"]
    )


@pytest.mark.parametrize(
    ("module", "library"),
    [
        ("gate.aikido.client", "httpx"),
        ("gate.github.lookups", "httpx"),
        ("gate.github.comments", "github"),
        ("gate.github.policy", "yaml"),
    ],
)
def test_the_adapters_do(module: str, library: str) -> None:
    """The check above can fail: the probe sees a library an adapter loads."""
    assert library in loaded_by(module)


def test_no_import_circles() -> None:
    graph = {name: gate_imports(path) for name, path in modules().items()}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " → ".join((*path, name))
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, (*path, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())
