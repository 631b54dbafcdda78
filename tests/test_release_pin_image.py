"""release/pin_image.py: the release commit's action.yml names the pushed image by digest, nothing else changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from release.pin_image import PinError, docker_reference, main, pin

ROOT = Path(__file__).resolve().parent.parent
DIGEST = "sha256:" + "ab12" * 16
REFERENCE = f"ghcr.io/aikido-gate/aikido-gate@{DIGEST}"


class TestDockerReference:
    """docker_reference"""

    @pytest.mark.parametrize("given", [REFERENCE, f"docker://{REFERENCE}", f"  {REFERENCE}\n"])
    def test_accepts_a_digest_reference(self, given: str) -> None:
        assert docker_reference(given) == f"docker://{REFERENCE}"

    @pytest.mark.parametrize(
        "given",
        [
            "ghcr.io/aikido-gate/aikido-gate:v1.0.0",  # a tag can move
            "ghcr.io/aikido-gate/aikido-gate:v1.0.0@" + DIGEST,  # tag and digest: ambiguous to a reader
            "ghcr.io/aikido-gate/aikido-gate@sha256:abc",  # short digest
            "ghcr.io/aikido-gate/aikido-gate@sha512:" + "ab" * 64,
            "ghcr.io/Aikido-Gate/aikido-gate@" + DIGEST,  # upper case is not a valid repository
            "Dockerfile",
            "",
            f"{REFERENCE}\nimage: evil",
        ],
    )
    def test_refuses_anything_else(self, given: str) -> None:
        with pytest.raises(PinError, match="not an image reference by digest"):
            docker_reference(given)


class TestPin:
    """pin"""

    def test_changes_only_the_image_line_of_the_real_action_yml(self) -> None:
        original = (ROOT / "action.yml").read_text(encoding="utf-8")
        pinned = pin(original, REFERENCE)
        before, after = original.splitlines(keepends=True), pinned.splitlines(keepends=True)
        changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
        assert changed == [("  image: Dockerfile\n", f"  image: docker://{REFERENCE}\n")]

    def test_keeps_crlf_quotes_and_trailing_comment_elsewhere(self) -> None:
        text = "name: x\r\nruns:\r\n  using: docker\r\n  image: 'Dockerfile'\r\n  args: []\r\n# end\r\n"
        assert pin(text, REFERENCE) == (
            f"name: x\r\nruns:\r\n  using: docker\r\n  image: docker://{REFERENCE}\r\n  args: []\r\n# end\r\n"
        )

    def test_repins_a_pinned_file(self) -> None:
        other = "ghcr.io/aikido-gate/aikido-gate@sha256:" + "cd34" * 16
        once = pin("runs:\n  using: docker\n  image: Dockerfile\n", REFERENCE)
        assert pin(once, other) == f"runs:\n  using: docker\n  image: docker://{other}\n"

    def test_an_image_key_outside_runs_is_left_alone(self) -> None:
        text = "inputs:\n  image:\n    description: d\nruns:\n  using: docker\n  image: Dockerfile\n"
        assert pin(text, REFERENCE).startswith("inputs:\n  image:\n    description: d\n")

    @pytest.mark.parametrize(
        ("text", "why"),
        [
            ("name: x\n", "no single top-level runs"),
            ("runs:\n  using: docker\n", "no single image"),
            ("runs:\n  using: docker\n  image: a\n  image: b\n", "no single image"),
            ("runs:\n  using: node20\n  image: a\n", "not a Docker action"),
        ],
    )
    def test_refuses_what_it_cannot_pin(self, text: str, why: str) -> None:
        with pytest.raises(PinError, match=why):
            pin(text, REFERENCE)


class TestMain:
    """main"""

    def test_rewrites_the_file_in_place(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        action = tmp_path / "action.yml"
        action.write_bytes(b"runs:\r\n  using: docker\r\n  image: Dockerfile\r\n")
        assert main([REFERENCE, str(action)]) == 0
        assert action.read_bytes() == f"runs:\r\n  using: docker\r\n  image: docker://{REFERENCE}\r\n".encode()
        assert f"runs.image = docker://{REFERENCE}" in capsys.readouterr().out

    def test_a_tag_leaves_the_file_untouched(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        action = tmp_path / "action.yml"
        action.write_text("runs:\n  using: docker\n  image: Dockerfile\n")
        assert main(["ghcr.io/aikido-gate/aikido-gate:v1", str(action)]) == 1
        assert action.read_text() == "runs:\n  using: docker\n  image: Dockerfile\n"
        assert "not an image reference by digest" in capsys.readouterr().err
