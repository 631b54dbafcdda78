"""gate.boot.errors: what stops a run while it is put together ends it as ERROR, its problems kept one by one."""

from __future__ import annotations

from gate.boot.errors import InputsWrong, RunStopped
from gate.core.errors import ConfigError, GateError
from gate.core.verdict import Problems


def test_wrong_inputs_keep_each_problem_and_the_rest() -> None:
    wrong = InputsWrong("2 inputs are wrong: a; b", ("a", "b"), rest={"policy_file": "p.yml"})
    assert (str(wrong), wrong.problems, wrong.rest) == (
        "2 inputs are wrong: a; b",
        ("a", "b"),
        {"policy_file": "p.yml"},
    )
    assert isinstance(wrong, ConfigError)


def test_a_stopped_run_is_an_error_with_its_problems_grouped() -> None:
    groups = (Problems(None, ("input x: bad",)), Problems("p.yml", ("line 2: version: must be 1",)))
    stopped = RunStopped("input x: bad; and p.yml has 1 problem", groups)
    assert isinstance(stopped, GateError)
    assert [group.source for group in stopped.problems] == [None, "p.yml"]
