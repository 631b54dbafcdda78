"""End to end with a policy file: entrypoint.py, the Aikido emulator and a fake GitHub contents API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.aikido import AikidoEmulator
from emulator.github import REPO, FakeGitHub
from emulator.server import Request
from tests.conftest import sample
from tests.support.action import act, annotations_of

PATH = ".github/aikido-gate.yml"
PR = sample("pull_request")
BASE, HEAD = PR["pull_request"]["base"]["sha"], PR["pull_request"]["head"]["sha"]
STRICT = """\
version: 1
cicdProfiles:
  - name: Pull requests
    when:
      events: [pull_request]
      branches: [main]
    failConditions:
      vulnerabilitySeverityConditions: high_or_critical
      scanTypes: [dependency, sast]
    timeoutSeconds: 120
  - name: Everything else
    failConditions:
      failTheBuild: do_not_fail_build
"""
LOOSE = """\
version: 1
cicdProfiles:
  - name: Pull requests
    failConditions:
      failTheBuild: do_not_fail_build
      scanTypes: []
"""


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


def env(github: FakeGitHub) -> dict[str, str]:
    return {"GITHUB_API_URL": github.api_url, "GITHUB_REPOSITORY": REPO}


class TestThisRepository:
    """A path in this repository, read at a commit the pull request cannot change"""

    def test_read_at_the_base_even_when_the_workspace_and_the_head_are_looser(
        self, tmp_path: Path, github: FakeGitHub
    ) -> None:
        github.files[(REPO, PATH, BASE)] = STRICT
        github.files[(REPO, PATH, HEAD)] = LOOSE  # the pull request loosens it...
        (tmp_path / "workspace" / ".github").mkdir(parents=True)
        (tmp_path / "workspace" / PATH).write_text(LOOSE)  # ...and its checkout holds the looser copy
        with AikidoEmulator("fail") as emulator:
            run = act(tmp_path, emulator, env=env(github), policy_file=PATH, timeout_seconds="")
        assert (run.returncode, run.outputs["outcome"], run.outputs["policy-profile"]) == (
            10,
            "FAILED",
            "Pull requests",
        )
        start = emulator.requests[0].body
        assert (start["minimum_severity"], start["fail_on_sast_scan"], start["fail_on_dependency_scan"]) == (
            "HIGH",
            True,
            True,
        )
        assert [(r.path.rsplit("/contents/", 1)[1], r.query["ref"][0]) for r in github.requests] == [
            (PATH, BASE),
            (PATH, HEAD),
        ]
        [notice] = [line for line in annotations_of(run, "notice") if "policy" in line]
        assert "this pull request changes the policy file .github/aikido-gate.yml: its version applies once merged" in (
            notice
        )
        assert (
            "**Policy:** profile `Pull requests` of `.github/aikido-gate.yml` at `9049f1265b7d`: the first profile "
            "for event pull\\_request, base branch main: its when matches"
        ) in run.summary
        assert "| `minimum-severity` | `HIGH` | profile |" in run.summary
        assert "| `timeout-seconds` | `120` | profile |" in run.summary
        assert "| `fail-on-iac-scan` | `false` | profile |" in run.summary
        assert "| `fail-on-timeout` | `true` | default |" in run.summary

    def test_an_input_given_in_the_workflow_wins(self, tmp_path: Path, github: FakeGitHub) -> None:
        github.files[(REPO, PATH, BASE)] = STRICT
        with AikidoEmulator("fail") as emulator:
            run = act(tmp_path, emulator, env=env(github), policy_file=PATH, minimum_severity="LOW", report_only="true")
        assert (run.returncode, run.outputs["outcome"]) == (0, "FAILED")
        assert emulator.requests[0].body["minimum_severity"] == "LOW"
        assert "| `minimum-severity` | `LOW` | input |" in run.summary
        assert "| `report-only` | `true` | input |" in run.summary

    def test_a_pull_request_that_adds_the_policy_runs_on_the_defaults(self, tmp_path: Path, github: FakeGitHub) -> None:
        github.files[(REPO, PATH, HEAD)] = STRICT
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, env=env(github), policy_file=PATH, timeout_seconds="")
        assert (run.returncode, run.outputs["policy-profile"]) == (0, "")
        assert emulator.requests[0].body["minimum_severity"] == "CRITICAL"
        assert any("this pull request adds the policy file" in line for line in annotations_of(run, "notice"))
        assert "| `minimum-severity` | `CRITICAL` | default |" in run.summary

    def test_a_missing_file_names_repository_path_and_commit(self, tmp_path: Path, github: FakeGitHub) -> None:
        push = sample("push")
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, event="push", env=env(github), policy_file=PATH)
        assert run.returncode == 1
        [error] = annotations_of(run, "error")
        assert (
            f"the policy file {PATH} does not exist in {REPO} at commit {push['after'][:12]} (policy-file names a path "
            "from the repository root" in error
        )
        assert emulator.requests == []

    def test_missing_from_a_pull_request_and_its_base_fails_after_the_scan(
        self, tmp_path: Path, github: FakeGitHub
    ) -> None:
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, env=env(github), policy_file=PATH)
        # Whether the pull request adds the file is its own version's to say, read only after the verdict.
        assert (run.returncode, run.outputs["outcome"]) == (1, "SUCCEEDED")
        [error] = annotations_of(run, "error")
        assert error.startswith("::error title=Aikido policy::")
        assert (
            f"the policy file {PATH} does not exist in {REPO} at the base (commit 9049f1265b7d) or in this pull "
            "request (commit ec26c3e57ca3)"
        ) in error

    def test_a_bad_file_is_reported_whole_before_any_request_to_aikido(
        self, tmp_path: Path, github: FakeGitHub
    ) -> None:
        github.files[(REPO, PATH, BASE)] = (
            "version: 1\ncicdProfiles:\n  - name: a\n    failConditions: {failTheBuld: x}\n"
        )
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, env=env(github), policy_file=PATH)
        assert run.returncode == 1
        [error] = annotations_of(run, "error")
        assert (
            f"{PATH} has 1 problem: line 4: cicdProfiles[0].failConditions.failTheBuld: unknown key; did you mean "
            "failTheBuild?"
        ) in error
        assert emulator.requests == []

    def test_no_profile_matches_a_push(self, tmp_path: Path, github: FakeGitHub) -> None:
        only_prs = STRICT.split("  - name: Everything else", maxsplit=1)[0]
        push = sample("push")
        github.files[(REPO, PATH, push["after"])] = only_prs
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, event="push", env=env(github), policy_file=PATH)
        assert run.returncode == 0
        assert any(
            f"no profile in {PATH} matches event push, branch main: the built-in defaults apply" in line
            for line in annotations_of(run, "notice")
        )


class TestAnotherRepository:
    """OWNER/REPO/PATH@REF, read with policy-token, on GitHub.com or Enterprise Server"""

    def test_a_central_policy_at_its_ref_on_enterprise_server(self, tmp_path: Path) -> None:
        with FakeGitHub(prefix="/api/v3") as ghes, AikidoEmulator("fail") as emulator:
            ghes.files[("my-org/security-policy", "aikido-gate.yml", "v1")] = STRICT
            run = act(
                tmp_path,
                emulator,
                env=env(ghes),
                policy_file="my-org/security-policy/aikido-gate.yml@v1",
                policy_token="ghp_policyReader0000",
            )
            [request] = ghes.requests
        assert request.path == "/api/v3/repos/my-org/security-policy/contents/aikido-gate.yml"
        assert request.headers["Authorization"] == "Bearer ghp_policyReader0000"
        assert run.outputs["policy-profile"] == "Pull requests"
        assert "ghp_policyReader0000" not in run.stdout.replace("::add-mask::ghp_policyReader0000", "")

    def test_missing_says_a_private_one_needs_policy_token(self, tmp_path: Path, github: FakeGitHub) -> None:
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, env=env(github), policy_file="my-org/security-policy/gate.yml@v1")
        [error] = annotations_of(run, "error")
        assert (
            "the policy file gate.yml does not exist in my-org/security-policy at v1 (check that the ref v1 exists "
            "there and holds the file; a private repository also answers so without access: give policy-token "
            "contents: read there)"
        ) in error


BROKEN = """\
version: 1
cicdProfiles:
  - name: Pull requests
    failConditions: {failTheBuld: when_conditions_are_met}
