"""release/readme_pins.py: README's examples follow the latest release."""

from __future__ import annotations

from pathlib import Path

import pytest

from release.readme_pins import PinsError, main, pins, repin

OLD, NEW = "0" * 40, "1234567890abcdef" * 2 + "12345678"
TEXT = f"""```yaml
      - uses: aikido-gate/aikido-gate@{OLD} # v1.0.0
      - uses: someone/else@{OLD} # v1.0.0
```
text aikido-gate/aikido-gate@{OLD} # v1.0.0, again
"""


class TestRepin:
    """repin"""

    def test_updates_every_pin_of_the_repository_only(self) -> None:
        text = repin(TEXT, "aikido-gate/aikido-gate", NEW, "v1.2.3")
        assert pins(text, "aikido-gate/aikido-gate") == [(NEW, "v1.2.3"), (NEW, "v1.2.3")]
        assert f"someone/else@{OLD} # v1.0.0" in text

    @pytest.mark.parametrize(
        ("repository", "sha", "tag", "why"),
        [
            ("aikido-gate", NEW, "v1.2.3", "is not OWNER/NAME"),
            ("aikido-gate/aikido-gate", "v1.2.3", "v1.2.3", "is not a full commit SHA"),
            ("aikido-gate/aikido-gate", NEW.upper(), "v1.2.3", "is not a full commit SHA"),
            ("aikido-gate/aikido-gate", NEW, "main", "is not a version"),
            ("other/repo", NEW, "v1.2.3", "has no other/repo@<sha>"),
        ],
    )
    def test_refuses_bad_arguments(self, repository: str, sha: str, tag: str, why: str) -> None:
        with pytest.raises(PinsError, match=why):
            repin(TEXT, repository, sha, tag)


class TestMain:
    """main"""

    def test_rewrites_the_readme(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        readme = tmp_path / "README.md"
        readme.write_text(TEXT)
        assert main(["aikido-gate/aikido-gate", NEW, "v1.2.3", str(readme)]) == 0
        assert readme.read_text() == TEXT.replace(f"gate@{OLD} # v1.0.0", f"gate@{NEW} # v1.2.3")
        assert "2 example(s) pinned" in capsys.readouterr().out

    def test_leaves_it_alone_on_error(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        readme = tmp_path / "README.md"
        readme.write_text(TEXT)
        assert main(["aikido-gate/aikido-gate", "HEAD", "v1.2.3", str(readme)]) == 1
        assert readme.read_text() == TEXT
        assert "is not a full commit SHA" in capsys.readouterr().err
