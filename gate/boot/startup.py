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
and the libraries import it as `import name` and touch nothing in it while importing, or
take only functions from it (`from name import function`): those they get as forwarders that
import the real module when first called. tests/boot/test_startup.py checks, in a fresh
interpreter, that a whole run leaves every deferred module a stand-in.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import types
from collections.abc import Callable

# Each with the library that imports it and what for; none is used on a gate run's way.
DEFERRED = (
    "asyncio",  # pydantic-settings: CliApp's async commands (with concurrent.futures)
    "idna",  # httpx: host names that are not ASCII
    "importlib.metadata",  # pydantic: plugin discovery (off, see trim) and version reports; with zipfile
    "dotenv",  # pydantic-settings: .env files (gate.boot.settings reads the environment only)
    "mimetypes",  # httpx: guessing an uploaded file's type from its name
    "calendar",  # http.cookiejar and email: the dates of cookies and mail headers
)
# The functions libraries take from a deferred module at their top (`from name import function`).
FORWARDED = {
    "importlib.metadata": frozenset({"entry_points", "version", "distribution", "distributions"}),
    "dotenv": frozenset({"dotenv_values"}),
    "calendar": frozenset({"timegm"}),
}

_lock = threading.Lock()


def _real(name: str) -> types.ModuleType:
    """The real module `name`, imported now if only its stand-in was there."""
    with _lock:
        if isinstance(sys.modules.get(name), _StandIn):
            del sys.modules[name]
    return importlib.import_module(name)


def _forwarder(module: str, function: str) -> Callable[..., object]:
    """`module.function`, imported when first called."""

    def forward(*args: object, **kwargs: object) -> object:
        return getattr(_real(module), function)(*args, **kwargs)

    forward.__name__ = forward.__qualname__ = function
    return forward


class _StandIn(types.ModuleType):
    """Imports the real module at the first attribute read (`__path__` included, for a submodule import).

    A function named in FORWARDED is handed out as a forwarder instead, so `from module import f`
    imports nothing until `f` is called; such a module is no package while it stands in.
    """

    def __getattr__(self, attribute: str) -> object:
        forwarded = FORWARDED.get(self.__name__)
        if forwarded is not None:
            if attribute in forwarded:
                return _forwarder(self.__name__, attribute)
            if attribute == "__path__":
                # Not a package while it stands in: `from module import f` then reads `f`, and
                # never first looks for a submodule `f`, which would import the real module.
                raise AttributeError(attribute)
        return getattr(_real(self.__name__), attribute)


def trim() -> None:
    """Stand-ins for the deferred modules not yet imported, and no pydantic plugin discovery."""
    for name in DEFERRED:
        if name in sys.modules:
            continue
        stand_in = sys.modules[name] = _StandIn(name)
        # `import package.name` finds it in sys.modules and reads it from the package, as the import sets it.
        package, _, child = name.rpartition(".")
        if package:
            setattr(importlib.import_module(package), child, stand_in)
    # Discovery reads the metadata of every installed package (none of which is a plugin), and a
    # plugin would see every validated input, the key included: none is wanted, ever.
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"


def pending() -> list[str]:
    """The deferred modules nobody has used yet (still stand-ins)."""
    return [name for name in DEFERRED if isinstance(sys.modules.get(name), _StandIn)]