"""
HEAD_BREAKS = "::error title=Aikido policy::this pull request's version of .github/aikido-gate.yml would break the gate"
SECTION = "### ❌ This pull request's version of the policy file would break the gate once merged"


def contents_reads(github: FakeGitHub) -> list[Request]:
    return [request for request in github.requests if "/contents/" in request.path]


class TestThePullRequestsOwnVersion:
    """The pull request's own policy file: read after the verdict, never before; its problems fail the job"""

    def test_a_head_that_is_not_utf8_neither_stops_nor_changes_the_scan(
        self, tmp_path: Path, github: FakeGitHub
    ) -> None:
        github.files[(REPO, PATH, BASE)] = STRICT
        github.files[(REPO, PATH, HEAD)] = b"version: 1\n# caf\xe9\n"
        with AikidoEmulator("fail") as emulator:
            run = act(
                tmp_path,
                emulator,
                env=env(github),
                policy_file=PATH,
                timeout_seconds="",
                post_scan_status_comment="on",
                sarif_file="aikido.sarif",
            )
        # The scan ran on the base's profile, its verdict and exit code stand, and everything after it was done.
        assert (run.returncode, run.outputs["outcome"], run.outputs["policy-profile"]) == (
            10,
            "FAILED",
            "Pull requests",
        )
        assert emulator.requests[0].body["minimum_severity"] == "HIGH"
        assert (tmp_path / "workspace" / "aikido.sarif").is_file()
        base_read, head_read = contents_reads(github)
        assert (base_read.query["ref"], head_read.query["ref"]) == ([BASE], [HEAD])
        polls = [request for request in emulator.requests if not request.path.endswith("/introducedSastIssues")]
        assert head_read.at > polls[-1].at  # only once the verdict was in
        [error] = [line for line in annotations_of(run, "error") if "Aikido policy" in line]
        assert error == (
            f"{HEAD_BREAKS} once merged: the policy file {PATH} in {REPO} at ec26c3e57ca3 is not UTF-8 text"
        )
        assert run.summary.index("Aikido security gate failed") < run.summary.index(SECTION)
        assert f"- the policy file {PATH} in {REPO} at ec26c3e57ca3 is not UTF-8 text" in run.summary
        [status] = github.issue_comments
        assert (
            "#### ❌ This pull request's version of the policy file would break the gate once merged"
            in (status["body"])
        )

    def test_a_head_with_a_schema_problem_fails_the_job_and_leaves_the_verdict(
        self, tmp_path: Path, github: FakeGitHub
    ) -> None:
        github.files[(REPO, PATH, BASE)] = STRICT
        github.files[(REPO, PATH, HEAD)] = BROKEN
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, env=env(github), policy_file=PATH, post_scan_status_comment="on")
        assert (run.returncode, run.outputs["outcome"], run.outputs["gate-passed"]) == (1, "SUCCEEDED", "true")
        [error] = annotations_of(run, "error")
        assert error.startswith(HEAD_BREAKS)
        assert "line 4: cicdProfiles[0].failConditions.failTheBuld: unknown key; did you mean failTheBuild?" in error
        assert not any("changes the policy file" in line for line in annotations_of(run, "notice"))
        section = run.summary[run.summary.index(SECTION) :]
        assert "`.github/aikido-gate.yml` at commit `ec26c3e57ca3`, as this pull request leaves it, has 1 problem:" in (
            section
        )
        assert any(line.startswith("- ") and "failTheBuld: unknown key" in line for line in section.splitlines())
        [status] = github.issue_comments
        assert "failTheBuld: unknown key" in status["body"]

    def test_a_profile_named_by_policy_profile_that_the_head_removes(self, tmp_path: Path, github: FakeGitHub) -> None:
        github.files[(REPO, PATH, BASE)] = STRICT
        github.files[(REPO, PATH, HEAD)] = LOOSE
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, env=env(github), policy_file=PATH, policy_profile="Everything else")
        assert (run.returncode, run.outputs["outcome"], run.outputs["policy-profile"]) == (
            1,
            "SUCCEEDED",
            "Everything else",
        )
        [error] = annotations_of(run, "error")
        assert error.startswith(HEAD_BREAKS)
        assert f"policy-profile 'Everything else' is not in {PATH}: its profiles are Pull requests" in error

    def test_a_pull_request_that_adds_a_broken_file_fails(self, tmp_path: Path, github: FakeGitHub) -> None:
        github.files[(REPO, PATH, HEAD)] = BROKEN
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, env=env(github), policy_file=PATH)
        assert (run.returncode, run.outputs["outcome"]) == (1, "SUCCEEDED")
        assert emulator.requests[0].body["minimum_severity"] == "CRITICAL"
        [error] = annotations_of(run, "error")
        assert "line 4: cicdProfiles[0].failConditions.failTheBuld: unknown key" in error
        assert not any("adds the policy file" in line for line in annotations_of(run, "notice"))

    def test_a_merge_group_checks_its_head_too(self, tmp_path: Path, github: FakeGitHub) -> None:
        group = sample("merge_group")["merge_group"]
        github.files[(REPO, PATH, group["base_sha"])] = STRICT
        github.files[(REPO, PATH, group["head_sha"])] = BROKEN
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, event="merge_group", env=env(github), policy_file=PATH)
        assert (run.returncode, run.outputs["outcome"]) == (1, "SUCCEEDED")
        [error] = annotations_of(run, "error")
        assert error.startswith(HEAD_BREAKS)

    def test_a_head_github_will_not_show_is_a_warning(self, tmp_path: Path, github: FakeGitHub) -> None:
        github.files[(REPO, PATH, BASE)] = STRICT
        github.files[(REPO, PATH, HEAD)] = LOOSE
        github.refuse("GET", "/contents/", 403, "Resource not accessible by integration", query={"ref": HEAD})
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, env=env(github), policy_file=PATH)
        assert (run.returncode, run.outputs["outcome"]) == (0, "SUCCEEDED")
        assert annotations_of(run, "error") == []
        [warning] = annotations_of(run, "warning")
        assert (
            f"::warning title=Aikido policy::this pull request's version of {PATH} was not checked: GitHub refused to "
            f"read the policy file {PATH} in {REPO} at ec26c3e57ca3 (HTTP 403)"
        ) in warning


