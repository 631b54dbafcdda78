"""gate.core.wording: a handful of names, then a count."""

from __future__ import annotations

from gate.core.wording import a_few


class TestAFew:
    """a_few"""

    def test_a_handful_then_a_count(self) -> None:
        assert a_few([f"n{index}" for index in range(300_000)]) == "n0, n1, n2, n3, n4 and 299995 more"

    def test_few_names_are_all_shown(self) -> None:
        assert a_few(["a", "b"]) == "a, b"
        assert a_few([]) == ""

    def test_long_names_are_cut_and_left_out_names_counted(self) -> None:
        assert a_few(["x" * 100], more=3, width=10) == "xxxxxxxxx… and 3 more"
