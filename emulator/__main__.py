"""Serve the emulated Aikido CI API on loopback until Ctrl-C, to point your own runs of the action at.

A run reaches it with `api-base-url: http://127.0.0.1:PORT` (plain http is accepted for loopback only)
and `secret-key` set to the key below. The runner's variables the action reads are GITHUB_EVENT_NAME,
GITHUB_EVENT_PATH (a webhook payload; tests/samples has one per event), GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY (files), GITHUB_WORKSPACE, GITHUB_SHA, GITHUB_REF, GITHUB_REPOSITORY and
GITHUB_API_URL, and each input as INPUT_<NAME> with its hyphens kept (INPUT_SECRET-KEY);
emulator/runner.py lays all of that out, as `scripts/demo` does.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading

from emulator.aikido import EMULATOR_KEY, SCENARIOS, AikidoEmulator


def port(text: str) -> int:
    """A TCP port number, 0 to 65535 (0: the system picks a free one)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give 1 to 65535, or 0 for a free one")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scenario", choices=sorted(SCENARIOS), default="pass", help="how scans behave (default: pass)"
    )
    parser.add_argument("--port", type=port, default=8080, help="loopback port (default: 8080; 0 picks a free one)")
    parser.add_argument(
        "--secret", default=EMULATOR_KEY, help=f"the only key the emulator accepts (default: {EMULATOR_KEY})"
    )
    args = parser.parse_args()
    try:
        emulator = AikidoEmulator(args.scenario, secret=args.secret, port=args.port)
    except OSError as error:
        sys.exit(
            f"cannot listen on 127.0.0.1:{args.port} ({error.strerror}): another program uses it; "
            "pick another port with --port, or --port 0 for a free one"
        )
    with emulator:
        print(f"Aikido CI API emulator ({args.scenario}) at {emulator.url}; Ctrl-C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