RULES_ONLY = """\
version: 1
automations:
  - name: Track open issues
    events:
      - eventType: vulnerability_found
        actions:
          - actionType: create_issue
"""


class TestPolicyMessages:
    """What the policy's messages name to fix"""

    def test_a_central_file_without_its_ref_is_told_to_add_one(self, tmp_path: Path, github: FakeGitHub) -> None:
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, event="push", env=env(github), policy_file="my-org/policies/gate.yml")
        assert run.returncode == 1
        [error] = annotations_of(run, "error")
        assert (f"the policy file my-org/policies/gate.yml does not exist in {REPO} at commit") in error
        assert (
            "; a file in another repository needs @REF: OWNER/REPO/PATH@REF, e.g. policy-file: "
            "my-org/policies/gate.yml@v1"
        ) in error

    def test_a_file_of_rules_only_gives_no_profile_notice(self, tmp_path: Path, github: FakeGitHub) -> None:
        github.files[(REPO, PATH, sample("push")["after"])] = RULES_ONLY
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, event="push", env=env(github), policy_file=PATH, github_token="")
        assert run.returncode == 0
        assert not any("no profile" in line for line in annotations_of(run, "notice"))
        assert f"no profile of `{PATH}` at" in run.summary
        assert "has no cicdProfiles: the inputs and the built-in defaults apply" in run.summary


