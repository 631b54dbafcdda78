"""`python -m emulator --scenario fail --port 8080`: serve the emulated Aikido CI API until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import threading

from emulator.aikido import EMULATOR_KEY, SCENARIOS, AikidoEmulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="pass")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--secret", default=EMULATOR_KEY, help="the key the emulator accepts")
    args = parser.parse_args()
    with AikidoEmulator(args.scenario, secret=args.secret, port=args.port) as emulator:
        print(f"Aikido CI API emulator ({args.scenario}) at {emulator.url}; Ctrl-C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
