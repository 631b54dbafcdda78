"""Workflow commands, step outputs and the step summary: the runner's file and stdout protocol.

See https://docs.github.com/actions/reference/workflow-commands-for-github-actions.
Every value that may come from the payload or the API is escaped here, so it can
neither become a command of its own nor inject another output.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from gate.core.errors import ConfigError
from gate.core.sanitize import clean, redact

# A value written as `name=value` must be one line the runner reads back verbatim.
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.,:/?&=+@%~#-]*")


def escape_data(text: str) -> str:
    """Escape a command's message the way @actions/core does (`escapeData` in
    https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value (`escapeProperty`, same file): data rules plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def one_line(text: str) -> str:
    """Untrusted text cleaned and folded to one line, so it cannot start a line (or a command) of its own."""
    return clean(text).strip()


def format_command(command: str, message: str, **properties: str) -> str:
    """Render `::command k=v,...::message`: cleaned (gate.core.sanitize), then escaped for the runner."""
    props = ",".join(f"{key}={escape_property(one_line(value))}" for key, value in properties.items())
    head = f"{command} {props}" if props else command
    return f"::{head}::{escape_data(clean(message, multiline=True))}"


def format_output(name: str, value: str, delimiter: str) -> str:
    """Render one GITHUB_OUTPUT entry; multi-line form for anything not a plain token."""
    if _PLAIN_VALUE.fullmatch(value):
        return f"{name}={value}\n"
    if delimiter in value:
        raise ConfigError(f"the value of output {name} contains the output delimiter; refusing to write it")
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


class Workflow:
    """Talks to the runner: annotations and logs on stdout, outputs and summary in files."""

    def __init__(
        self,
        stream: TextIO,
        *,
        output_path: Path | None = None,
        summary_path: Path | None = None,
        debug: bool = False,
    ) -> None:
        self._stream = stream
        self._output_path = output_path
        self._summary_path = summary_path
        self._debug = debug
        self.group_open = False

    def _emit(self, line: str) -> None:
        # Defence in depth: every part was cleaned before escaping; the runner masks only its log.
        self._stream.write(redact(line) + "\n")
        self._stream.flush()

    def mask(self, secret: str) -> None:
        """Ask the runner to hide a secret; each line on its own, as the runner masks by line."""
        for line in secret.splitlines():
            if line.strip():
                # The one command that must carry the secret itself, so it bypasses the cleaning.
                self._stream.write(f"::add-mask::{escape_data(line)}\n")
        self._stream.flush()

    def log(self, text: str) -> None:
        """Print a plain log line; untrusted text is folded so it cannot start a command."""
        self._emit(one_line(text) or ".")

    def debug(self, text: str) -> None:
        if self._debug:
            self._emit(format_command("debug", text))

    def notice(self, text: str, *, title: str = "") -> None:
        self._emit(format_command("notice", text, **({"title": title} if title else {})))

    def warning(self, text: str, *, title: str = "") -> None:
        self._emit(format_command("warning", text, **({"title": title} if title else {})))

    def error(self, text: str, *, title: str = "") -> None:
        self._emit(format_command("error", text, **({"title": title} if title else {})))

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        """A foldable section of the log (GitHub does not nest them)."""
        self._emit(format_command("group", one_line(title)))
        self.group_open = True
        try:
            yield
        finally:
            self.group_open = False
            self._emit("::endgroup::")

    def set_outputs(self, outputs: Mapping[str, str]) -> None:
        """Append outputs to GITHUB_OUTPUT (nothing when the runner gave no file)."""
        if self._output_path is None:
            return
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        text = "".join(format_output(name, clean(value, multiline=True), delimiter) for name, value in outputs.items())
        with self._output_path.open("a", encoding="utf-8") as handle:
            handle.write(text)

    def add_summary(self, markdown: str) -> None:
        """Append Markdown to the job summary (nothing when the runner gave no file)."""
        if self._summary_path is None:
            return
        with self._summary_path.open("a", encoding="utf-8") as handle:
            handle.write(clean(markdown, multiline=True).rstrip("\n") + "\n")


def write_atomically(path: Path, text: str) -> None:
    """Write `path` whole or not at all (temp file, then rename), readable by the job's later steps.

    The container runs as root and the steps after it as the runner's user; a temp file is 0600.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


class AtomicFiles:
    """The flow's `Files` port: each file written whole or not at all."""

    def inside(self, workspace: Path, name: str) -> Path | None:
        """Where `name` lands in `workspace`; None when it leads out of it (through a symlink too) or is a directory."""
        root = workspace.resolve()
        target = root / name
        if not target.parent.resolve().is_relative_to(root) or target.is_dir():
            return None
        return target

    def write(self, path: Path, text: str) -> None:
        write_atomically(path, text)
