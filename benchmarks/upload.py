"""Peak memory and throughput of a large SBOM upload, against the emulator.

Generates a valid Syft JSON SBOM of about --size-mb MB (real Syft fields, many artifacts),
runs entrypoint.py as the runner would with `sbom-files` naming it, and reports the
action's peak RSS and the upload's throughput against the emulator (which parses what it
receives). Figures only; `benchmarks/vs_cli.py` compares, as ratios in one run.

    .venv/bin/python -m benchmarks.upload [--size-mb 500]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from emulator.aikido import EMULATOR_KEY, AikidoEmulator
from emulator.runner import ENTRYPOINT, ROOT, input_env

TEMPLATE = ROOT / "tests" / "samples" / "uploads" / "syft-image.json"
PAYLOAD = ROOT / "tests" / "samples" / "pull_request.json"


def write_sbom(path: Path, size: int) -> None:
    """A Syft JSON document shaped like the real fixture, grown with artifacts until `size` bytes."""
    document = json.loads(TEMPLATE.read_text())
    artifact = document["artifacts"][0]
    head = json.dumps({key: value for key, value in document.items() if key != "artifacts"})[:-1]
    with path.open("w", encoding="utf-8") as out:
        out.write(head + ', "artifacts": [')
        written, index = 0, 0
        while written < size:
            item = dict(artifact, id=f"{index:016x}", name=f"package-é-{index}", version=f"1.{index % 97}.0")
            text = ("," if index else "") + json.dumps(item, ensure_ascii=False)
            out.write(text)
            written += len(text.encode())
            index += 1
        out.write("]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        workspace = Path(scratch)
        sbom = workspace / "big-sbom.json"
        started = time.monotonic()
        write_sbom(sbom, args.size_mb * 1_000_000)
        print(f"generated {sbom.stat().st_size / 1e6:.0f} MB in {time.monotonic() - started:.1f} s", flush=True)
        with AikidoEmulator("pass") as emulator:
            env = {
                "PATH": os.environ.get("PATH", ""),
                "PYTHONUNBUFFERED": "1",
                "GITHUB_EVENT_NAME": "pull_request",
                "GITHUB_EVENT_PATH": str(PAYLOAD),
                "GITHUB_WORKSPACE": str(workspace),
                **input_env(
                    {
                        "secret-key": EMULATOR_KEY,
                        "api-base-url": emulator.url,
                        "poll-interval-seconds": "1",
                        "timeout-seconds": "600",
                        "sbom-files": "big-app=big-sbom.json",
                    }
                ),
            }
            started = time.monotonic()
            process = subprocess.Popen(
                [sys.executable, str(ENTRYPOINT)], cwd=workspace, env=env, stdout=subprocess.PIPE, text=True
            )
            assert process.stdout is not None
            out = process.stdout.read()
            process.stdout.close()
            # wait4 gives this child's own peak RSS (ru_maxrss, in KiB on Linux).
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            total = time.monotonic() - started
        if process.returncode != 0:
            raise SystemExit(f"the action failed:\n{out}")
        peak_mb = usage.ru_maxrss / 1024
        match = re.search(r"uploaded big-sbom\.json \(([\d.]+) MB\) .* in ([\d.]+) s", out)
        size_mb, seconds = (float(match.group(1)), float(match.group(2))) if match else (0.0, 0.0)
        progress = [line for line in out.splitlines() if line.startswith("uploading ")]
        checked = re.search(r"checked 1 file\(s\) to upload, [\d.]+ MB, in ([\d.]+) s", out)
        validation = float(checked.group(1)) if checked else 0.0
        results = {
            "sbom_mb": size_mb,
            "action_peak_rss_mb": round(peak_mb, 1),
            "validation_seconds": validation,
            "validation_mb_per_s": round(size_mb / validation, 1) if validation else None,
            "upload_seconds": seconds,
            "upload_mb_per_s": round(size_mb / seconds, 1) if seconds else None,
            "whole_run_seconds": round(total, 1),
            "progress_lines": len(progress),
        }
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
