"""gate.core.explain: what `policy check` and `policy explain` print, from a policy file and the run asked about."""

from __future__ import annotations

import pytest

from gate.core.automations import ref_kind
from gate.core.errors import PolicyError
from gate.core.event import policy_reading, pull_request_number
from gate.core.explain import Asked, checked, explain, holds, problem_lines, where_problem
from gate.core.policy import AUTOMATION_EVENTS, EVENTS, LISTED, Policy, RunFacts
from gate.github.policy import parse_policy
from tests.conftest import sample

FILE = """\
version: 1
cicdProfiles:
  - name: Pull requests
    when: {events: [pull_request], branches: [main]}
    failConditions: {vulnerabilitySeverityConditions: high_or_critical, scanTypes: [dependency, sast]}
    timeoutSeconds: 120
  - name: Releases
    when: {tags: ["v*"]}
    releaseGating: true
instances:
  - instanceId: appsec-slack
    pluginId: slack
    slack: {urlEnv: SLACK_WEBHOOK_URL}
  - instanceId: tracker
    pluginId: github-issues
automations:
  - name: Track main
    events:
      - eventType: vulnerability_found
        actions:
          - actionType: create_issue
      - eventType: scan_failed
        actions:
          - actionType: send_to_communicator
  - name: PR chat
    scope: {scopeType: profiles, profiles: [Pull requests]}
    events:
      - eventType: vulnerability_found
        actions:
          - actionType: send_to_communicator
            sendToCommunicatorOptions: {instanceId: appsec-slack}
          - actionType: create_issue
            createIssueOptions: {instanceId: tracker}
  - name: Old
    enabled: false
    events:
      - eventType: scan_done
        actions: [{actionType: send_to_communicator}]
"""
POLICY = parse_policy(FILE, "gate.yml")
RULES_ONLY = """\
version: 1
automations:
  - name: Track main
    events:
      - eventType: vulnerability_found
        actions: [{actionType: create_issue}]
  - name: Chat
    events:
      - eventType: vulnerability_found
        actions: [{actionType: send_to_communicator}]
      - eventType: scan_done
        actions: [{actionType: send_to_communicator}]
"""


def event_lines(lines: list[str]) -> dict[str, list[str]]:
    """The `On each event:` section, by event: the lines under each (empty for `nothing`)."""
    section = lines[lines.index("On each event:") + 1 :]
    found: dict[str, list[str]] = {}
    current = ""
    for line in section:
        if not line:
            break
        if line.startswith("    "):
            found[current].append(line.strip())
        else:
            current, _, rest = line.strip().partition(":")
            found[current] = [] if rest.strip() in ("", "nothing") else [rest.strip()]
    return found


class TestChecked:
    """holds and checked: the one line of a file the action accepts"""

    def test_counts_what_the_file_holds(self) -> None:
        assert checked(POLICY) == "OK: gate.yml: 2 profiles, 3 rules, 2 instances"

    def test_one_of_each_and_none(self) -> None:
        one = parse_policy("version: 1\ncicdProfiles: [{name: a}]\n", "one.yml")
        assert holds(one) == "1 profile, 0 rules, 0 instances"
        assert checked(Policy("empty.yml")) == "OK: empty.yml: 0 profiles, 0 rules, 0 instances"


def refused(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "gate.yml")
    return caught.value


class TestProblemLines:
    """problem_lines: a refused file, as the action's error says it"""

    def test_one_problem_is_the_action_s_message_itself(self) -> None:
        wrong = refused("version: 1\ncicdProfiles:\n  - name: a\n    failConditions: {failTheBuld: x}\n")
        assert problem_lines(wrong) == [
            "gate.yml has 1 problem: line 4: cicdProfiles[0].failConditions.failTheBuld: unknown key; did you mean "
            "failTheBuild?"
        ]

    def test_several_are_one_a_line_under_the_message_s_head(self) -> None:
        wrong = refused("version: 2\ncicdProfiles:\n  - name: a\n  - name: a\n")
        assert problem_lines(wrong) == [
            "gate.yml has 2 problems:",
            "  line 1: version: 2 must be 1",
            "  line 4: cicdProfiles[1].name: 'a' names an earlier profile too",
        ]

    def test_every_problem_even_past_those_the_message_names(self) -> None:
        names = "".join(f"  - {{name: p, when: {{event: x{index}}}}}\n" for index in range(LISTED + 5))
        wrong = refused(f"version: 1\ncicdProfiles:\n{names}")
        lines = problem_lines(wrong)
        assert lines[0] == f"gate.yml has {len(wrong.problems)} problems:"
        assert lines[1:] == [f"  {problem}" for problem in wrong.problems]
        assert len(lines) > LISTED + 5
        assert "more" in str(wrong)  # the one-line message cuts them short

    def test_a_yaml_error_and_a_message_alone(self) -> None:
        assert problem_lines(refused("a: [\n")) == [
            "gate.yml is not valid YAML: line 2, column 1: expected the node content, but found '<stream end>'"
        ]
        assert problem_lines(PolicyError("the policy file x.yml is not UTF-8 text")) == [
            "the policy file x.yml is not UTF-8 text"
        ]


