"""Adaptive Cards checked by Microsoft's `adaptivecards` library (npm), run in Node: what it reports, in a list.

The package is installed once per test session into a temporary folder (npm's registry, the exact
version below). Nothing is skipped: without Node.js and npm the test fails and says so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ADAPTIVECARDS = "adaptivecards@3.0.6"
SCRIPT = Path(__file__).with_name("adaptive_card.js")


class AdaptiveCards:
    """The library installed in `folder`; `problems(card)` lists what it reports of a card."""

    def __init__(self, folder: Path) -> None:
        node, npm = shutil.which("node"), shutil.which("npm")
        assert node, "Node.js and npm are needed to check Teams' Adaptive Cards (tests/support/adaptive.py)"
        assert npm, "Node.js and npm are needed to check Teams' Adaptive Cards (tests/support/adaptive.py)"
        self._node = node
        subprocess.run(
            [npm, "install", "--ignore-scripts", "--no-audit", "--no-fund", "--silent", ADAPTIVECARDS],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=300,
        )
        self._script = folder / SCRIPT.name
        shutil.copy(SCRIPT, self._script)

    def check(self, card: dict[str, Any]) -> dict[str, Any]:
        """{"errors": [...], "version": "1.4"}: what the library made of the card."""
        done = subprocess.run(
            [self._node, str(self._script)],
            check=False,
            input=json.dumps(card),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        result: dict[str, Any] = json.loads(done.stdout)
        return result
