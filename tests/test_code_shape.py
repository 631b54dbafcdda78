"""The code's shape, kept: functions short enough to read at once, no suppression without its reason, every
exception in an errors module, and every module with a test module of its own."""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("gate", "tests", "benchmarks", "emulator", "release", "tools")
SOURCES = [
    *sorted(path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py") if "__pycache__" not in path.parts),
    ROOT / "entrypoint.py",
]
MAX_FUNCTION_LINES = 60
# A suppression with its codes, then its reason ("-- why", or a comment of its own for type: ignore).
SUPPRESSION = re.compile(
    r"#\s*(noqa(?::\s*[A-Z0-9, ]+)?|type:\s*ignore(?:\[[\w, -]+\])?|pragma: no cover)(?P<rest>.*)$"
)


def long_functions(path: Path, base: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                found.append(f"{path.relative_to(base)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def unexplained(path: Path, base: Path = ROOT) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = SUPPRESSION.search(line)
        if match and not match.group("rest").strip(" #-—:"):
            found.append(f"{path.relative_to(base)}:{number}: {line.strip()}")
    return found


@pytest.mark.parametrize("folder", ["gate", "entrypoint.py"])
def test_no_function_of_the_action_is_over_60_lines(folder: str) -> None:
    paths = [path for path in SOURCES if path.relative_to(ROOT).parts[0] == folder]
    assert paths
    assert [long for path in paths for long in long_functions(path)] == []


def test_every_suppression_says_why() -> None:
    assert [line for path in SOURCES for line in unexplained(path)] == []


def test_the_check_sees_a_bare_suppression(tmp_path: Path) -> None:
    """The pattern itself: a bare `noqa` or `type: ignore` is caught, one with its reason is not."""
    sample = tmp_path / "sample.py"
    bare = ["x = 1  # noqa: E501", "y = 2  # type: ignore[misc]", "v = 0  # pragma: no cover"]
    explained = ["z = 3  # noqa: E501 -- a long URL", "w = 4  # type: ignore[misc]  # missing from typeshed"]
    sample.write_text("\n".join(bare + explained) + "\n")
    assert [line.split(": ", 1)[1] for line in unexplained(sample, tmp_path)] == bare


def test_the_check_sees_a_long_function(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    body = "".join(f"    x{n} = {n}\n" for n in range(59))
    sample.write_text(f"def short():\n{body}\n\ndef long():\n{body}    x = 1\n")
    assert long_functions(sample, tmp_path) == ["sample.py:63 long (61 lines)"]


# Where the gate's exceptions live: each layer's errors module (the transport's is gate/net/faults.py).
ERRORS_MODULES = ("errors.py", "gate/net/faults.py")
# Exceptions still outside one, each with who moves it.
NOT_YET_MOVED: dict[tuple[str, str], str] = {}
_BUILTIN_EXCEPTIONS = {name for name, value in vars(builtins).items() if isinstance(value, type)}
_BUILTIN_EXCEPTIONS = {name for name in _BUILTIN_EXCEPTIONS if issubclass(getattr(builtins, name), BaseException)}


def _base_name(node: ast.expr) -> str:
    """`GateFault` for `GateFault`, `errors.GateFault` and `Generic[T]`'s `Generic`: the name a base goes by."""
    if isinstance(node, ast.Subscript):
        return _base_name(node.value)
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def exception_classes(sources: dict[str, str]) -> list[tuple[str, str]]:
    """The exception classes defined in `sources` (by path): those whose base is a builtin exception, is named
    …Exception, …Error or …Fault (a library's), or is such a class of `sources` itself."""
    classes = [
        (path, node.name, {_base_name(base) for base in node.bases})
        for path, source in sources.items()
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef)
    ]
    known = set(_BUILTIN_EXCEPTIONS)
    found: set[tuple[str, str]] = set()
    while True:
        new = {
            (path, name)
            for path, name, bases in classes
            if (path, name) not in found
            and any(base in known or re.search(r"(Exception|Error|Fault)$", base) for base in bases)
        }
        if not new:
            return sorted(found)
        found |= new
        known |= {name for _, name in new}


def test_every_exception_lives_in_an_errors_module() -> None:
    sources = {
        path.relative_to(ROOT).as_posix(): path.read_text()
        for path in SOURCES
        if path.relative_to(ROOT).parts[0] == "gate"
    }
    outside = [
        found
        for found in exception_classes(sources)
        if not {Path(found[0]).name, found[0]} & set(ERRORS_MODULES) and found not in NOT_YET_MOVED
    ]
    assert outside == []
    assert [key for key in NOT_YET_MOVED if key not in exception_classes(sources)] == []  # moved: drop it here


def test_the_check_sees_an_exception_by_any_base() -> None:
    sample = (
        "class A(Exception): ...\n"
        "class B(A): ...\n"
        "class C(errors.ConfigError): ...\n"
        "class D(Generic[T], GateFault): ...\n"
        "class E(yaml.MarkedYAMLError): ...\n"
        "class F(KeyError): ...\n"
        "class Plain(Base): ...\n"
        "class Flag(Enum): ...\n"
    )
    assert [name for _, name in exception_classes({"sample.py": sample})] == ["A", "B", "C", "D", "E", "F"]


def untested(root: Path) -> list[str]:
    """The test module each module gate/<layer>/<module>.py lacks: tests/<layer>/test_<module>.py."""
    return sorted(
        f"tests/{path.parent.name}/test_{path.stem}.py"
        for path in (root / "gate").glob("*/*.py")
        if path.name != "__init__.py" and not (root / "tests" / path.parent.name / f"test_{path.stem}.py").is_file()
    )


def test_every_module_has_its_own_test_module() -> None:
    assert untested(ROOT) == []


def test_the_check_sees_a_module_without_tests(tmp_path: Path) -> None:
    for name in ("gate/core/__init__.py", "gate/core/a.py", "gate/core/b.py", "tests/core/test_a.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()
    assert untested(tmp_path) == ["tests/core/test_b.py"]
