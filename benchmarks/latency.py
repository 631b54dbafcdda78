"""Start-up and exit latency of the action, against the emulator, as the runner runs it.

(a) process start -> first API request; (b) scan complete -> process exit (at most one poll
interval plus the exit). Figures only: compare them as ratios in one run, as
`benchmarks/vs_cli.py` does against Aikido's CLI and against another checkout (`--before`).

    .venv/bin/python -m benchmarks.latency [--runs 7] [--interval 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from emulator.aikido import EMULATOR_KEY, AikidoEmulator, Scenario
from emulator.runner import ENTRYPOINT, ROOT, input_env

PAYLOAD = ROOT / "tests" / "samples" / "pull_request.json"


def one_run(scratch: Path, interval: int, complete_after: float) -> tuple[float, float]:
    scenario = Scenario("bench", seconds_until_complete=complete_after)
    with AikidoEmulator(scenario) as emulator:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONUNBUFFERED": "1",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(PAYLOAD),
            "GITHUB_OUTPUT": str(scratch / "output"),
            "GITHUB_STEP_SUMMARY": str(scratch / "summary.md"),
            **input_env(
                {"secret-key": EMULATOR_KEY, "api-base-url": emulator.url, "poll-interval-seconds": str(interval)}
            ),
        }
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, str(ENTRYPOINT)], cwd=scratch, env=env, capture_output=True, text=True, check=False
        )
        exited = time.monotonic()
        if done.returncode != 0:
            raise SystemExit(f"the action failed:\n{done.stdout}{done.stderr}")
        scan = emulator.scans[1]
        first_request = emulator.requests[0].at
        return first_request - started, exited - (scan.started_at + complete_after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--interval", type=int, default=1, help="poll-interval-seconds")
    args = parser.parse_args()
    starts, exits = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.runs):
            # Vary the completion moment across the poll interval, so (b) covers good and bad phases.
            start, exit_ = one_run(Path(scratch), args.interval, 1.0 + args.interval * run / args.runs)
            starts.append(start * 1000)
            exits.append(exit_ * 1000)
    results = {
        "runs": args.runs,
        "poll_interval_s": args.interval,
        "start_to_first_request_ms": {"median": round(statistics.median(starts)), "max": round(max(starts))},
        "complete_to_exit_ms": {"median": round(statistics.median(exits)), "max": round(max(exits))},
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
