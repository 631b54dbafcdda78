"""The container's entry point: one run of the gate (gate.boot.wiring), its exit code the step's."""

from __future__ import annotations

from gate.boot.wiring import main

if __name__ == "__main__":
    raise SystemExit(main())
