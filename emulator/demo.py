"""`python -m emulator.demo [scenario]`: one pull_request run of the action against the emulator.

Starts the emulator on a free loopback port, runs `entrypoint.py` with the runner's
environment in a scratch workspace, and shows what the step printed and left behind.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from emulator.aikido import EMULATOR_KEY, SCENARIOS, AikidoEmulator
from emulator.runner import ROOT, run_action

PAYLOAD = ROOT / "tests" / "samples" / "pull_request.json"


def main(argv: list[str]) -> int:
    scenario = argv[0] if argv else "pass"
    if scenario not in SCENARIOS:
        print(f"unknown scenario {scenario!r}; choose from {', '.join(SCENARIOS)}", file=sys.stderr)
        return 2
    with AikidoEmulator(scenario) as emulator, tempfile.TemporaryDirectory() as scratch:
        inputs = {
            "secret-key": EMULATOR_KEY,
            "api-base-url": emulator.url,
            "poll-interval-seconds": "1",
            "timeout-seconds": "8",
            "sarif-file": "aikido.sarif",
        }
        print(f"== scenario {scenario}: Aikido emulator at {emulator.url}; running entrypoint.py as the runner would\n")
        run = run_action(
            Path(scratch), event_name="pull_request", payload=json.loads(PAYLOAD.read_text()), inputs=inputs
        )
        sarif = Path(scratch) / "workspace" / "aikido.sarif"
        sarif_text = sarif.read_text() if sarif.is_file() else "(not written)\n"
    print(run.stdout, end="")
    print(run.stderr, end="", file=sys.stderr)
    print(f"\n== exit code {run.returncode}\n== outputs")
    for name, value in run.outputs.items():
        print(f"  {name}={value}")
    print("== job summary\n" + run.summary)
    print("== aikido.sarif (sarif-file, for github/codeql-action/upload-sarif)\n" + sarif_text)
    # The action's own exit code, so `scripts/demo fail; echo $?` shows what the step would do.
    return run.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
