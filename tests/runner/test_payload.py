"""gate.runner.payload: the event payload's file, read within GitHub's limit (its parsing: tests/core/test_event.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.core.errors import EventError
from gate.core.event import PAYLOAD_LIMIT
from gate.runner.payload import load_payload


class TestLoadPayload:
    """load_payload"""

    def test_reads_a_json_object(self, tmp_path: Path) -> None:
        path = tmp_path / "event.json"
        path.write_text(json.dumps({"a": 1}))
        assert load_payload(path) == {"a": 1}

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (None, "cannot read the event payload at GITHUB_EVENT_PATH"),
            ("{not json", "the event payload at GITHUB_EVENT_PATH is not valid JSON"),
        ],
    )
    def test_bad_payload(self, tmp_path: Path, content: str | None, message: str) -> None:
        path = tmp_path / "event.json"
        if content is not None:
            path.write_text(content)
        with pytest.raises(EventError, match=message):
            load_payload(path)

    def test_a_missing_file_is_named(self, tmp_path: Path) -> None:
        path = tmp_path / "gone.json"
        with pytest.raises(EventError) as caught:
            load_payload(path)
        assert str(caught.value).startswith(
            f'cannot read the event payload at GITHUB_EVENT_PATH "{path}" (No such file or directory): '
        )

    def test_unset_path(self) -> None:
        with pytest.raises(EventError, match="GITHUB_EVENT_PATH is not set"):
            load_payload(None)

    def test_a_file_past_the_limit_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "event.json"
        with path.open("wb") as handle:
            handle.truncate(PAYLOAD_LIMIT + 100)
        with pytest.raises(EventError, match="larger than GitHub ever sends"):
            load_payload(path)
