"""gate.flow.policy.check_head: the pull request's own policy file, read and checked after the verdict."""

from __future__ import annotations

from gate.core.errors import GitHubLookupFailed, PolicyError
from gate.core.plan import Location
from gate.core.policy import Policy
from gate.flow.policy import HeadVersion, check_head
from tests.support.ports import FakeWorkflow

BASE, HEAD = "9049f1265b7d" + "0" * 28, "ec26c3e57ca3" + "0" * 28
VERSION = HeadVersion(Location(".github/gate.yml"), "octo-org/octo-repo", BASE, HEAD, "version: 1\n", None)


class Files:
    """The head's text (or what reading it raises), and what parsing it raises; counts the parses."""

    def __init__(self, head: str | Exception | None, problems: tuple[str, ...] = ()) -> None:
        self.head = head
        self.problems = problems
        self.parsed = 0

    def text(self, repository: str, path: str, ref: str) -> str | None:
        assert (repository, path, ref) == ("octo-org/octo-repo", ".github/gate.yml", HEAD)
        if isinstance(self.head, Exception):
            raise self.head
        return self.head

    def parse(self, text: str, source: str) -> Policy:
        self.parsed += 1
        if self.problems:
            raise PolicyError(f"{source} has {len(self.problems)} problems", self.problems)
        return Policy(source)


def checked(files: Files, version: HeadVersion = VERSION) -> tuple[tuple[str, ...], list[str]]:
    workflow = FakeWorkflow()
    problems = check_head(version, files, workflow)
    return problems, workflow.lines


class TestCheckHead:
    """check_head"""

    def test_a_head_identical_to_the_base_is_not_parsed_again(self) -> None:
        files = Files("version: 1\n")
        assert checked(files) == ((), [])
        assert files.parsed == 0

    def test_every_problem_comes_back_on_its_own(self) -> None:
        files = Files("version: 2\n", ("line 1: version: must be 1", "line 2: x: unknown key"))
        assert checked(files) == (("line 1: version: must be 1", "line 2: x: unknown key"), [])

    def test_a_head_github_will_not_show_is_a_warning_and_no_problem(self) -> None:
        problems, said = checked(Files(GitHubLookupFailed("GitHub refused to read the policy file (HTTP 403)", 403)))
        assert problems == ()
        assert said == [
            "::warning title=Aikido policy::this pull request's version of .github/gate.yml was not checked: GitHub "
            "refused to read the policy file (HTTP 403)"
        ]

    def test_a_deleted_file_is_a_warning(self) -> None:
        problems, [said] = checked(Files(None))
        assert problems == ()
        assert said.startswith("::warning title=Aikido policy::this pull request deletes the policy file .github/gate")
