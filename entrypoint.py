"""The container's entry point: the boot sequence, then one run (gate.boot.wiring), then the exit.

The boot sequence comes before the run's modules are even imported: it pauses the collector
and starts the upload workers and the TLS context, which then overlap with those imports. So
this module imports only the boot sequence at its top.
"""

from __future__ import annotations

from typing import NoReturn

from gate.boot.sequence import boot


def start() -> NoReturn:
    """Boot, run the gate once, and end the process with the run's exit code."""
    booted = boot()
    from gate.boot import wiring  # noqa: PLC0415 -- after boot(): see the module's docstring

    wiring.finish(wiring.main(booted), booted)


if __name__ == "__main__":
    start()
