"""The boot sequence: what a run does first, in this order, before the libraries it needs are imported.

1. The collector is paused: start-up allocates tens of thousands of objects that live as long
   as the run, and collecting them while importing only costs time (`main` freezes them and
   turns it back on).
2. Modules the libraries import for features a run never uses get stand-ins (gate.boot.startup).
3. The signal handlers: a cancellation during anything after this (expanding upload patterns,
   a hung request) ends the step at once, saying what is true and leaving outcome=CANCELLED.
4. Validation of the files to upload starts on the other cores (gate.boot.prefetch).
5. httpx is imported and, when Aikido is reached over https, the TLS context is built on a thread
   while pydantic-settings is imported (by `main`, next).

What it prepares is returned, and passed on by the entry point: nothing here is a global.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gate.boot import startup

if TYPE_CHECKING:
    from gate.boot.prefetch import Prefetch
    from gate.flow.state import RunState
    from gate.net.tls import Tls


@dataclass(frozen=True, eq=False)  # what one process prepared, compared as itself
class Booted:
    """What the boot sequence prepared: the run's state (which the signal handlers read) and the prefetch."""

    state: RunState
    prefetch: Prefetch | None
    tls: Tls


def boot(environ: Mapping[str, str] = os.environ) -> Booted:
    """Run the boot sequence; only the action's own process calls this (it changes process-wide state)."""
    gc.disable()
    startup.trim()
    # Each step's modules are imported when its turn comes: none before the collector is paused.
    from gate.boot import prefetch  # noqa: PLC0415 -- the boot sequence's order
    from gate.flow.state import RunState  # noqa: PLC0415 -- the boot sequence's order
    from gate.runner import cancel  # noqa: PLC0415 -- the boot sequence's order

    state = RunState()
    cancel.install(state)
    started = prefetch.start(environ)
    from gate.net.tls import Tls  # noqa: PLC0415 -- httpx now, so the TLS context is built during the next imports

    tls = Tls(environ)
    warm_tls(prefetch.raw_input(environ, API_BASE_INPUTS), tls)
    return Booted(state, started, tls)


# The input as the runner passes it (both spellings, as gate.boot.settings reads it).
API_BASE_INPUTS = ("INPUT_API-BASE-URL", "INPUT_API_BASE_URL")


def warm_tls(api_base_url: str, tls: Tls) -> bool:
    """Start building the TLS context when Aikido will be reached over https (its own hosts, the default).

    Call it once httpx is imported and before the long imports: they hide the loading of the CA
    bundle. A plain-http `api-base-url` (the emulator) needs no context; a wrong guess costs a
    context built for nothing, and a failure is met again, and reported, by the client itself.
    """
    base = api_base_url.strip()
    if base and not base.lower().startswith("https://"):
        return False
    tls.build_aside()
    return True
