"""The upload inputs as a run's plan carries them, for tests that name an SBOM and a Checkov SARIF input."""

from __future__ import annotations

from pathlib import Path

from gate.core.models import UploadFile, UploadKind
from gate.uploads import files


def inputs(sbom_files: str, checkov_sarif_files: str) -> tuple[tuple[UploadKind, str], ...]:
    return ((UploadKind.SBOM, sbom_files), (UploadKind.CHECKOV, checkov_sarif_files))


def collect(sbom_files: str, checkov_sarif_files: str, workspace: Path) -> tuple[list[UploadFile], list[str]]:
    """`gate.uploads.files.collect` of the two inputs."""
    return files.collect(inputs(sbom_files, checkov_sarif_files), workspace)
