"""gate.github.policy: the policy file read through the contents API (real HTTP to a fake GitHub) and parsed safely."""

from __future__ import annotations

import random
import re
import socket
from collections.abc import Callable, Iterator

import httpx
import jsonschema
import pytest
import yaml

from emulator.github import REPO, FakeGitHub
from gate.core.clock import Deadline
from gate.core.errors import GitHubLookupFailed, PolicyError
from gate.core.policy import SCHEMA, When
from gate.github.lookups import build_github_client
from gate.github.policy import PolicyFiles, parse_policy
from gate.net.http import Retrier
from gate.net.tls import Tls
from tests.conftest import FakeClock
from tests.test_readme import POLICIES

SOURCE = ".github/aikido-gate.yml"
PROFILE = "version: 1\ncicdProfiles:\n  - name: a\n"
Reader = Callable[..., PolicyFiles]


class TestParsePolicy:
    """parse_policy: YAML's own problems with line and column; nothing but plain data"""

    @pytest.mark.parametrize("text", POLICIES)
    def test_every_readme_example_is_valid_for_the_schema_and_the_parser(self, text: str) -> None:
        jsonschema.validate(yaml.safe_load(text), SCHEMA)
        policy = parse_policy(text, "README")
        assert policy.profiles or policy.automations

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("version: 1\ncicdProfiles: [\n  - name: x\n", "is not valid YAML: line 3, column 3: "),
            ("a: &a [x, x]\nb: [*a, *a]\nversion: 1\n", "line 2, column 5: an alias (*name) is not allowed"),
            ("version: 1\nversion: 1\n", "line 2, column 1: version is given twice (first on line 1)"),
            (f"{PROFILE}    name: b\n", "line 4, column 5: cicdProfiles[0].name is given twice (first on line 3)"),
            ("version: 1\n1: a\n'1': b\n", "line 3, column 1: 1 is given twice (first on line 2)"),
            ("version: 1\n? [a]\n: 1\n", "line 2, column 3: a key must be a name, not a list"),
            ("version: 1\n? {a: 1}\n: 1\n", "line 2, column 3: a key must be a name, not a mapping"),
            ("version: 1\n~: 1\n", "line 2, column 1: a key must be a name, not null"),
            ("version: 1\nx: a\x00b\n", "line 2: the character U+0000 is not allowed in YAML"),
            ("version: !!python/object/apply:os.system [id]\n", "line 1, column 10: the tag tag:yaml.org,2002:python"),
            ("version: !!python/name:os.system\n", "line 1, column 10: the tag tag:yaml.org,2002:python/name:os.s"),
            ("version: !custom 1\n", "line 1, column 10: the tag !custom is not allowed"),
            ("version: !!timestamp x\n", "line 1, column 10: the tag tag:yaml.org,2002:timestamp is not allowed"),
            ("version: !!binary AAAA\n", "line 1, column 10: the tag tag:yaml.org,2002:binary is not allowed"),
            ("version: !!float abc\n", 'line 1, column 10: "abc" is not a number'),
            ("version: !!int 1:00\n", 'line 1, column 10: "1:00" is not a whole number'),
            ("version: !!bool yes\n", 'line 1, column 10: "yes" is not true or false'),
            ("version: 1\n" + "# padding\n" * 7000, "is larger than 64 KiB"),
        ],
    )
    def test_refused_at_once(self, text: str, message: str) -> None:
        with pytest.raises(PolicyError) as caught:
            parse_policy(text, SOURCE)
        assert str(caught.value).startswith(SOURCE)
        assert message in str(caught.value)

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("version: true\n", "line 1: version: true must be 1"),
            ("version: 1.0\n", "line 1: version: 1.0 must be 1"),
            (
                f"{PROFILE}    timeoutSeconds: 1:00:00\n",  # YAML 1.1: 3600, in base 60
                'line 4: cicdProfiles[0].timeoutSeconds: "1:00:00" must be a whole number from 1 to 21600',
            ),
            (
                f"{PROFILE}    failConditions:\n      failTheBuild: no\n",  # YAML 1.1: false
                'line 5: cicdProfiles[0].failConditions.failTheBuild: "no" is not one of when_conditions_are_met, '
                "do_not_fail_build",
            ),
            (
                f"{PROFILE}    failConditions:\n      failOnTimeout: yes\n",  # YAML 1.1: true
                'line 5: cicdProfiles[0].failConditions.failOnTimeout: "yes" must be true or false',
            ),
            (
                f"{PROFILE}    releaseGating: off\n",
                'line 4: cicdProfiles[0].releaseGating: "off" must be true or false',
            ),
            ("version: 1\n<<: {version: 2}\n", "line 2: <<: unknown key; known keys: version, cicdProfiles"),
            ("version: 1\n=: 1\n", "line 2: =: unknown key; known keys: version, cicdProfiles"),
        ],
    )
    def test_yaml_1_1_pitfalls_are_read_as_yaml_1_2_and_refused(self, text: str, problem: str) -> None:
        with pytest.raises(PolicyError) as caught:
            parse_policy(text, SOURCE)
        [found] = caught.value.problems
        assert found.startswith(problem)

    @pytest.mark.parametrize(
        ("text", "branches"),
        [
            (
                "timeoutSeconds: 0600\n    when: {branches: [2024-01-01, y, n, 1_000]}",
                ("2024-01-01", "y", "n", "1_000"),
            ),
            ("timeoutSeconds: 0x258\n    when: {branches: [main, on, Off, YES]}", ("main", "on", "Off", "YES")),
            (
                "timeoutSeconds: !!int '600'\n    when: {branches: [!!str 1, 2024-01-01 10:00:00]}",
                ("1", "2024-01-01 10:00:00"),
            ),
        ],
    )
    def test_numbers_and_words_as_yaml_1_2_reads_them(self, text: str, branches: tuple[str, ...]) -> None:
        # YAML 1.1: 0600 is 384 (octal), 2024-01-01 a date, y, n, on, Off and YES booleans, 1_000 the number 1000.
        [profile] = parse_policy(f"{PROFILE}    {text}\n", SOURCE).profiles
        assert profile.settings["timeout_seconds"] == 600
        assert profile.when == When(branches=branches)

    @pytest.mark.parametrize(
        ("text", "where"),
        [
            ("x: " + "[" * 5000 + "]" * 5000, "line 2, column 53"),  # the root is the first level, x's the second
            ("x: " + "{a: " * 5000 + "}" * 5000, "line 2, column 200"),
            ("x:\n" + "".join(" " * depth + "- \n" for depth in range(1, 60)), "line 52, column 51"),
            ("x:\n" + "- " * 3000 + "a", "line 3, column 99"),
        ],
        ids=["lists", "mappings", "block lists", "lists on a line"],
    )
    def test_nesting_is_bounded_with_its_line(self, text: str, where: str) -> None:
        # PyYAML composes recursively: unbounded, thousands of levels end in RecursionError.
        with pytest.raises(PolicyError) as caught:
            parse_policy(f"version: 1\n{text}\n", SOURCE)
        problem = f"{where}: lists and mappings nested more than 50 deep (a policy file nests at most 9)"
        assert caught.value.problems == (problem,)
        assert str(caught.value) == f"{SOURCE} is refused: {problem}"

    def test_the_deepest_policy_file_is_read(self) -> None:
        text = (
            "version: 1\nautomations:\n  - name: a\n    events:\n      - eventType: scan_done\n        actions:\n"
            "          - actionType: create_issue\n            createIssueOptions: {labels: [[{a: [x]}]]}\n"
        )
        with pytest.raises(PolicyError) as caught:
            parse_policy(text, SOURCE)
        assert caught.value.problems == (
            "line 8: automations[0].events[0].actions[0].createIssueOptions.labels[0]: must be a string, not a list",
        )

    @pytest.mark.parametrize(
        ("number", "problem"),
        [
            ("9" * 5000, "line 4: cicdProfiles[0].timeoutSeconds: a number of 5000 digits is too long"),
            ("-" + "9" * 4301, "line 4: cicdProfiles[0].timeoutSeconds: a number of 4301 digits is too long"),
            ("0x" + "f" * 5000, "line 4: cicdProfiles[0].timeoutSeconds: a number of 5000 digits is too long"),
            ("9" * 101, "line 4: cicdProfiles[0].timeoutSeconds: a number of 101 digits is too long"),
            ("9" * 100, "line 4: cicdProfiles[0].timeoutSeconds: a number of more than 60 digits must be a whole"),
            ("9" * 5000 + ".0", "line 4: cicdProfiles[0].timeoutSeconds: Infinity must be a whole number"),
        ],
    )
    def test_a_number_of_thousands_of_digits_is_a_problem_with_the_others(self, number: str, problem: str) -> None:
        # Python refuses to read an int of over 4300 digits (ValueError): the parser never asks it to.
        with pytest.raises(PolicyError) as caught:
            parse_policy(f"{PROFILE}    timeoutSeconds: {number}\n    bogus: 1\n", SOURCE)
        first, second = caught.value.problems
        assert first.startswith(problem)
        assert second.startswith("line 5: cicdProfiles[0].bogus: unknown key")

    def test_an_alias_bomb_is_never_expanded(self) -> None:
        bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(8)
        )
        with pytest.raises(PolicyError, match="an alias"):
            parse_policy(bomb, SOURCE)

    def test_lines_of_policy_problems(self) -> None:
        text = "version: 1\ncicdProfiles:\n  - name: a\n    failConditions:\n      failTheBuld: x\n"
        with pytest.raises(PolicyError) as caught:
            parse_policy(text, SOURCE)
        assert str(caught.value) == (
            f"{SOURCE} has 1 problem: line 5: cicdProfiles[0].failConditions.failTheBuld: unknown key; did you mean "
            "failTheBuild?"
        )


