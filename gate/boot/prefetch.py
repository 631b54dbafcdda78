"""Work started while the interpreter is still importing: speculative, and checked before it is trusted.

Importing pydantic-settings and httpx keeps one core busy for most of the start-up before the inputs
can even be validated, while validating a large SBOM needs both cores for seconds. Validation
needs the file names only, so the boot sequence starts it first: the upload inputs are read raw
from the environment, expanded by the very rules of `gate.uploads.files`, and each file (each half
of a large one) goes to one of two lean worker interpreters. When `collect` has validated the
inputs and chosen its files, it asks `Prefetch.inspect` for each one's facts. A worker's
answer counts only for the very file it read (same device, inode, size and modification time);
a failure, a mismatch or a file not planned is inspected again by `inspect_json`, which gives
the real error. Nothing here prints, raises or decides anything.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

    from gate.uploads.inspect import JsonFacts, Part

# The inputs as the runner passes them (both spellings, as gate.boot.settings reads them).
SBOM_INPUTS = ("INPUT_SBOM-FILES", "INPUT_SBOM_FILES")
SARIF_INPUTS = ("INPUT_CHECKOV-SARIF-FILES", "INPUT_CHECKOV_SARIF_FILES")

FileKey = tuple[int, int, int, int]
# Planning is speculative: a pattern this slow to expand is left to `collect`, which says why.
PLAN_SECONDS = 1.0


def file_key(path: Path) -> FileKey:
    status = path.stat()
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def raw_input(environ: Mapping[str, str], names: tuple[str, ...]) -> str:
    return next((environ[name] for name in names if environ.get(name, "").strip()), "")


@dataclass(eq=False)  # a running process, compared as itself
class _Worker:
    """One worker process and the answers read from it so far, in the order of its parts."""

    process: subprocess.Popen[bytes]
    answers: list[bytes] = field(default_factory=list)

    def answer(self, index: int) -> bytes:
        """The answer for its `index`-th part, reading as far as needed (b"" if it died first)."""
        stream: IO[bytes] | None = self.process.stdout
        while len(self.answers) <= index and stream is not None:
            line = stream.readline()
            if not line:
                return b""
            self.answers.append(line)
        return self.answers[index] if index < len(self.answers) else b""


class Prefetch:
    """The workers started for the planned files; `inspect` is a drop-in for `inspect_json`."""

    def __init__(self) -> None:
        self._planned: dict[FileKey, list[tuple[_Worker, int]]] = {}
        self._workers: list[_Worker] = []

    def start(self, files: list[Path]) -> None:
        import subprocess  # noqa: PLC0415 -- only when there are files (a plain gate never starts a process)

        from gate.uploads.inspect import parts, worker_command  # noqa: PLC0415 -- ijson only when there are files

        plans: tuple[list[Part], list[Part]] = ([], [])
        loads = [0, 0]
        placed: dict[FileKey, list[tuple[int, int]]] = {}
        for path in files:
            key = file_key(path)
            if key in placed:
                continue
            placed[key] = []
            for part in parts(path, key[2]):
                # Each part to the worker with less to read: the halves of one file go to both.
                index = 0 if loads[0] <= loads[1] else 1
                placed[key].append((index, len(plans[index])))
                plans[index].append(part)
                loads[index] += part.stop - part.start
        workers = {
            index: _Worker(subprocess.Popen(worker_command(plan), stdout=subprocess.PIPE, stdin=subprocess.DEVNULL))  # noqa: S603 -- our own interpreter and module, no shell
            for index, plan in enumerate(plans)
            if plan
        }
        self._workers = list(workers.values())
        self._planned = {key: [(workers[index], at) for index, at in places] for key, places in placed.items()}

    def inspect(self, path: Path) -> JsonFacts:
        """The facts of `path`: the workers' if they read this very file and it parsed, else inspect_json's."""
        from gate.uploads.inspect import inspect_json, join, read_answer  # noqa: PLC0415 -- as above

        places = self._planned.pop(file_key(path), [])
        answers = [read_answer(worker.answer(at)) for worker, at in places]
        found = [answer for answer in answers if answer is not None]
        if places and len(found) == len(places):
            return join(found)
        return inspect_json(path)

    def close(self) -> None:
        """Stop the workers (they may still be reading files nobody asked about) and reap them."""
        for worker in self._workers:
            if worker.process.poll() is None:
                worker.process.kill()
            worker.process.wait()
            if worker.process.stdout is not None:
                worker.process.stdout.close()
        self._workers = []


def start(environ: Mapping[str, str] = os.environ) -> Prefetch | None:
    """Start validating the files the upload inputs name, or None when they name none (nothing imported)."""
    sbom, sarif = raw_input(environ, SBOM_INPUTS), raw_input(environ, SARIF_INPUTS)
    if not (sbom.strip() or sarif.strip()):
        return None
    try:
        files = planned_files(sbom, sarif, Path(environ.get("GITHUB_WORKSPACE") or os.getcwd()))
        prefetch = Prefetch()
        prefetch.start(files)
    except Exception:  # noqa: BLE001 -- speculative: whatever goes wrong, collect() does the work itself
        return None
    return prefetch


def planned_files(sbom: str, sarif: str, workspace: Path) -> list[Path]:
    """The files `collect` would choose, by its own rules; an entry it would refuse is skipped."""
    from gate.core.errors import ConfigError  # noqa: PLC0415 -- prefetch runs before the imports
    from gate.uploads.files import entries, expand  # noqa: PLC0415 -- prefetch runs before the imports

    files: list[Path] = []
    for text, name, named in ((sbom, "sbom-files", True), (sarif, "checkov-sarif-files", False)):
        for entry in entries(text):
            pattern = entry.partition("=")[2].strip() if named and "=" in entry else entry
            try:
                found = expand(pattern, workspace, name, seconds=PLAN_SECONDS)
                files += [path for path in found if path.stat().st_size]
            except (ConfigError, OSError):
                continue
    return files
