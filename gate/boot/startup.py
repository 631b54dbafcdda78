"""Start-up without what a run never uses: modules our libraries import for features the action leaves alone.

pydantic-settings and httpx import some modules at their top for code a gate run never calls
(pydantic-settings' async CLI commands, httpx's non-ASCII host names), and pydantic reads the
metadata of every installed package in search of plugins (benchmarks/vs_cli.py's import
breakdown shows what each costs). `trim()`, called before those libraries are
imported, puts a stand-in for each such module in `sys.modules`: the first attribute anyone
reads from it imports the real module, which from then on is the one in `sys.modules` (the
stand-in forwards to it for modules that kept a reference). A library that does use one
still gets it, only when it needs it: nothing changes but when the import happens. A module
qualifies only if its import cannot fail (no `try: import` elsewhere would see a change),
the libraries import it as `import name`, and none touches it while importing;
tests/boot/test_startup.py checks the last for the whole start-up, in a fresh interpreter.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import types

# Each with the library that imports it and what for; neither is used on a gate run's way.
DEFERRED = (
    "asyncio",  # pydantic-settings: CliApp's async commands (with concurrent.futures)
    "idna",  # httpx: host names that are not ASCII
)

_lock = threading.Lock()


class _StandIn(types.ModuleType):
    """Imports the real module at the first attribute read (`__path__` included, for a submodule import)."""

    def __getattr__(self, attribute: str) -> object:
        with _lock:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)


def trim() -> None:
    """Stand-ins for the deferred modules not yet imported, and no pydantic plugin discovery."""
    for name in DEFERRED:
        sys.modules.setdefault(name, _StandIn(name))
    # Discovery reads the metadata of every installed package (none of which is a plugin), and a
    # plugin would see every validated input, the key included: none is wanted, ever.
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"


def pending() -> list[str]:
    """The deferred modules nobody has used yet (still stand-ins)."""
    return [name for name in DEFERRED if isinstance(sys.modules.get(name), _StandIn)]
