"""SBOM and Checkov SARIF files: expand the inputs, validate every file before any scan starts.

Each file gets one read (`gate.uploads.inspect`) that checks it is UTF-8 JSON, learns what the
shape checks below need, and counts its length once escaped as a JSON string, which the upload
needs for its Content-Length.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from gate.core.errors import ConfigError
from gate.core.models import UploadFile, UploadKind
from gate.core.wording import a_few
from gate.uploads.errors import PatternTooWide
from gate.uploads.inspect import JsonFacts, inspect_json
from gate.uploads.patterns import BUDGET_SECONDS, glob_files, has_magic

# The inputs, as messages name them.
SBOM, CHECKOV = UploadKind.SBOM.input, UploadKind.CHECKOV.input

SYFT_NAME = "syft"
SARIF_VERSION = "2.1.0"

# A container image name without tag or digest, after Docker's reference grammar.
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
IMAGE_NAME = re.compile(rf"{_DOMAIN}{_COMPONENT}(?:/{_COMPONENT})*")
# Syft's source schemes, which its userInput may carry.
_SCHEMES = re.compile(r"^(?:docker|podman|containerd|registry|docker-archive|oci-archive|oci-dir|singularity):")

_ARCHIVES = (".tar", ".tar.gz", ".tgz", ".zip")


def image_name_from(reference: str) -> str | None:
    """The image name of a reference such as `ghcr.io/o/app:1.2@sha256:…`, or None if it is not one."""
    name = _SCHEMES.sub("", reference.strip()).split("@", 1)[0]
    if name.endswith(_ARCHIVES):  # a docker-archive's file, not an image
        return None
    head, _, last = name.rpartition("/")
    name = f"{head}/{last.split(':', 1)[0]}" if head else last.split(":", 1)[0]
    return name if IMAGE_NAME.fullmatch(name) else None


def has_tag_or_digest(name: str) -> bool:
    return "@" in name or ":" in name.rpartition("/")[2]


def entries(text: str) -> list[str]:
    """The non-blank lines of a multi-line input."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def expand(entry: str, workspace: Path, input_name: str, *, seconds: float = BUDGET_SECONDS) -> list[Path]:
    """The regular files inside the workspace that an entry names, each resolved; errors name the entry.

    A pattern never leads through a symlinked directory and its walk is bounded (gate.uploads.patterns).
    """
    root = workspace.resolve()
    pattern = entry
    if Path(entry).is_absolute():
        # The workspace as the runner names it (/github/workspace) or as it resolves.
        base = next((base for base in (workspace, root) if Path(entry).is_relative_to(base)), None)
        if base is None:
            raise ConfigError(f"input {input_name}: {entry} is outside the workspace")
        pattern = str(Path(entry).relative_to(base))
    if has_magic(pattern):
        try:
            names = glob_files(pattern, str(root), seconds=seconds)
        except PatternTooWide as too_wide:
            raise ConfigError(
                f"input {input_name}: {entry} is too wide to expand ({too_wide}); name the files or their "
                "directory more narrowly, e.g. build/sbom/*.json instead of **/*.json"
            ) from None
        if not names:
            raise ConfigError(f"input {input_name}: {entry} matches no file in the workspace")
    else:
        names = [pattern]
    return [_inside(root, name, input_name) for name in names]


def _inside(root: Path, name: str, input_name: str) -> Path:
    path = root / name
    if not Path(os.path.normpath(path)).is_relative_to(root):
        raise ConfigError(f"input {input_name}: {name} leads outside the workspace (through ..)")
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise ConfigError(f"input {input_name}: {name} does not exist in the workspace") from None
    if not real.is_relative_to(root):
        raise ConfigError(f"input {input_name}: {name} leads outside the workspace (through .. or a symlink)")
    if not real.is_file():
        raise ConfigError(f"input {input_name}: {name} is not a regular file")
    return real


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root))


