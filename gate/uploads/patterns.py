"""Glob patterns over the workspace, walked without following a symlinked directory, and bounded.

`glob.glob(..., recursive=True)` follows symlinked directories: a pull request that commits
`l0 -> .` and `l1 -> .` makes `**/*.syft.json` walk an exponential tree until the job's
timeout. Here a wildcard (`*`, `?`, `[...]`, `**`) never leads through a symlinked directory
(a literal directory name may be one, as the user wrote it), and a walk stops with a
`PatternTooWide` past a number of entries or a time budget. Otherwise the rules are glob's:
`*`, `?` and `[...]` match within one name, `**` any number of directories, and a wildcard
matches a name starting with a dot only when it starts with a dot itself.
"""

from __future__ import annotations

import fnmatch
import os
import time
from collections.abc import Callable, Iterator

from gate.uploads.errors import PatternTooWide

# Enough for a monorepo with its dependencies checked out; a loop or a hostile tree reaches it in seconds.
MAX_ENTRIES = 1_000_000
BUDGET_SECONDS = 10.0
_MAGIC = frozenset("*?[")


def has_magic(pattern: str) -> bool:
    return any(char in _MAGIC for char in pattern)


class _Walk:
    """One pattern's walk, counting entries against its bounds."""

    def __init__(self, root: str, max_entries: int, seconds: float, clock: Callable[[], float]) -> None:
        self.root = root
        self.max_entries = self.left = max_entries
        self.seconds = seconds
        self.deadline = clock() + seconds
        self.clock = clock

    def entries(self, relative: str) -> Iterator[os.DirEntry[str]]:
        try:
            with os.scandir(os.path.join(self.root, relative) if relative else self.root) as listing:
                for entry in listing:
                    self.left -= 1
                    if self.left < 0:
                        raise PatternTooWide(f"it visits more than {self.max_entries:,} entries of the workspace")
                    if self.clock() > self.deadline:
                        raise PatternTooWide(f"walking the workspace for it takes more than {self.seconds:g} s")
                    yield entry
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            return


def _visible(name: str, component: str) -> bool:
    """glob's rule: a wildcard matches a hidden name only when it starts with a dot itself."""
    return not name.startswith(".") or component.startswith(".")


def _join(relative: str, name: str) -> str:
    return f"{relative}/{name}" if relative else name


def _is_real_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def glob_files(
    pattern: str,
    root: str,
    *,
    max_entries: int = MAX_ENTRIES,
    seconds: float = BUDGET_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> list[str]:
    """The names (relative to `root`, sorted) of the entries other than directories that `pattern` matches.

    Raises PatternTooWide, saying which bound was reached, when the walk is too large.
    """
    if pattern.endswith("/"):
        return []  # matches directories only, never a file to upload
    walk = _Walk(root, max_entries, seconds, clock)
    components = [part for part in pattern.split("/") if part not in ("", ".")]
    found: set[str] = set()
    # Where to go on: a directory relative to root, and the index of the component to match in it.
    stack: list[tuple[str, int]] = [("", 0)]
    seen: set[tuple[str, int]] = set()
    while stack:
        place = stack.pop()
        if place not in seen:
            seen.add(place)
            stack += _step(walk, components, *place, found)
    return sorted(found)


def _step(walk: _Walk, components: list[str], relative: str, index: int, found: set[str]) -> list[tuple[str, int]]:
    """Match component `index` in directory `relative`: names into `found`, and where to go on."""
    component = components[index]
    last = index == len(components) - 1
    if component == "**":
        if last:
            return [(directory, index) for directory in _everything_below(walk, relative, found)]
        below = [entry.name for entry in walk.entries(relative) if _visible(entry.name, "") and _is_real_dir(entry)]
        return [(relative, index + 1)] + [(_join(relative, name), index) for name in below]  # zero or more
    if not has_magic(component):
        name = _join(relative, component)
        path = os.path.join(walk.root, name)
        if last and os.path.lexists(path) and not os.path.isdir(path):
            found.add(name)
        return [(name, index + 1)] if not last and os.path.isdir(path) else []
    onward = []
    for entry in walk.entries(relative):
        if _visible(entry.name, component) and fnmatch.fnmatchcase(entry.name, component):
            name = _join(relative, entry.name)
            if last and not _is_dir(entry):
                found.add(name)
            elif not last and _is_real_dir(entry):
                onward.append((name, index + 1))
    return onward


def _everything_below(walk: _Walk, relative: str, found: set[str]) -> list[str]:
    """A trailing `**`: every visible non-directory here into `found`; the real directories to visit in turn."""
    below = []
    for entry in walk.entries(relative):
        if not _visible(entry.name, ""):
            continue
        if _is_real_dir(entry):
            below.append(_join(relative, entry.name))
        elif not _is_dir(entry):
            found.add(_join(relative, entry.name))
    return below
