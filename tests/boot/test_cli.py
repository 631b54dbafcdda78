"""gate.boot.cli: `policy check` and `policy explain` read, parsed and answered, with exit codes 0, 1 and 2."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from gate.boot.cli import USAGE, Command, main, parse, read
from gate.boot.errors import UsageError
from gate.core.errors import PolicyError
from gate.core.explain import USAGE_EXPLAIN, Asked
from gate.core.policy import MAX_POLICY_BYTES
from gate.net.http import MAX_ANSWER_BYTES

GOOD = "version: 1\ncicdProfiles:\n  - name: Pull requests\n    when: {events: [pull_request]}\n"
BROKEN = "version: 1\ncicdProfiles:\n  - name: a\n    failConditions: {failTheBuld: x}\n"


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with a good and a broken policy file, named relative to it as a user types them."""
    (tmp_path / "good.yml").write_text(GOOD)
    (tmp_path / "broken.yml").write_text(BROKEN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


class TestParse:
    """parse: the command line, or UsageError in one line with the form to use"""

    def test_check_and_explain(self) -> None:
        assert parse(["policy", "check", "a.yml"]) == Command("check", "a.yml")
        assert parse(["policy", "explain", "a.yml", "--event", "push", "--tag", "v1", "--profile", "R"]) == Command(
            "explain", "a.yml", Asked("push", None, "v1", "R")
        )

    @pytest.mark.parametrize(
        "argv",
        [["-h"], ["--help"], ["help"], ["policy", "--help"], ["policy", "explain", "-h"], ["policy", "check", "-h"]],
    )
    def test_help(self, argv: list[str]) -> None:
        assert parse(argv) == Command("help")

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (
                ["scan"],
                "unknown command 'scan': the action's run takes no arguments; give policy check or policy explain",
            ),
            (["policy"], "policy: no command; give check or explain"),
            (["policy", "lint", "a.yml"], "policy: unknown command 'lint'; give check or explain"),
            (
                ["policy", "check"],
                "policy check: the following arguments are required: FILE (usage: policy check FILE)",
            ),
            (["policy", "check", "a.yml", "b.yml"], "policy check: unrecognized arguments: b.yml"),
            (["policy", "explain", "a.yml"], "policy explain: the following arguments are required: --event"),
            (["policy", "explain", "a.yml", "--event", "pr"], "policy explain: --event: 'pr' is not a policy event"),
            (
                ["policy", "explain", "a.yml", "--event", "push", "--branch", "main", "--tag", "v1"],
                "policy explain: --branch and --tag: give one of them",
            ),
            (
                ["policy", "explain", "a.yml", "--event", "pull_request", "--tag", "v1"],
                "policy explain: --tag: a pull_request run is about its base branch, not a tag; give --branch",
            ),
        ],
    )
    def test_what_is_wrong_in_one_line(self, argv: list[str], message: str) -> None:
        with pytest.raises(UsageError) as caught:
            parse(argv)
        said = str(caught.value)
        assert said.startswith(message)
        assert "\n" not in said
        assert "(usage: policy" in said

    def test_a_wrong_explain_names_its_own_form(self) -> None:
        with pytest.raises(UsageError) as caught:
            parse(["policy", "explain", "a.yml", "--event", "release", "--branch", "main"])
        assert (
            str(caught.value) == f"policy explain: --branch: a release is of a tag; give --tag (usage: {USAGE_EXPLAIN})"
        )


class TestRead:
    """read: a local file refused as the action refuses the one it reads"""

    def test_the_text(self, tmp_path: Path) -> None:
        (tmp_path / "p.yml").write_text(GOOD)
        assert read(str(tmp_path / "p.yml")) == GOOD

    def test_not_utf8(self, tmp_path: Path) -> None:
        (tmp_path / "p.yml").write_bytes(b"version: 1\n# caf\xe9\n")
        with pytest.raises(PolicyError, match=r"^the policy file .*p\.yml is not UTF-8 text$"):
            read(str(tmp_path / "p.yml"))

    def test_far_larger_than_a_policy_file_is_not_read_whole(self, tmp_path: Path) -> None:
        (tmp_path / "p.yml").write_bytes(b"#" * (MAX_ANSWER_BYTES + 10))
        with pytest.raises(PolicyError, match=r"p\.yml is far larger than a policy file$"):
            read(str(tmp_path / "p.yml"))

    @pytest.mark.parametrize(("name", "why"), [("missing.yml", "No such file or directory"), (".", "Is a directory")])
    def test_a_file_that_cannot_be_read_is_a_usage_error(self, here: Path, name: str, why: str) -> None:
        with pytest.raises(UsageError) as caught:
            read(name)
        assert str(caught.value) == f"cannot read {name} ({why})"


class TestMain:
    """main: what is printed where, and the exit code"""

    def test_check_a_good_file(self, here: Path) -> None:
        assert run(["policy", "check", "good.yml"]) == (0, "OK: good.yml: 1 profile, 0 rules, 0 instances\n", "")

    def test_check_a_broken_file(self, here: Path) -> None:
        assert run(["policy", "check", "broken.yml"]) == (
            1,
            "broken.yml has 1 problem: line 4: cicdProfiles[0].failConditions.failTheBuld: unknown key; did you mean "
            "failTheBuild?\n",
            "",
        )

    def test_the_action_s_size_limit(self, here: Path) -> None:
        (here / "big.yml").write_text("version: 1\n" + "#" * MAX_POLICY_BYTES + "\n")
        code, out, _ = run(["policy", "check", "big.yml"])
        assert (code, out) == (1, "big.yml is larger than 64 KiB: a policy file is a few lines\n")

    def test_explain(self, here: Path) -> None:
        code, out, err = run(["policy", "explain", "good.yml", "--event", "pull_request", "--branch", "main"])
        assert (code, err) == (0, "")
        assert out.splitlines()[2:4] == [
            "Profile: Pull requests",
            "  the first profile for event pull_request, base branch main: its when matches",
        ]

    def test_explain_a_broken_file_gives_its_problems(self, here: Path) -> None:
        code, out, _ = run(["policy", "explain", "broken.yml", "--event", "push"])
        assert code == 1
        assert "failTheBuld: unknown key" in out

    def test_a_usage_error_is_one_line_on_stderr(self, here: Path) -> None:
        code, out, err = run(["policy", "explain", "good.yml", "--event", "push", "--tag", ""])
        assert (code, out) == (2, "")
        assert err == f"policy explain: --tag: give a name (usage: {USAGE_EXPLAIN})\n"

    def test_a_missing_file_is_a_usage_error(self, here: Path) -> None:
        assert run(["policy", "check", "nope.yml"]) == (2, "", "cannot read nope.yml (No such file or directory)\n")

    def test_help(self) -> None:
        assert run(["policy", "--help"]) == (0, USAGE, "")

    def test_text_from_the_file_is_cleaned_as_the_action_s_messages(self, here: Path) -> None:
        (here / "hostile.yml").write_text('version: 1\ncicdProfiles:\n  - name: "\\e[31mred\\u202e"\n')
        code, out, _ = run(["policy", "explain", "hostile.yml", "--event", "push"])
        assert code == 0
        assert "Profile: red<U+202E>" in out
        assert "\x1b" not in out
        assert "\u202e" not in out