def _sbom(path: Path, root: Path, image_name: str | None, warnings: list[str]) -> UploadFile:
    """A Syft JSON SBOM, with the container image it describes (`image_name`, else read from its source)."""
    shown = _shown(path, root)
    facts = _checked(path, shown, SBOM)
    if not {"artifacts", "source"} <= facts.top_keys or facts.strings.get("descriptor.name") != SYFT_NAME:
        raise ConfigError(
            f"input {SBOM}: {shown} is not a Syft JSON SBOM (needs artifacts, source and descriptor.name "
            "syft; make it with syft -o syft-json or anchore/sbom-action with format: syft-json)"
        )
    if image_name is not None:
        if has_tag_or_digest(image_name):
            bare = image_name_from(image_name) or "NAME"
            raise ConfigError(
                f"input {SBOM}: the image name {image_name} of {shown} has a tag or digest; "
                f"Aikido wants the name alone: {bare}={shown}"
            )
        if not IMAGE_NAME.fullmatch(image_name):
            raise ConfigError(f"input {SBOM}: {image_name} (for {shown}) is not a container image name")
    else:
        # Syft records the image's tags (an archive's too), what the user asked for, and a name.
        sources = [facts.strings.get(f"source.{key}") for key in ("metadata.tags.item", "metadata.userInput", "name")]
        image_name = next((name for name in map(image_name_from, filter(None, sources)) if name), None)
        if image_name is None:
            raise ConfigError(
                f"input {SBOM}: cannot tell the container image name of {shown} from its source; "
                f"write the entry as image-name={shown}"
            )
    return UploadFile(UploadKind.SBOM, path, shown, facts.size, facts.escaped_size, image_name)


def _sarif(path: Path, root: Path, image_name: str | None, warnings: list[str]) -> UploadFile:
    """A SARIF 2.1.0 file, warned about when another tool than Checkov made it."""
    shown = _shown(path, root)
    facts = _checked(path, shown, CHECKOV)
    if facts.strings.get("version") != SARIF_VERSION or not facts.runs_is_array:
        raise ConfigError(f"input {CHECKOV}: {shown} is not a SARIF 2.1.0 file (needs version 2.1.0 and a runs array)")
    if not facts.tools.checkov:
        tools = a_few(facts.tools.names, more=facts.tools.others) or "no tool"
        warnings.append(f"{shown} was made by {tools}, not Checkov; Aikido reads it as Checkov output")
    return UploadFile(UploadKind.CHECKOV, path, shown, facts.size, facts.escaped_size)


def _checked(path: Path, shown: str, input_name: str) -> JsonFacts:
    """The file's facts, read once; ConfigError naming the input and the file when it is no JSON document."""
    size = path.stat().st_size
    if size == 0:
        raise ConfigError(f"input {input_name}: {shown} is empty")
    try:
        facts = inspect_json(path)
    except ValueError as error:
        raise ConfigError(f"input {input_name}: {shown} {error}") from None
    except OSError as error:
        raise ConfigError(f"input {input_name}: cannot read {shown} ({error.strerror})") from None
    facts.size = size
    return facts


@dataclass(frozen=True)
class Kind:
    """How the files of one upload kind are checked: `validate(path, root, name, warnings)`; `named`: its entries
    may name what a file is for (NAME=PATTERN, an SBOM's container image)."""

    validate: Callable[[Path, Path, str | None, list[str]], UploadFile]
    named: bool = False


# The upload kinds, each with its validator (its input and payload type are gate.core.models.UploadKind's).
KINDS = {UploadKind.SBOM: Kind(_sbom, named=True), UploadKind.CHECKOV: Kind(_sarif)}


def collect(uploads: Sequence[tuple[UploadKind, str]], workspace: Path) -> tuple[list[UploadFile], list[str]]:
    """Every file the upload inputs name, validated, and warnings to show; raises ConfigError naming input and file."""
    root = workspace.resolve()
    files: list[UploadFile] = []
    warnings: list[str] = []
    seen: set[Path] = set()
    for kind, text in uploads:
        checks = KINDS[kind]
        for entry in entries(text):
            name, sep, rest = entry.partition("=") if checks.named else ("", "", "")
            label, pattern = (name.strip(), rest.strip()) if sep else (None, entry)
            if sep and not label:
                raise ConfigError(f"input {kind.input}: {entry} has an empty image name before =")
            for path in _new(expand(pattern, workspace, kind.input), seen):
                files.append(checks.validate(path, root, label, warnings))
    _no_shared_image_names(files)
    return files, warnings


def _new(paths: list[Path], seen: set[Path]) -> Iterator[Path]:
    for path in paths:
        if path not in seen:
            seen.add(path)
            yield path


def _no_shared_image_names(files: list[UploadFile]) -> None:
    owners: dict[str, str] = {}
    for upload in files:
        if upload.image_name is None:
            continue
        if upload.image_name in owners:
            raise ConfigError(
                f"input {SBOM}: {owners[upload.image_name]} and {upload.shown} both have the image name "
                f"{upload.image_name}; give each its own with image-name=PATH"
            )
        owners[upload.image_name] = upload.shown
