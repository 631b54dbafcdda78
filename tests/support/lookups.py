"""The GitHub look-ups the gate may need, answered without GitHub and counted."""

from __future__ import annotations


class FakeLookups:
    """Answers the GitHub look-ups and counts them."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def parent_of(self, sha: str) -> str:
        self.calls.append(f"parent_of {sha}")
        return "1" * 40

    def repository_node_id(self) -> str:
        self.calls.append("repository_node_id")
        return "R_fromApi"
