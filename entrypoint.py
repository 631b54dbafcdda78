"""The container's entry point: one run of the gate (gate.boot.wiring), its exit code the step's."""

from __future__ import annotations

import os
import sys

from gate.boot.wiring import main

if __name__ == "__main__":
    code = main()
    # Everything is written, flushed and closed: the interpreter's teardown (freeing what the run
    # loaded, ~75 ms) would only keep the step waiting.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
