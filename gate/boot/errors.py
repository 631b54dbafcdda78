"""What stops a run while it is put together: wrong inputs, and everything that stops it before any scan."""

from __future__ import annotations

from typing import Generic, TypeVar

from gate.core.errors import ConfigError
from gate.core.verdict import Problems

Rest = TypeVar("Rest")


class InputsWrong(ConfigError, Generic[Rest]):
    """Inputs are wrong: the message names each (`problems`, one each). `rest`: the inputs with the wrong ones at
    their defaults, when those that read the policy file are right, so its problems can be reported too."""

    def __init__(self, message: str, problems: tuple[str, ...], rest: Rest | None) -> None:
        super().__init__(message)
        self.problems = problems
        self.rest = rest


class RunStopped(ConfigError):
    """What stops the run before any scan, its problems grouped (inputs, policy file) to list one per line."""

    def __init__(self, message: str, problems: tuple[Problems, ...]) -> None:
        super().__init__(message)
        self.problems = problems


class UsageError(Exception):
    """The command line is wrong (gate.boot.cli): one line saying what, and the form to use; exit code 2."""
