"""gate.uploads.inspect: proven pieces checked by msgspec, else one ijson pass; both learn the same facts."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from gate.uploads import inspect as json_inspect
from gate.uploads.inspect import JsonFacts, inspect_json
from tests.conftest import SAMPLES
from tests.uploads.grown import grown_checkov, grown_syft, write

ONE_PASS = json_inspect.streamed  # as it is, whatever a test spies on
SYFT_TAIL = {"source": {"name": "web", "metadata": {"tags": ["ghcr.io/o/web:1"]}}, "descriptor": {"name": "syft"}}


def artifact(n: int) -> dict[str, Any]:
    """Shaped like Syft's: lists of objects inside, so most `}, {` are not between artifacts."""
    return {
        "id": f"{n:016x}",
        "name": f"pkg-é-{n} 🐍",
        "locations": [{"path": f"/a/{n}", "layerID": "sha256:1"}, {"path": f"/b/{n}"}],
        "cpes": [{"cpe": f"cpe:2.3:a:{n}", "source": "nvd"} for _ in range(n % 4)],
        "text": 'a "quoted"\n\tline',
    }


def syft(count: int, **extra: Any) -> dict[str, Any]:
    relationships = [{"parent": f"{n:016x}", "child": f"{n + 1:016x}", "type": "contains"} for n in range(count)]
    return {
        "artifacts": [artifact(n) for n in range(count)],
        "artifactRelationships": relationships,
        **extra,
        **SYFT_TAIL,
    }


def save(tmp_path: Path, document: Any, *, name: str = "doc.json", indent: int | None = None) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False, indent=indent), encoding="utf-8")
    return path


def streaming(path: Path) -> JsonFacts:
    """The facts from ijson's one pass, to compare the pieces' with."""
    with path.open("rb") as handle:
        return ONE_PASS(handle, path.stat().st_size)


