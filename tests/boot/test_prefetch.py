"""gate.boot.prefetch: workers validate the upload files early; an answer counts only for the very file read."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gate.boot import prefetch
from gate.boot.prefetch import Prefetch, planned_files
from gate.core.errors import ConfigError
from gate.uploads import inspect as json_inspect
from gate.uploads.files import collect
from gate.uploads.inspect import inspect_json

SYFT = {"source": {"name": "ghcr.io/o/web:1"}, "descriptor": {"name": "syft"}}


def sbom(path: Path, count: int = 300) -> Path:
    path.write_text(json.dumps({"artifacts": [{"id": n, "name": f"é-{n}"} for n in range(count)], **SYFT}))
    return path


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[Prefetch]]:
    made: list[Prefetch] = []
    yield made
    for running in made:
        running.close()


def start(started: list[Prefetch], tmp_path: Path, **inputs: str) -> Prefetch:
    environ = {f"INPUT_{name.upper().replace('_', '-')}": value for name, value in inputs.items()}
    running = prefetch.start(environ | {"GITHUB_WORKSPACE": str(tmp_path)})
    assert running is not None
    started.append(running)
    return running


def test_nothing_to_upload_starts_nothing() -> None:
    assert prefetch.start({"INPUT_SBOM-FILES": "  \n", "GITHUB_WORKSPACE": "/nowhere"}) is None


def test_the_workers_answer_and_this_process_parses_nothing(
    tmp_path: Path, parsed_here: list[tuple[int, int]], started: list[Prefetch]
) -> None:
    big, small = sbom(tmp_path / "big.json", 2000), sbom(tmp_path / "small.json", 3)
    running = start(started, tmp_path, sbom_files="web=big.json\napi=small.json")
    facts = [running.inspect(big), running.inspect(small)]
    assert parsed_here == []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_inspect, "SPLIT_FROM", 1 << 62)
        assert facts == [inspect_json(big), inspect_json(small)]


def test_collect_with_the_workers_matches_collect_without(tmp_path: Path, started: list[Prefetch]) -> None:
    sbom(tmp_path / "a.json")
    running = start(started, tmp_path, sbom_files="web=*.json")
    assert collect("web=*.json", "", tmp_path, running.inspect) == collect("web=*.json", "", tmp_path)


def test_a_file_changed_since_is_read_again(
    tmp_path: Path, parsed_here: list[tuple[int, int]], started: list[Prefetch]
) -> None:
    path = sbom(tmp_path / "a.json")
    running = start(started, tmp_path, sbom_files="web=a.json")
    sbom(tmp_path / "b.json", 5).replace(path)  # another file now has that name
    assert running.inspect(path).size == path.stat().st_size
    assert parsed_here  # read again, by inspect_json


def test_an_invalid_file_gets_the_real_error(tmp_path: Path, started: list[Prefetch]) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"artifacts": [1,], "descriptor": {}}')
    running = start(started, tmp_path, checkov_sarif_files="a.json")
    with pytest.raises(ValueError, match="is not valid JSON"):
        running.inspect(path)


def test_entries_collect_would_refuse_are_never_read(tmp_path: Path) -> None:
    outside = sbom(tmp_path / "outside.json")
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "link.json").symlink_to(outside)
    (workspace / "empty.json").write_text("")
    sbom(workspace / "ok.json")
    planned = planned_files("a=../outside.json\nb=link.json\nc=empty.json\nd=missing.json", "ok.json", workspace)
    assert planned == [(workspace / "ok.json").resolve()]
    with pytest.raises(ConfigError, match="outside the workspace"):
        collect("a=../outside.json", "", workspace)


def test_close_stops_workers_still_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sbom(tmp_path / "a.json", 200_000)
    running = prefetch.start({"INPUT_SBOM-FILES": "web=a.json", "GITHUB_WORKSPACE": str(tmp_path)})
    assert running is not None
    pids = [worker.process.pid for worker in running._workers]
    running.close()
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped: no such child any more
