"""The container's entry point: one run of the gate (gate.boot.wiring), its exit code the step's; or, given arguments
(`docker run IMAGE policy check FILE`), the command line for people who write policy files (gate.boot.cli)."""

from __future__ import annotations

import os
import sys

from gate.boot.wiring import main


def dispatch(argv: list[str]) -> int:
    """GitHub runs the action without arguments: the gate; anything else is the command line's to read."""
    if len(argv) <= 1:
        return main()
    from gate.boot.cli import main as command_line  # noqa: PLC0415 -- argparse and PyYAML only for the command line

    return command_line(argv[1:])


if __name__ == "__main__":
    code = dispatch(sys.argv)
    # Everything is written, flushed and closed: the interpreter's teardown (freeing what the run
    # loaded, ~75 ms) would only keep the step waiting.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