class TestWhereProblem:
    """where_problem: --branch and --tag as a run of --event can have them"""

    @pytest.mark.parametrize(
        ("event", "branch", "tag"),
        [
            ("pull_request", "main", None),
            ("merge_group", "main", None),
            ("push", "main", None),
            ("push", None, "v1"),
            ("release", None, "v1.2.0"),
            ("workflow_dispatch", None, "v1"),
            ("schedule", None, None),
        ],
    )
    def test_what_a_run_can_be_about(self, event: str, branch: str | None, tag: str | None) -> None:
        assert where_problem(event, branch, tag) is None

    @pytest.mark.parametrize(
        ("event", "branch", "tag", "problem"),
        [
            ("pr", None, None, "--event: 'pr' is not a policy event: give one of " + ", ".join(EVENTS)),
            ("push", "main", "v1", "--branch and --tag: give one of them: a run is about a branch or a tag"),
            ("push", " ", None, "--branch: give a name"),
            (
                "pull_request",
                None,
                "v1",
                "--tag: a pull_request run is about its base branch, not a tag; give --branch",
            ),
            ("merge_group", None, "v1", "--tag: a merge_group run is about its base branch, not a tag; give --branch"),
            ("schedule", None, "v1", "--tag: a schedule run is about its branch, not a tag; give --branch"),
            ("release", "main", None, "--branch: a release is of a tag; give --tag"),
        ],
    )
    def test_what_it_cannot(self, event: str, branch: str | None, tag: str | None, problem: str) -> None:
        assert where_problem(event, branch, tag) == problem

    @pytest.mark.parametrize(
        "name", ["pull_request", "pull_request_target", "merge_group", "push", "push_tag", "release", "schedule"]
    )
    def test_every_run_of_the_samples_can_be_asked_about_as_the_run_sees_it(self, name: str) -> None:
        """The branch or tag a run's policy reading finds is one explain takes, matched and scoped as the run does."""
        payload = sample(name)
        event = "push" if name == "push_tag" else name
        ref = "refs/tags/v1" if name == "push_tag" else "refs/heads/main"
        reading = policy_reading(event, payload, sha="c0ffee" * 6 + "1234", ref=ref)
        assert where_problem(event, reading.branch, reading.tag) is None
        asked = Asked(event, reading.branch, reading.tag)
        assert asked.run == RunFacts(reading.event, reading.branch, reading.tag)
        numbered = pull_request_number(payload) is not None
        assert asked.where.ref_kind == ref_kind(event, numbered=numbered, tag=reading.tag)