HOSTILE = [
    "",
    "~",
    "hello",
    "42",
    "- a\n- b\n",
    "version: 1\n---\nversion: 1\n",
    "%YAML 1.1\n---\nversion: yes\n",
    "%TAG !p! tag:yaml.org,2002:python/\n---\nversion: !p!object/new:os.system [id]\n",
    "version:\t1\n\tcicdProfiles: []\n",
    "\ufeffversion: 1\n\ufeffcicdProfiles: []\n",
    "version: 1\r\ncicdProfiles:\r  - name: a\x85\u2028  timeoutSeconds: 1:00\n",
    "version: \ud800\n",
    'version: "\\ud800\\x00\\e[2J"\n',
    "version: 1\nx: " + "a" * 60000 + "\n",
    "version: 1\n" + "".join(f"k{n}: {n}\n" for n in range(5000)),
    "version: 1\ncicdProfiles: [" + "{name: a}, " * 3000 + "]\n",
    "? " + "a" * 2000 + "\n: 1\n",
    "[" * 30000,
    "{a: " * 10000,
    "- " * 20000,
    "&a [*a]\n",
    "version: *a\n",
    "version: 1e99999\n",
    "version: -.inf\n",
    "version: .nan\n",
    "version: 0o" + "7" * 5000 + "\n",
    "9" * 5000 + ": 1\n",
    "version: 1\n" + "9" * 5000 + ".5: 1\n",
    "!!python/object/new:os.system [id]\n",
    "version: 1\ncicdProfiles:\n  - name: a\n    failConditions: !!set {a, b}\n",
    "version: 1\ncicdProfiles: !!omap [a: 1]\n",
    "version: 1\n? !!binary AAAA\n: 1\n",
    "version: 1\n'\\x1b]8;;http://x\\x07': 1\n",
]
FRAGMENTS = [
    "\n", "\t", ":", "- ", "[", "]", "{", "}", "&a ", "*a", "!!int ", "!!float ", "!x ", "? ", "'", '"', "#", "|", ">",
    "\x00", "\x1b", "\ud800", "\u202e", "9" * 5000, "[" * 100, "  ", "\r", "%", "---\n", "...\n", "1:00", "no", "~",
]  # fmt: skip