@pytest.fixture
def streamed_here(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the files that went to ijson's pass."""
    seen: list[int] = []
    real = json_inspect.streamed

    def spy(handle: BinaryIO, size: int) -> JsonFacts:
        seen.append(size)
        return real(handle, size)

    monkeypatch.setattr(json_inspect, "streamed", spy)
    return seen


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pieces of a few hundred bytes, so a small file is cut many times; the pieces' sizes, as decoded."""
    monkeypatch.setattr(json_inspect, "PIECE", 1500)
    monkeypatch.setattr(json_inspect, "SMALL", 200)
    monkeypatch.setattr(json_inspect, "WINDOW", 800)
    decoded: list[int] = []
    real = json_inspect._decode

    def spy(document: memoryview) -> Any:
        root = real(document)
        if root is not None:
            decoded.append(len(document))
        return root

    monkeypatch.setattr(json_inspect, "_decode", spy)
    return decoded


@pytest.fixture
def tried_in_vain(small_pieces: list[int], monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many pieces failed to decode (a cut tried in the wrong place)."""
    failed = [0]
    real = json_inspect._decode

    def spy(document: memoryview) -> Any:
        root = real(document)
        failed[0] += root is None
        return root

    monkeypatch.setattr(json_inspect, "_decode", spy)
    return failed


def escaped(path: Path) -> int:
    return len(json.dumps(path.read_bytes().decode(), ensure_ascii=False).encode()) - 2


class TestInPieces:
    """inspect_json, in proven pieces"""

    @pytest.mark.parametrize("indent", [None, 2])
    def test_pieces_learn_what_one_pass_learns(
        self,
        tmp_path: Path,
        small_pieces: list[int],
        tried_in_vain: list[int],
        streamed_here: list[int],
        indent: int | None,
    ) -> None:
        path = save(tmp_path, syft(300), indent=indent)
        facts = inspect_json(path)
        assert streamed_here == []
        assert len(small_pieces) > 20  # cut many times, between artifacts and between relationships
        assert tried_in_vain[0] < len(small_pieces)  # most cuts found where the next artifact begins like the last
        assert facts == streaming(path)
        assert facts.top_keys == {"artifacts", "artifactRelationships", "source", "descriptor"}
        assert facts.strings == {
            "descriptor.name": "syft",
            "source.name": "web",
            "source.metadata.tags.item": "ghcr.io/o/web:1",
        }
        assert (facts.size, facts.escaped_size) == (path.stat().st_size, escaped(path))

    @pytest.mark.parametrize("name", ["syft-dir.json", "syft-image.json", "checkov.sarif", "ruff.sarif"])
    def test_real_outputs(self, name: str, streamed_here: list[int]) -> None:
        path = SAMPLES / "uploads" / name
        assert inspect_json(path) == streaming(path)
        assert inspect_json(path).escaped_size == escaped(path)
        assert streamed_here == []

    def test_real_syft_output_grown(
        self, tmp_path: Path, small_pieces: list[int], streamed_here: list[int], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name, size in (("PIECE", 8000), ("SMALL", 1000), ("WINDOW", 6000)):  # its artifacts are of 4 KB
            monkeypatch.setattr(json_inspect, name, size)
        path = write(tmp_path / "grown.json", grown_syft(200_000))
        assert inspect_json(path) == streaming(path)
        assert streamed_here == []
        assert len(small_pieces) > 20

    @pytest.mark.parametrize(
        "middle",
        [
            {"note": '}, {"id": "0"}, {' * 300},  # a cut that looks right, inside a string
            {"id": "x", "nested": [{"id": n} for n in range(300)]},  # ... inside an array inside an artifact
            [[{"id": n} for n in range(300)]],  # ... inside an array inside the array
        ],
    )
    def test_cuts_in_the_wrong_places_are_caught(
        self, tmp_path: Path, small_pieces: list[int], middle: Any, streamed_here: list[int]
    ) -> None:
        document = syft(200)
        document["artifacts"][50:50] = [middle] * 3
        path = save(tmp_path, document)
        facts = inspect_json(path)
        assert facts == streaming(path)
        assert facts.escaped_size == escaped(path)

    def test_a_cut_never_hides_which_runs_name_which_tools(
        self, tmp_path: Path, small_pieces: list[int], streamed_here: list[int]
    ) -> None:
        runs = [{"tool": {"driver": {"name": f"tool-{n % 7}"}}, "results": [{"ruleId": "x"}] * 20} for n in range(40)]
        path = save(tmp_path, {"version": "2.1.0", "runs": runs, "x": [{"tool": {"driver": {"name": "no"}}}] * 40})
        facts = inspect_json(path)
        assert streamed_here == [path.stat().st_size]
        assert (facts.tools.names, facts.tools.others, facts.runs_is_array) == (
            [f"tool-{n}" for n in range(5)],
            10,
            True,
        )

    def test_a_real_checkov_output_grown(self, tmp_path: Path, small_pieces: list[int]) -> None:
        path = write(tmp_path / "grown.sarif", grown_checkov(20_000), pretty=True)
        facts = inspect_json(path)
        assert facts == streaming(path)
        assert (facts.strings["version"], facts.runs_is_array, facts.tools.names) == ("2.1.0", True, ["Checkov"])


class TestStreamed:
    """inspect_json, when the pieces cannot answer: ijson's one pass does"""

    @pytest.mark.parametrize(
        "text",
        [
            json.dumps([{"id": n} for n in range(400)]),  # a root array
            json.dumps(syft(100))[:-1] + ', "deep": ' + "[" * 500 + "]" * 500 + "}",  # nesting msgspec takes...
            json.dumps(syft(100))[:-1] + ', "deep": ' + "[" * 1100 + "]" * 1100 + "}",  # ...and nesting it does not
        ],
    )
    def test_what_msgspec_does_not_take(self, tmp_path: Path, small_pieces: list[int], text: str) -> None:
        path = tmp_path / "doc.json"
        path.write_text(text, encoding="utf-8")
        facts = inspect_json(path)
        assert facts == streaming(path)
        assert facts.escaped_size == escaped(path)

    def test_a_lone_surrogate_escape_is_valid_json(self, tmp_path: Path, streamed_here: list[int]) -> None:
        path = tmp_path / "doc.json"
        path.write_text(json.dumps(syft(10, note="\ud800")), encoding="utf-8")
        assert '"\\ud800"' in path.read_text()
        assert inspect_json(path) == streaming(path)
        assert streamed_here == [path.stat().st_size]


class TestInvalid:
    """inspect_json on what is not UTF-8 JSON: the same error whichever way it is read"""

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b'{"a": 1,}', "is not valid JSON"),
            (b'{"a": 1} {"b": 2}', "is not valid JSON"),
            (b'{"a": "\xff"}', r"is not UTF-8 text \(at byte 7\)"),
            (b'{"a": "\xc3"}', r"is not UTF-8 text \(at byte 7\)"),
            (b'\xef\xbb\xbf{"a": 1}', "is not valid JSON"),
        ],
    )
    def test_small(self, tmp_path: Path, content: bytes, message: str) -> None:
        path = tmp_path / "x.json"
        path.write_bytes(content)
        with pytest.raises(ValueError, match=message):
            inspect_json(path)

    @pytest.mark.parametrize("where", [0.1, 0.5, 0.97])
    def test_invalid_json_in_any_piece(self, tmp_path: Path, small_pieces: list[int], where: float) -> None:
        data = json.dumps(syft(200)).encode()
        at = data.index(b'"', int(len(data) * where))
        path = tmp_path / "doc.json"
        path.write_bytes(data[:at] + b"," + data[at:])
        with pytest.raises(ValueError, match="is not valid JSON"):
            inspect_json(path)

    @pytest.mark.parametrize("where", [0.1, 0.5, 0.97])
    # 5: the pieces' reads cut characters before and after the bad byte (ijson meets it itself then).
    @pytest.mark.parametrize(("root", "chunk"), [("object", 5), ("object", 1 << 18), ("array", 1 << 18)])
    def test_invalid_utf8_names_its_offset(
        self,
        tmp_path: Path,
        small_pieces: list[int],
        monkeypatch: pytest.MonkeyPatch,
        *,
        where: float,
        root: str,
        chunk: int,
    ) -> None:
        monkeypatch.setattr(json_inspect, "CHUNK", chunk)
        document = syft(200) if root == "object" else syft(200)["artifacts"]
        data = json.dumps(document, ensure_ascii=False).encode()
        at = data.index(b': "', int(len(data) * where)) + 3  # inside a string value
        path = tmp_path / "doc.json"
        path.write_bytes(data[:at] + "é".encode()[:1] + data[at:])  # a character cut short
        with pytest.raises(ValueError, match=rf"is not UTF-8 text \(at byte {at}\)"):
            inspect_json(path)


@pytest.mark.parametrize("seed", range(6))
def test_mangled_files_get_the_answer_one_pass_gives(tmp_path: Path, small_pieces: list[int], seed: int) -> None:
    """Whatever a byte changed, deleted or added does, the pieces accept a file only as ijson does."""
    rng = random.Random(seed)
    data = json.dumps(syft(60), ensure_ascii=False, indent=rng.choice([None, 1])).encode()
    path = tmp_path / "doc.json"
    for _ in range(40):
        at = rng.randrange(len(data))
        path.write_bytes(data[:at] + rng.choice([b"", b",", b"}", b"]", b'"', b"\\", b"{", b"\x01"]) + data[at + 1 :])
        try:
            expected: Any = streaming(path)
        except ValueError as error:
            expected = str(error)
        try:
            got: Any = inspect_json(path)
        except ValueError as error:
            got = str(error)
        assert got == expected