class TestInputsAndPolicyTogether:
    """Wrong inputs and a wrong policy file, reported in the one run"""

    def test_a_bad_input_and_a_bad_policy_file_in_one_error(self, tmp_path: Path, github: FakeGitHub) -> None:
        github.files[(REPO, PATH, BASE)] = BROKEN
        with AikidoEmulator("pass") as emulator:
            run = act(tmp_path, emulator, env=env(github), policy_file=PATH, minimum_severity="severe")
        assert (run.returncode, run.outputs["outcome"]) == (1, "ERROR")
        assert emulator.requests == []
        [error] = annotations_of(run, "error")
        assert 'input minimum-severity is "severe": must be one of LOW, MEDIUM, HIGH, CRITICAL' in error
        assert "line 4: cicdProfiles[0].failConditions.failTheBuld: unknown key" in error
        summary = run.summary.splitlines()
        inputs, policy = summary.index("**Inputs:**"), summary.index(f"**Policy file `{PATH}`:**")
        assert summary[inputs + 2].startswith("- input minimum-severity is")
        assert summary[policy + 2].startswith("- ")
        assert "failTheBuld: unknown key" in summary[policy + 2]


class TestInputsThatDoNothing:
    """Inputs for the policy file given without policy-file"""

    def test_each_is_a_warning_naming_both_inputs_and_no_secret(self, tmp_path: Path) -> None:
        hook = "https://chat.invalid/hooks/T0/B0/sekrit0000"
        with AikidoEmulator("pass") as emulator:
            run = act(
                tmp_path,
                emulator,
                policy_profile="Releases",
                policy_token="ghp_policyReader0000",
                communicator_webhook_url=hook,
            )
        assert (run.returncode, run.outputs["outcome"]) == (0, "SUCCEEDED")
        assert annotations_of(run, "warning") == [
            "::warning title=Aikido policy::policy-profile is set but policy-file is empty: policy-profile names a "
            "profile of the policy file; set policy-file or remove policy-profile",
            "::warning title=Aikido policy::policy-token is set but policy-file is empty: policy-token reads the "
            "policy file; set policy-file or remove policy-token",
            "::warning title=Aikido policy::communicator-webhook-url is set but policy-file is empty: "
            "communicator-webhook-url is where the policy file's automation rules post; set policy-file or remove "
            "communicator-webhook-url",
        ]
        said = run.stdout.replace(f"::add-mask::{hook}", "").replace("::add-mask::ghp_policyReader0000", "")
        assert "sekrit0000" not in said + run.summary
        assert "ghp_policyReader0000" not in said + run.summary


