"""The code's shape, kept: functions short enough to read at once, and no suppression without its reason."""

from __future__ import annotations

import ast
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
