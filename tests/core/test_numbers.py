"""gate.core.numbers: a count or a number of seconds from hostile text is ASCII digits, or nothing."""

from __future__ import annotations

import pytest

from gate.core.numbers import whole_number


@pytest.mark.parametrize(
    ("text", "want"),
    [("12", 12), (" 7 ", 7), ("0", 0), ("²", None), ("١٢", None), ("-1", None), ("1" * 40, None), ("", None),
     ("1.5", None), ("1_000", None), ("+3", None)],
)  # fmt: skip
def test_whole_number_takes_ascii_digits_only(text: str, want: int | None) -> None:
    assert whole_number(text) == want