AUTOMATIONS = """\
version: 1
automations:
  - name: Track open issues on main
    events:
      - eventType: vulnerability_found
        actions:
          - actionType: create_issue
            createIssueOptions:
              labels: [security]
      - eventType: scan_failed
        actions:
          - actionType: send_to_communicator
"""


class TestAutomations:
    """The policy file's rules after the verdict, as entrypoint.py runs them"""

    def test_a_push_to_main_opens_then_closes_its_tracking_issue(self, tmp_path: Path, github: FakeGitHub) -> None:
        push = sample("push")
        github.files[(REPO, PATH, push["after"])] = AUTOMATIONS
        hook = "https://chat.invalid/hooks/T0/B0/sekrit0000"
        with AikidoEmulator("fail") as emulator:
            failed = act(
                tmp_path / "1", emulator, event="push", env=env(github), policy_file=PATH, communicator_webhook_url=hook
            )
        assert (failed.returncode, failed.outputs["outcome"]) == (10, "FAILED")
        [issue] = github.issues
        assert (issue["title"], issue["state"]) == ("Aikido: 4 new issues on main", "open")
        assert "Track open issues on main: issue #100 created" in failed.stdout
        assert (
            "\n\n**Automations:**\n\n- Track open issues on main: issue [\\#100](https://github.com/octo-org/octo-repo/"
            "issues/100) created"
        ) in failed.summary
        with AikidoEmulator("pass") as emulator:
            passed = act(
                tmp_path / "2", emulator, event="push", env=env(github), policy_file=PATH, communicator_webhook_url=hook
            )
        assert passed.returncode == 0
        assert issue["state"] == "closed"
        for run in (failed, passed):
            assert "sekrit0000" not in run.stdout.replace("::add-mask::" + hook, "") + run.summary
            assert "sekrit0000" not in str(run.outputs)

    def test_a_plain_http_webhook_elsewhere_is_refused_without_echoing_it(self, tmp_path: Path) -> None:
        run = act(tmp_path, None, communicator_webhook_url="http://chat.example/hooks/sekrit0000")
        [error] = annotations_of(run, "error")
        assert "input communicator-webhook-url: must be an https:// webhook URL" in error
        assert "sekrit0000" not in run.stdout.replace("::add-mask::http://chat.example/hooks/sekrit0000", "")


