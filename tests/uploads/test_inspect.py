"""gate.uploads.inspect: one pass, or two halves in two processes whose split is proven before it is trusted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gate.uploads import inspect as json_inspect
from gate.uploads.inspect import inspect_json, split_point
from tests.conftest import SAMPLES

SYFT_TAIL = {"source": {"name": "web", "metadata": {"tags": ["ghcr.io/o/web:1"]}}, "descriptor": {"name": "syft"}}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "doc.json"
    path.write_text(text, encoding="utf-8")
    return path


def sbom(artifacts: list[Any]) -> str:
    return json.dumps({"artifacts": artifacts, **SYFT_TAIL}, ensure_ascii=False)


def one_pass(path: Path, monkeypatch: pytest.MonkeyPatch) -> json_inspect.JsonFacts:
    with monkeypatch.context() as patch:
        patch.setattr(json_inspect, "SPLIT_FROM", 1 << 62)
        return inspect_json(path)


class TestHalves:
    def test_two_halves_learn_what_one_pass_learns(
        self, tmp_path: Path, parsed_here: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = write(tmp_path, sbom([{"id": n, "name": f"pkg-é-{n}", "text": 'a "quoted"\n'} for n in range(400)]))
        facts = inspect_json(path)
        size = path.stat().st_size
        split = split_point(path, size)
        assert split is not None
        assert parsed_here == [(split + 1, size)]  # the first half went to the child, and no second pass was needed
        assert facts == one_pass(path, monkeypatch)
        assert facts.top_keys == {"artifacts", "source", "descriptor"}
        assert (facts.size, facts.escaped_size) == (
            size,
            len(json.dumps(path.read_text(), ensure_ascii=False).encode()) - 2,
        )

    @pytest.mark.parametrize(
        "middle",
        [
            {"note": "},{" * 2000},  # the split lands inside a string
            {"nested": [{"a": n} for n in range(2000)]},  # ... or inside an array that is not the root's value
        ],
    )
    def test_a_wrong_split_is_caught_and_one_pass_answers(
        self, tmp_path: Path, parsed_here: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch, middle: Any
    ) -> None:
        path = write(tmp_path, sbom([{"id": 1}, middle, {"id": 2}]))
        facts = inspect_json(path)
        assert parsed_here[-1] == (0, path.stat().st_size)
        assert facts == one_pass(path, monkeypatch)

    @pytest.mark.parametrize("where", ["first", "second"])
    def test_invalid_json_in_either_half_is_an_error(
        self, tmp_path: Path, parsed_here: list[tuple[int, int]], where: str
    ) -> None:
        artifacts = [{"id": n} for n in range(400)]
        text = sbom(artifacts)
        broken = '{"id": 5}' if where == "first" else '{"id": 395}'
        path = write(tmp_path, text.replace(broken, '{"id": 5,}' if where == "first" else '{"id": 395,}'))
        with pytest.raises(ValueError, match="is not valid JSON"):
            inspect_json(path)

    def test_invalid_utf8_names_its_offset(self, tmp_path: Path, parsed_here: list[tuple[int, int]]) -> None:
        path = tmp_path / "doc.json"
        data = sbom([{"id": n} for n in range(400)]).encode()
        at = len(data) * 3 // 4
        path.write_bytes(data[:at] + b"\xff" + data[at + 1 :])
        with pytest.raises(ValueError, match=rf"is not UTF-8 text \(at byte {at}\)"):
            inspect_json(path)

    def test_a_root_array_is_never_split_wrongly(
        self, tmp_path: Path, parsed_here: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = write(tmp_path, json.dumps([{"id": n} for n in range(400)]))
        assert inspect_json(path) == one_pass(path, monkeypatch)
        assert parsed_here[-1] == (0, path.stat().st_size)

    def test_no_comma_between_objects_means_one_pass(self, tmp_path: Path, parsed_here: list[tuple[int, int]]) -> None:
        path = write(tmp_path, json.dumps({"a": "x" * 5000}))
        inspect_json(path)
        assert parsed_here == [(0, path.stat().st_size)]


class TestInspectJson:
    """inspect_json"""

    def test_measures_the_escaped_text(self, tmp_path: Path) -> None:
        path = tmp_path / "x.json"
        path.write_text('{"a": "é\\n\\"x\\"\\t", "b": ["✓"]}\n', encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        assert inspect_json(path).escaped_size == len(json.dumps(text, ensure_ascii=False).encode()) - 2

    def test_real_checkov_sarif(self) -> None:
        facts = inspect_json(SAMPLES / "uploads" / "checkov.sarif")
        assert (facts.strings["version"], facts.runs_is_array, facts.tools.names) == ("2.1.0", True, ["Checkov"])

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b'{"a": 1,}', "is not valid JSON"),
            (b'{"a": 1} {"b": 2}', "is not valid JSON"),
            (b'{"a": "\xff"}', "is not UTF-8 text"),
            (b'{"a": "\xc3"}', "is not UTF-8 text"),
        ],
    )
    def test_invalid(self, tmp_path: Path, content: bytes, message: str) -> None:
        path = tmp_path / "x.json"
        path.write_bytes(content)
        with pytest.raises(ValueError, match=message):
            inspect_json(path)
