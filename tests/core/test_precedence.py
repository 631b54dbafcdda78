"""gate.core.precedence: an input the workflow gives > a policy profile > the built-in default, setting by setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.core.precedence import DEFAULTS, INPUT_NAMES, POLICY_INPUTS, effective, idle_input

ACTION_YML = (Path(__file__).parents[2] / "action.yml").read_text()


class TestSettings:
    """Settings, DEFAULTS and INPUT_NAMES"""

    def test_items_are_every_setting_in_order(self) -> None:
        assert [name for name, _ in DEFAULTS.items()] == list(INPUT_NAMES)

    def test_each_setting_is_an_input_of_action_yml(self) -> None:
        assert [name for name in INPUT_NAMES.values() if f"\n  {name}:\n" not in ACTION_YML] == []

    def test_fails_on_nothing_only_without_any_fail_on(self) -> None:
        assert DEFAULTS.fails_on_nothing is False
        chosen = effective({"fail_on_dependency_scan": False}, None).settings
        assert chosen.fails_on_nothing is True


class TestEffective:
    """effective"""

    def test_an_input_wins_over_the_profile_which_wins_over_the_default(self) -> None:
        chosen = effective({"timeout_seconds": 120}, {"timeout_seconds": 600, "minimum_severity": "HIGH"})
        assert (chosen.settings.timeout_seconds, chosen.sources["timeout_seconds"]) == (120, "input")
        assert (chosen.settings.minimum_severity, chosen.sources["minimum_severity"]) == ("HIGH", "profile")
        assert (chosen.settings.fail_on_timeout, chosen.sources["fail_on_timeout"]) == (True, "default")

    def test_false_is_given_not_missing(self) -> None:
        chosen = effective({"fail_on_dependency_scan": False}, None)
        assert (chosen.settings.fail_on_dependency_scan, chosen.sources["fail_on_dependency_scan"]) == (False, "input")

    def test_nothing_given_is_the_defaults(self) -> None:
        chosen = effective({}, None)
        assert (chosen.settings, set(chosen.sources.values())) == (DEFAULTS, {"default"})


class TestIdleInput:
    """idle_input"""

    @pytest.mark.parametrize("name", sorted(POLICY_INPUTS))
    def test_names_the_input_and_what_it_is_for_never_its_value(self, name: str) -> None:
        assert idle_input(name) == (
            f"{name} is set but policy-file is empty: {name} {POLICY_INPUTS[name]}; set policy-file or remove {name}"
        )
        assert f"\n  {name}:\n" in ACTION_YML