def refusal(text: str) -> PolicyError | None:
    """parse_policy's PolicyError, None when the text is a policy; any other exception fails the test."""
    try:
        parse_policy(text, SOURCE)
    except PolicyError as error:
        return error
    return None


def assert_one_line(error: PolicyError) -> None:
    assert error.problems
    assert all(problem and "\n" not in problem for problem in error.problems)
    assert str(error).startswith(SOURCE)
    assert not re.search(r"[\x00-\x1f\x7f]", str(error)), str(error)


class TestHostileText:
    """parse_policy on text no policy file holds: a PolicyError or a policy, never another exception"""

    @pytest.mark.parametrize("text", HOSTILE)
    def test_hostile_documents(self, text: str) -> None:
        error = refusal(text)
        assert error is not None
        assert_one_line(error)

    @pytest.mark.parametrize("seed", range(4))
    def test_policies_cut_and_spliced_at_random(self, seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(150):
            text = rng.choice(POLICIES)
            for _ in range(rng.randint(1, 4)):
                at, to = sorted(rng.randrange(len(text) + 1) for _ in range(2))
                middle = rng.choice([text[at:to] * rng.randint(0, 3), rng.choice(FRAGMENTS), ""])
                text = text[:at] + middle + text[to if rng.random() < 0.5 else at :]
            error = refusal(text)
            if error is not None:
                assert_one_line(error)


@pytest.fixture
def ghes() -> Iterator[FakeGitHub]:
    with FakeGitHub(prefix="/api/v3") as running:
        yield running


@pytest.fixture
def reader(clock: FakeClock, tls: Tls) -> Iterator[Reader]:
    """PolicyFiles for a GitHub at a URL; their clients are closed after the test."""
    clients: list[httpx.Client] = []

    def make(github_url: str, token_input: str = "github-token") -> PolicyFiles:  # noqa: S107 -- an input's name
        retrier = Retrier(Deadline(clock() + 30, clock), sleep=clock.sleep, rng=random.Random(1))
        clients.append(build_github_client(github_url, "ghs_token", tls))
        return PolicyFiles(clients[-1], retrier, token_input)

    yield make
    for client in clients:
        client.close()


class TestPolicyFiles:
    """PolicyFiles.text over the contents API"""

    def test_a_file_at_a_commit_on_enterprise_server(self, ghes: FakeGitHub, reader: Reader) -> None:
        ghes.files[(REPO, SOURCE, "a" * 40)] = "version: 1\n"
        assert reader(ghes.api_url).text(REPO, SOURCE, "a" * 40) == "version: 1\n"
        [request] = ghes.requests
        assert request.path == f"/api/v3/repos/{REPO}/contents/.github/aikido-gate.yml"
        assert request.query == {"ref": ["a" * 40]}
        assert request.headers["Accept"] == "application/vnd.github.raw+json"

    def test_missing_is_none(self, ghes: FakeGitHub, reader: Reader) -> None:
        assert reader(ghes.api_url).text(REPO, SOURCE, "b" * 40) is None

    def test_a_refusal_names_the_token(self, ghes: FakeGitHub, reader: Reader) -> None:
        ghes.refuse("GET", "/contents/", 403, "Resource not accessible by integration")
        with pytest.raises(GitHubLookupFailed) as caught:
            reader(ghes.api_url, "policy-token").text("my-org/policy", "gate.yml", "v1")
        assert str(caught.value) == (
            "GitHub refused to read the policy file gate.yml in my-org/policy at v1 (HTTP 403): give policy-token "
            "contents: read on my-org/policy"
        )

    def test_unreachable_names_github_api_url(self, reader: Reader) -> None:
        with socket.create_server(("127.0.0.1", 0)) as closed:
            port = closed.getsockname()[1]
        with pytest.raises(GitHubLookupFailed) as caught:
            reader(f"http://127.0.0.1:{port}").text(REPO, SOURCE, "c" * 40)
        assert str(caught.value).startswith(
            f"could not reach the GitHub API at 127.0.0.1:{port} to read the policy file {SOURCE} in {REPO} at "
            "cccccccccccc (ConnectError"
        )
        assert str(caught.value).endswith("check GITHUB_API_URL and the network to it")