def test_a_central_policy_file_with_dot_dot_as_its_repository_is_refused_as_the_input(tmp_path: Path) -> None:
    with FakeGitHub() as github:
        run = act(tmp_path, None, env=env(github), policy_file="my-org/../gate.yml@v1")
        assert github.requests == []
    assert run.returncode == 1
    [error] = annotations_of(run, "error")
    assert (
        'input policy-file is "my-org/../gate.yml@v1": has ".." as REPO: must be OWNER/REPO/PATH@REF naming a '
        "repository, e.g. my-org/policy/gate.yml@v1"
    ) in error


def test_yaml_1_1_pitfalls_and_typos_are_reported_together_before_any_request(tmp_path: Path) -> None:
    text = (
        "version: 1\ncicdProfiles:\n  - name: PRs\n    failConditions:\n      failTheBuild: no\n"
        "      vulnerabilitySeverityConditions: medium\n    timeoutSeconds: 1:00:00\n"
        "automations:\n  - name: Tell\n    events:\n      - eventType: scan_finished\n"
        "        actions: [{actionType: create_issue}]\n"
    )
    with FakeGitHub() as github, AikidoEmulator("pass") as emulator:
        github.files[(REPO, PATH, BASE)] = text
        run = act(tmp_path, emulator, env=env(github), policy_file=PATH)
    assert run.returncode == 1
    [error] = annotations_of(run, "error")
    assert (
        f'{PATH} has 4 problems: line 5: cicdProfiles[0].failConditions.failTheBuild: "no" is not one of '
        "when_conditions_are_met, do_not_fail_build; line 6: cicdProfiles[0].failConditions."
        'vulnerabilitySeverityConditions: "medium" is not one of critical, high_or_critical, normal_or_above, '
        "low_or_above; did you mean normal_or_above? (Invicti's names: normal_or_above is MEDIUM and above); line 7: "
        'cicdProfiles[0].timeoutSeconds: "1:00:00" must be a whole number from 1 to 21600; line 11: '
        'automations[0].events[0].eventType: "scan_finished" is not one of scan_done, scan_failed, '
        "vulnerability_found, vulnerability_created, report_created; did you mean scan_done?"
    ) in error
    assert emulator.requests == []
