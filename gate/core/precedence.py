"""The policy settings and where each comes from: an input the workflow gives > a policy profile > the default.

Every run follows this, with or without a policy file (without one, inputs over defaults); the
file itself, its profiles and rules, is `gate.core.policy`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Settings:
    """The policy settings a run follows: what an input or a profile may give, each setting by its input's name.

    The one list of them: an input or a profile gives some (`Given`, keyed by these field names), and
    `effective` fills the rest from DEFAULTS.
    """

    minimum_severity: str
    fail_on_dependency_scan: bool
    fail_on_sast_scan: bool
    fail_on_iac_scan: bool
    fail_on_secrets_scan: bool
    fail_on_timeout: bool
    report_only: bool
    release_gating: bool
    timeout_seconds: int

    def items(self) -> Iterator[tuple[str, Any]]:
        return ((item.name, getattr(self, item.name)) for item in fields(self))

    @property
    def fails_on_nothing(self) -> bool:
        return not (
            self.fail_on_dependency_scan or self.fail_on_sast_scan or self.fail_on_iac_scan or self.fail_on_secrets_scan
        )


# What one source (the inputs, a profile) gives: some settings, by their field names.
Given = Mapping[str, Any]


# What a run does when neither an input nor a profile says otherwise (action.yml's descriptions say the same).
DEFAULTS = Settings(
    minimum_severity="CRITICAL",
    fail_on_dependency_scan=True,
    fail_on_sast_scan=False,
    fail_on_iac_scan=False,
    fail_on_secrets_scan=False,
    fail_on_timeout=True,
    report_only=False,
    release_gating=False,
    timeout_seconds=300,
)
# Each setting as the workflow's inputs name it.
INPUT_NAMES = {item.name: item.name.replace("_", "-") for item in fields(Settings)}


@dataclass(frozen=True)
class Effective:
    """Every setting's value and where it came from: input, profile or default."""

    settings: Settings
    sources: Mapping[str, str]


def effective(given: Given, profile: Given | None) -> Effective:
    """An input given in the workflow > the chosen profile's settings > the built-in default, setting by setting."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    layers = (("input", given), ("profile", profile or {}), ("default", dict(DEFAULTS.items())))
    for name, _ in DEFAULTS.items():
        source, layer = next((source, layer) for source, layer in layers if layer.get(name) is not None)
        values[name], sources[name] = layer[name], source
    return Effective(Settings(**values), sources)


@dataclass(frozen=True)
class PolicyReport:
    """What the summary says of the policy: the file, where it was read, the profile and why, each setting's source."""

    source: str
    read_at: str
    profile: str | None
    why: str
    # (setting, value, source) for every policy setting, in Settings' order.
    rows: tuple[tuple[str, Any, str], ...] = ()


# The inputs that serve only the policy file, and what each is for.
POLICY_INPUTS = {
    "policy-profile": "names a profile of the policy file",
    "policy-token": "reads the policy file",
    "communicator-webhook-url": "is where the policy file's automation rules post",
}


def idle_input(name: str) -> str:
    """The warning for an input of POLICY_INPUTS given without policy-file; names it, never its value."""
    return f"{name} is set but policy-file is empty: {name} {POLICY_INPUTS[name]}; set policy-file or remove {name}"
