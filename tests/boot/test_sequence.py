"""gate.boot.sequence: the TLS context is started aside only when Aikido will be reached over https."""

from __future__ import annotations

import threading

import pytest

from gate.boot.sequence import warm_tls
from gate.net.tls import Tls


@pytest.mark.parametrize(
    ("base", "warmed"),
    [
        ("", True),
        ("https://app.us.aikido.dev", True),
        (" HTTPS://x.example ", True),
        ("http://127.0.0.1:9", False),
    ],
)
def test_tls_is_warmed_when_aikido_will_be_over_https(base: str, warmed: bool) -> None:
    """Aikido's own hosts (the default, an empty input) are https; only the emulator is reached over plain http."""
    tls = SpyTls()
    assert warm_tls(base, tls) is warmed
    assert tls.asked == ([True] if warmed else [])


class SpyTls(Tls):
    """A Tls that notes when it is asked to build aside, and builds nothing."""

    def __init__(self) -> None:
        super().__init__({})
        self.asked: list[bool] = []

    def build_aside(self) -> threading.Thread:
        self.asked.append(True)
        return threading.Thread()