class TestExplain:
    """explain: the profile and why, each setting and its source, the rules in scope, and each event's actions"""

    def test_a_pull_request_to_main(self) -> None:
        lines = explain(POLICY, Asked("pull_request", "main"))
        assert lines[:17] == [
            "gate.yml: 2 profiles, 3 rules, 2 instances; a run of event pull_request, base branch main",
            "",
            "Profile: Pull requests",
            "  the first profile for event pull_request, base branch main: its when matches",
            "",
            "Settings (from the profile, else the built-in default; an input the workflow gives wins over both):",
            "  minimum-severity         HIGH   profile",
            "  fail-on-dependency-scan  true   profile",
            "  fail-on-sast-scan        true   profile",
            "  fail-on-iac-scan         false  profile",
            "  fail-on-secrets-scan     false  profile",
            "  fail-on-timeout          true   default",
            "  report-only              false  default",
            "  release-gating           false  default",
            "  timeout-seconds          120    profile",
            "",
            "Automation rules:",
        ]
        assert lines[17:21] == [
            "  Track main: not in scope (scope all: a pull request's run is in a rule's scope only when the rule names "
            "the profile it followed)",
            "  PR chat: in scope (scope profiles Pull requests)",
            "  Old: off (enabled: false)",
            "  (a pull request from a fork sets no rule off, on any event)",
        ]
        events = event_lines(lines)
        assert list(events) == list(AUTOMATION_EVENTS)
        assert events["vulnerability_found"] == [
            "PR chat: send_to_communicator through instance appsec-slack (pluginId slack, urlEnv SLACK_WEBHOOK_URL)",
            "PR chat: create_issue through instance tracker (pluginId github-issues) with the input github-token",
        ]
        assert all(events[event] == [] for event in AUTOMATION_EVENTS if event != "vulnerability_found")
        assert lines[-2:] == [
            "On a verdict where none of a rule's events fire:",
            "  PR chat: create_issue still acts (opens, updates and closes a tracking issue)",
        ]

    def test_a_push_of_a_tag_follows_no_pull_request_profile(self) -> None:
        lines = explain(POLICY, Asked("push", tag="v2.0.0"))
        assert lines[2:4] == ["Profile: Releases", "  the first profile for event push, tag v2.0.0: its when matches"]
        assert "  release-gating           true      profile" in lines
        assert "  minimum-severity         CRITICAL  default" in lines
        assert "  Track main: in scope (scope all)" in lines
        assert "  PR chat: not in scope (scope profiles Pull requests; this run follows profile Releases)" in lines
        assert not any("fork" in line for line in lines)
        events = event_lines(lines)
        assert events["vulnerability_found"] == ["Track main: create_issue through the input github-token"]
        assert events["scan_failed"] == ["Track main: send_to_communicator through the input communicator-webhook-url"]

    def test_no_profile_matches(self) -> None:
        lines = explain(POLICY, Asked("schedule", "main"))
        assert lines[2:4] == [
            "Profile: none",
            "  no profile in gate.yml matches event schedule, branch main: the built-in defaults apply",
        ]
        assert all(line.endswith("default") for line in lines[6:15])
        assert "  PR chat: not in scope (scope profiles Pull requests; this run follows no profile)" in lines

    def test_profile_names_one_as_policy_profile_would(self) -> None:
        lines = explain(POLICY, Asked("pull_request", "main", profile="Releases"))
        assert lines[2:4] == ["Profile: Releases", "  named by policy-profile (event pull_request, base branch main)"]
        assert "  PR chat: not in scope (scope profiles Pull requests; this run follows profile Releases)" in lines
        assert all(rules == [] for rules in event_lines(lines).values())

    def test_a_profile_the_file_has_not_is_the_action_s_error(self) -> None:
        with pytest.raises(PolicyError) as caught:
            explain(POLICY, Asked("push", "main", profile="Release"))
        assert (
            str(caught.value) == "policy-profile 'Release' is not in gate.yml: its profiles are Pull requests, Releases"
        )

    def test_a_file_of_rules_only(self) -> None:
        rules_only = parse_policy(RULES_ONLY, "rules.yml")
        lines = explain(rules_only, Asked("push", "main"))
        assert lines[2:4] == [
            "Profile: none",
            "  rules.yml has no cicdProfiles: the inputs and the built-in defaults apply",
        ]
        assert event_lines(lines)["vulnerability_found"] == [
            "Track main: create_issue through the input github-token",
            "Chat: send_to_communicator through the input communicator-webhook-url",
        ]
        assert event_lines(lines)["scan_done"] == [
            "Chat: send_to_communicator through the input communicator-webhook-url"
        ]

    def test_a_file_without_rules_says_nothing_of_them(self) -> None:
        lines = explain(parse_policy("version: 1\ncicdProfiles: [{name: all}]\n", "p.yml"), Asked("push", "main"))
        assert lines[2:4] == [
            "Profile: all",
            "  the first profile for event push, branch main: it has no when: every run",
        ]
        assert not any("Automation" in line or "On each event" in line for line in lines)
