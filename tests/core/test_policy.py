"""gate.core.policy: the policy file's model, its schema, choosing a profile and merging input > profile > default."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gate.core.errors import PolicyError
from gate.core.policy import (
    MAX_POLICY_BYTES,
    ONLY_THE_ACTION_CHECKS,
    SCHEMA,
    Policy,
    Profile,
    RunFacts,
    When,
    glob_matches,
    schema_text,
    select,
    validate,
)
from gate.core.precedence import DEFAULTS, Settings, effective
from gate.github.policy import MAX_DEPTH, MAX_DIGITS, parse_policy

ROOT = Path(__file__).resolve().parents[2]
GOOD: list[dict[str, Any]] = [
    {"version": 1},
    {"version": 1, "cicdProfiles": []},
    {"version": 1, "cicdProfiles": [{"name": "all"}]},
    {
        "version": 1,
        "cicdProfiles": [
            {
                "name": "PRs",
                "when": {"events": ["pull_request"], "branches": ["main", "release/*"], "tags": ["v*"]},
                "failConditions": {
                    "failTheBuild": "do_not_fail_build",
                    "vulnerabilitySeverityConditions": "normal_or_above",
                    "scanTypes": ["sast", "iac"],
                    "failOnTimeout": False,
                },
                "releaseGating": True,
                "timeoutSeconds": 21600,
            }
        ],
    },
]
BAD: list[tuple[Any, str]] = [
    (None, "the file: must be a mapping of keys to values"),
    ({}, "the file: version is required"),
    ({"version": 2}, "version: 2 must be 1"),
    ({"version": True}, "version: true must be 1"),
    ({"version": "1"}, 'version: "1" must be 1'),
    ({"version": 1, "cicdProfile": []}, "cicdProfile: unknown key; did you mean cicdProfiles?"),
    ({"version": 1, "cicdProfiles": [{}]}, "cicdProfiles[0]: name is required"),
    ({"version": 1, "cicdProfiles": [{"name": ""}]}, "cicdProfiles[0].name: must be a non-empty string"),
    ({"version": 1, "cicdProfiles": {"name": "x"}}, "cicdProfiles: must be a list, not a mapping"),
    (["version", 1], "the file: must be a mapping of keys to values, not a list"),
    (
        {"version": 1, "cicdProfiles": [{"name": "x", "failConditions": {"failTheBuld": "x"}}]},
        "cicdProfiles[0].failConditions.failTheBuld: unknown key; did you mean failTheBuild?",
    ),
    (
        {"version": 1, "cicdProfiles": [{"name": "x", "failConditions": {"failTheBuild": "always"}}]},
        'cicdProfiles[0].failConditions.failTheBuild: "always" is not one of when_conditions_are_met, '
        "do_not_fail_build",
    ),
    (
        {"version": 1, "cicdProfiles": [{"name": "x", "failConditions": {"scanTypes": ["secret"]}}]},
        'cicdProfiles[0].failConditions.scanTypes[0]: "secret" is not one of dependency, sast, iac, secrets; '
        "did you mean secrets?",
    ),
    (
        {"version": 1, "cicdProfiles": [{"name": "x", "timeoutSeconds": 0}]},
        "cicdProfiles[0].timeoutSeconds: 0 must be a whole number from 1 to 21600",
    ),
    (
        {"version": 1, "cicdProfiles": [{"name": "x", "timeoutSeconds": "1:00:00"}]},
        'cicdProfiles[0].timeoutSeconds: "1:00:00" must be a whole number from 1 to 21600',
    ),
    (
        {"version": 1, "cicdProfiles": [{"name": "x", "releaseGating": "yes please"}]},
        'cicdProfiles[0].releaseGating: "yes please" must be true or false',
    ),
    (
        {"version": 1, "cicdProfiles": [{"name": "x", "failConditions": {"failOnTimeout": None}}]},
        "cicdProfiles[0].failConditions.failOnTimeout: must be true or false, not empty",
    ),
    ({"version": 1, "cicdProfiles": [{"name": 5}]}, "cicdProfiles[0].name: 5 must be a string"),
    (
        {"version": 1, "cicdProfiles": [{"name": "x", "when": {"events": ["pull"]}}]},
        'cicdProfiles[0].when.events[0]: "pull" is not one of pull_request',
    ),
    # What the schema says with if/then (validate's own words), and uniqueItems.
    (
        {"version": 1, "automations": [{"name": "x", "scope": {"scopeType": "profiles"}, "events": []}]},
        "automations[0].scope: scopeType profiles needs profiles: the names of cicdProfiles",
    ),
    (
        {
            "version": 1,
            "automations": [{"name": "x", "scope": {"scopeType": "profiles", "profiles": []}, "events": []}],
        },
        "automations[0].scope: scopeType profiles needs profiles: the names of cicdProfiles",
    ),
    (
        {
            "version": 1,
            "automations": [
                {
                    "name": "x",
                    "events": [
                        {
                            "eventType": "scan_done",
                            "actions": [{"actionType": "send_to_communicator", "createIssueOptions": {}}],
                        }
                    ],
                }
            ],
        },
        "automations[0].events[0].actions[0].createIssueOptions: belongs to actionType create_issue",
    ),
    (
        {"version": 1, "cicdProfiles": [{"name": "x", "when": {"branches": ["main", "release/*", "main"]}}]},
        'cicdProfiles[0].when.branches[2]: "main" is listed twice (first at branches[0])',
    ),
    (
        {"version": 1, "cicdProfiles": [{"name": "x", "failConditions": {"scanTypes": ["sast", "sast"]}}]},
        'cicdProfiles[0].failConditions.scanTypes[1]: "sast" is listed twice (first at scanTypes[0])',
    ),
]


def problem_of(document: dict[str, Any]) -> str:
    """The one problem validate finds in `document`."""
    with pytest.raises(PolicyError) as caught:
        validate(document, {}, "p.yml")
    [problem] = caught.value.problems
    return problem


def _suggestion(problem: str) -> str | None:
    found = re.search(r"; did you mean (\w+)\?$", problem)
    return found[1] if found else None


def conditions(**given: Any) -> dict[str, Any]:
    return {"version": 1, "cicdProfiles": [{"name": "p", "failConditions": given}]}


def on(event_type: str, action_type: str = "create_issue") -> dict[str, Any]:
    rule = {"name": "r", "events": [{"eventType": event_type, "actions": [{"actionType": action_type}]}]}
    return {"version": 1, "automations": [rule]}


def policy(*profiles: Profile) -> Policy:
    return Policy(".github/aikido-gate.yml", profiles)


class TestSchema:
    """SCHEMA, policy.schema.json and validate: one description, and they agree"""

    def test_the_committed_schema_is_generated_from_the_model(self) -> None:
        assert (ROOT / "policy.schema.json").read_text(encoding="utf-8") == schema_text(), (
            'regenerate: python -c "from gate.core.policy import schema_text; '
            "open('policy.schema.json', 'w').write(schema_text())\""
        )
        jsonschema.Draft202012Validator.check_schema(SCHEMA)

    @pytest.mark.parametrize("document", GOOD)
    def test_good_files_pass_both(self, document: dict[str, Any]) -> None:
        jsonschema.validate(document, SCHEMA)
        assert validate(document, {}, "p.yml").source == "p.yml"

    @pytest.mark.parametrize(("document", "message"), BAD)
    def test_bad_files_fail_both_and_the_parser_says_where(self, document: Any, message: str) -> None:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(document, SCHEMA)
        with pytest.raises(PolicyError) as caught:
            validate(document, {}, "p.yml")
        assert str(caught.value).startswith("p.yml has 1 problem: ")
        assert message in str(caught.value)

    @pytest.mark.parametrize(
        ("document", "message"),
        [
            ({"version": 1.0}, "version: 1.0 must be 1"),
            (
                {"version": 1, "cicdProfiles": [{"name": "x", "timeoutSeconds": 600.0}]},
                "cicdProfiles[0].timeoutSeconds: 600.0 must be a whole number from 1 to 21600",
            ),
        ],
    )
    def test_a_fraction_is_not_a_whole_number_though_json_schema_says_1_0_is_1(
        self, document: Any, message: str
    ) -> None:
        jsonschema.validate(document, SCHEMA)  # JSON has one kind of number; YAML's 1.0 is a float
        with pytest.raises(PolicyError) as caught:
            validate(document, {}, "p.yml")
        assert caught.value.problems == (message,)

    def test_every_problem_at_once_in_file_order_with_lines(self) -> None:
        document = {"version": 1, "cicdProfiles": [{"name": "a", "timeoutSeconds": 0}, {"name": "a", "bogus": 1}]}
        lines = {"cicdProfiles[0].timeoutSeconds": 4, "cicdProfiles[1].name": 5, "cicdProfiles[1].bogus": 6}
        with pytest.raises(PolicyError) as caught:
            validate(document, lines, "p.yml")
        assert caught.value.problems == (
            "line 4: cicdProfiles[0].timeoutSeconds: 0 must be a whole number from 1 to 21600",
            "line 5: cicdProfiles[1].name: 'a' names an earlier profile too",
            "line 6: cicdProfiles[1].bogus: unknown key; known keys: name, when, failConditions, releaseGating, "
            "timeoutSeconds",
        )
        assert str(caught.value) == f"p.yml has 3 problems: {'; '.join(caught.value.problems)}"

    def test_a_policy_error_from_one_message_has_it_as_its_one_problem(self) -> None:
        assert PolicyError("p.yml is not UTF-8 text").problems == ("p.yml is not UTF-8 text",)

    def test_every_problem_is_kept_though_the_message_names_twenty(self) -> None:
        document = {"version": 1, **{f"key{n}": 1 for n in range(25)}}
        with pytest.raises(PolicyError) as caught:
            validate(document, {}, "p.yml")
        assert len(caught.value.problems) == 25
        assert str(caught.value).endswith(
            "key19: unknown key; known keys: version, cicdProfiles, instances, automations; and 5 more"
        )

    def test_a_value_is_shown_without_control_characters_and_cut_short(self) -> None:
        name = "\x1b[31mred\x07\u202e" + "x" * 100
        document = {"version": 1, "cicdProfiles": [{"name": "a", "timeoutSeconds": name}], "\x1b[2Jkey\n": 1}
        with pytest.raises(PolicyError) as caught:
            validate(document, {}, "p.yml")
        assert caught.value.problems == (
            "\\u001b[2Jkey\\n: unknown key; known keys: version, cicdProfiles, instances, automations",
            'cicdProfiles[0].timeoutSeconds: "\\u001b[31mred\\u0007<U+202E>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… must '
            "be a whole number from 1 to 21600",
        )


class TestDidYouMean:
    """The hints of a problem: a value in the wrong case or form, Invicti's names, the nearest spelling"""

    def test_the_nearest_spelling_by_its_words_and_none_for_nonsense(self) -> None:
        typos: dict[str, tuple[dict[str, Any], str | None]] = {
            "scan_finished": (on("scan_finished"), "scan_done"),
            "scan_completed": (on("scan_completed"), "scan_done"),
            "scan_complete": (on("scan_complete"), "scan_done"),
            "scan_error": (on("scan_error"), "scan_failed"),
            "scan_fialed": (on("scan_fialed"), "scan_failed"),
            "vulnerabilities_found": (on("vulnerabilities_found"), "vulnerability_found"),
            "vuln_found": (on("vuln_found"), "vulnerability_found"),
            "vulnerability_detected": (on("vulnerability_detected"), "vulnerability_found"),
            "create_isue": (on("scan_done", "create_isue"), "create_issue"),
            "issue": (on("scan_done", "issue"), "create_issue"),
            "send_to_comunicator": (on("scan_done", "send_to_comunicator"), "send_to_communicator"),
            "secret": (conditions(scanTypes=["secret"]), "secrets"),
            "when_conditions_met": (conditions(failTheBuild="when_conditions_met"), "when_conditions_are_met"),
            "normal": (conditions(vulnerabilitySeverityConditions="normal"), "normal_or_above"),
            "cicd_profiles": ({"version": 1, "cicd_profiles": []}, "cicdProfiles"),
            "cicdProfile": ({"version": 1, "cicdProfile": []}, "cicdProfiles"),
            "timeout": ({"version": 1, "cicdProfiles": [{"name": "p", "timeout": 60}]}, "timeoutSeconds"),
            "failOnTimout": (conditions(failOnTimout=True), "failOnTimeout"),
            "FailTheBuild": (conditions(FailTheBuild="do_not_fail_build"), "failTheBuild"),
            "severity": (conditions(severity="critical"), "vulnerabilitySeverityConditions"),
            "scan_types": (conditions(scan_types=["sast"]), "scanTypes"),
            "fail": (conditions(failTheBuild="fail"), None),
            "when_conditions_are_not_met": (conditions(failTheBuild="when_conditions_are_not_met"), None),
            "dont_fail_build": (conditions(failTheBuild="dont_fail_build"), "do_not_fail_build"),
        }
        for nonsense in ("xyzzy", "banana", "whatever", "12345", "a", "", "-", "now"):
            typos[f"{nonsense} as an event"] = (on(nonsense), None)
            typos[f"{nonsense} as failTheBuild"] = (conditions(failTheBuild=nonsense), None)
            typos[f"{nonsense} as a key"] = ({"version": 1, nonsense: 1}, None)
        suggested = {typo: _suggestion(problem_of(document)) for typo, (document, _) in typos.items()}
        assert suggested == {typo: meant for typo, (_, meant) in typos.items()}

    @pytest.mark.parametrize(
        ("document", "problem"),
        [
            (
                conditions(vulnerabilitySeverityConditions="HIGH_OR_CRITICAL"),
                'cicdProfiles[0].failConditions.vulnerabilitySeverityConditions: "HIGH_OR_CRITICAL" is not one of '
                "critical, high_or_critical, normal_or_above, low_or_above; did you mean high_or_critical? (values are "
                "in lower case)",
            ),
            (
                conditions(scanTypes=["Dependency"]),
                'cicdProfiles[0].failConditions.scanTypes[0]: "Dependency" is not one of dependency, sast, iac, '
                "secrets; did you mean dependency? (values are in lower case)",
            ),
            (
                conditions(scanTypes=["SAST"]),
                'cicdProfiles[0].failConditions.scanTypes[0]: "SAST" is not one of dependency, sast, iac, secrets; did '
                "you mean sast? (values are in lower case)",
            ),
            (
                {"version": 1, "cicdProfiles": [{"name": "p", "when": {"events": ["Pull_Request"]}}]},
                "did you mean pull_request? (values are in lower case)",
            ),
            (
                {"version": 1, "cicdProfiles": [{"name": "p", "when": {"events": ["pull-request"]}}]},
                "did you mean pull_request? (values are in lower case, words joined by _)",
            ),
            (on("ScanDone"), "did you mean scan_done? (values are in lower case, words joined by _)"),
        ],
    )
    def test_a_value_in_the_wrong_case_or_form(self, document: dict[str, Any], problem: str) -> None:
        assert problem_of(document).endswith(problem)

    @pytest.mark.parametrize(
        ("severity", "meant"),
        [
            ("medium", "normal_or_above? (Invicti's names: normal_or_above is MEDIUM and above)"),
            ("MEDIUM", "normal_or_above? (Invicti's names: normal_or_above is MEDIUM and above)"),
            ("high", "high_or_critical? (Invicti's names: high_or_critical is HIGH and above)"),
            ("Low", "low_or_above? (Invicti's names: low_or_above is LOW and above)"),
            ("high_or_above", "high_or_critical? (Invicti's names: high_or_critical is HIGH and above)"),
            ("medium-or-above", "normal_or_above? (Invicti's names: normal_or_above is MEDIUM and above)"),
        ],
    )
    def test_aikido_s_severity_names_point_to_invicti_s(self, severity: str, meant: str) -> None:
        assert problem_of(conditions(vulnerabilitySeverityConditions=severity)) == (
            f'cicdProfiles[0].failConditions.vulnerabilitySeverityConditions: "{severity}" is not one of critical, '
            f"high_or_critical, normal_or_above, low_or_above; did you mean {meant}"
        )


class TestSelect:
    """select and glob_matches: policy-profile, else the first profile whose when matches"""

    PR = Profile("PRs", When(events=("pull_request",), branches=("main", "release/*")), {})
    TAGS = Profile("Releases", When(tags=("v*",)), {})
    ANY = Profile("Any", None, {})

    def test_the_first_match_in_order(self) -> None:
        chosen = select(policy(self.PR, self.TAGS, self.ANY), None, RunFacts("pull_request", branch="release/2"))
        assert chosen.profile == self.PR
        assert chosen.why == "the first profile for event pull_request, base branch release/2: its when matches"

    def test_a_tag_and_a_fallback(self) -> None:
        assert select(policy(self.PR, self.TAGS, self.ANY), None, RunFacts("push", tag="v1.2.0")).profile == self.TAGS
        assert select(policy(self.PR, self.TAGS, self.ANY), None, RunFacts("push", branch="dev")).profile == self.ANY

    def test_none_matches(self) -> None:
        chosen = select(policy(self.PR), None, RunFacts("schedule", branch="main"))
        assert chosen.profile is None
        assert chosen.why == (
            "no profile in .github/aikido-gate.yml matches event schedule, branch main: the built-in defaults apply"
        )

    def test_a_file_of_rules_only_has_no_profile_to_match(self) -> None:
        chosen = select(policy(), None, RunFacts("push", branch="main"))
        assert chosen.profile is None
        assert chosen.why == (".github/aikido-gate.yml has no cicdProfiles: the inputs and the built-in defaults apply")

    def test_policy_profile_names_one(self) -> None:
        chosen = select(policy(self.PR, self.TAGS), "Releases", RunFacts("pull_request", branch="main"))
        assert chosen.profile == self.TAGS
        assert chosen.why.startswith("named by policy-profile")

    def test_policy_profile_naming_none_lists_the_names(self) -> None:
        with pytest.raises(PolicyError) as caught:
            select(policy(self.PR, self.TAGS), "Release", RunFacts("push"))
        assert str(caught.value) == (
            "policy-profile 'Release' is not in .github/aikido-gate.yml: its profiles are PRs, Releases"
        )

    @pytest.mark.parametrize(
        ("pattern", "name", "want"),
        [
            ("main", "main", True),
            ("release/*", "release/2", True),
            ("release/*", "release/2/hotfix", False),
            ("release/**", "release/2/hotfix", True),
            ("v?", "v1", True),
            ("v*", "v1.2.0", True),
            ("main", "main2", False),
            ("feat.x", "featyx", False),
        ],
    )
    def test_globs(self, pattern: str, name: str, want: bool) -> None:
        assert glob_matches(pattern, name) is want


class TestEffective:
    """effective: input > profile > default, one source per setting"""

    def test_each_setting_from_its_source(self) -> None:
        profile = Profile(
            "p",
            None,
            {"minimum_severity": "HIGH", "fail_on_sast_scan": True, "timeout_seconds": 600, "report_only": True},
        )
        given = {"timeout_seconds": 120, "fail_on_dependency_scan": False}
        chosen = effective(given, profile.settings)
        assert chosen.settings == Settings(
            minimum_severity="HIGH",
            fail_on_dependency_scan=False,
            fail_on_sast_scan=True,
            fail_on_iac_scan=False,
            fail_on_secrets_scan=False,
            fail_on_timeout=True,
            report_only=True,
            release_gating=False,
            timeout_seconds=120,
        )
        assert chosen.sources == {
            "minimum_severity": "profile",
            "fail_on_dependency_scan": "input",
            "fail_on_sast_scan": "profile",
            "fail_on_iac_scan": "default",
            "fail_on_secrets_scan": "default",
            "fail_on_timeout": "default",
            "report_only": "profile",
            "release_gating": "default",
            "timeout_seconds": "input",
        }

    def test_without_a_profile_the_defaults(self) -> None:
        assert effective({}, None).settings == DEFAULTS

    def test_scan_types_set_every_fail_on_flag(self) -> None:
        document = {"version": 1, "cicdProfiles": [{"name": "p", "failConditions": {"scanTypes": ["iac"]}}]}
        [profile] = validate(document, {}, "p.yml").profiles
        settings = profile.settings
        assert (
            settings["fail_on_dependency_scan"],
            settings["fail_on_sast_scan"],
            settings["fail_on_iac_scan"],
            settings["fail_on_secrets_scan"],
        ) == (
            False,
            False,
            True,
            False,
        )


def rules(*automations: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "cicdProfiles": [{"name": "Release"}], "automations": list(automations)}


ISSUE_ON_VULN = {"eventType": "vulnerability_found", "actions": [{"actionType": "create_issue"}]}


class TestAutomationRules:
    """validate: the automations' rules and their errors, found with the rest of the file"""

    def test_a_rule_is_read(self) -> None:
        document = rules(
            {
                "name": "Track",
                "scope": {"scopeType": "profiles", "profiles": ["Release"]},
                "events": [
                    {
                        "eventType": "vulnerability_found",
                        "actions": [{"actionType": "create_issue", "createIssueOptions": {"labels": ["security"]}}],
                    },
                    {"eventType": "scan_failed", "actions": [{"actionType": "send_to_communicator"}]},
                ],
            }
        )
        jsonschema.validate(document, SCHEMA)
        [rule] = validate(document, {}, "p.yml").automations
        assert (rule.name, rule.enabled, rule.profiles) == ("Track", True, ("Release",))
        assert [action.type for action in rule.actions()] == ["create_issue", "send_to_communicator"]
        assert rule.actions()[0].listed("labels") == ("security",)

    @pytest.mark.parametrize(
        ("rule", "message"),
        [
            (
                {"name": "x", "events": [{"eventType": "scan_started", "actions": []}]},
                'automations[0].events[0].eventType: "scan_started" is not one of scan_done, scan_failed, '
                "vulnerability_found",
            ),
            (
                {"name": "x", "events": [{"eventType": "scan_done", "actions": [{"actionType": "create_jira"}]}]},
                'automations[0].events[0].actions[0].actionType: "create_jira" is not one of create_issue, '
                "send_to_communicator",
            ),
            (
                {"name": "x", "events": [{"eventType": "scan_done", "actions": [{"actionType": "send_email"}]}]},
                "automations[0].events[0].actions[0]: actionType send_email needs sendEmailOptions: {instanceId: …}",
            ),
            (
                {"name": "x", "events": [{**ISSUE_ON_VULN, "vulnerabilityOptions": {"severity": "high"}}]},
                "automations[0].events[0].vulnerabilityOptions: vulnerabilityOptions is not supported (its criticality "
                "included): Aikido's CI API reports counts only at the scan's minimum severity, the run's "
                "minimum-severity",
            ),
            (
                {"name": "x", "scope": {"scopeType": "profiles", "profiles": ["Nightly"]}, "events": [ISSUE_ON_VULN]},
                "automations[0].scope.profiles[0]: no profile is named 'Nightly' (profiles: Release)",
            ),
            (
                {"name": "x", "scope": {"scopeType": "profiles"}, "events": [ISSUE_ON_VULN]},
                "automations[0].scope: scopeType profiles needs profiles",
            ),
            (
                {
                    "name": "x",
                    "events": [
                        {
                            "eventType": "scan_done",
                            "actions": [{"actionType": "send_to_communicator", "createIssueOptions": {}}],
                        }
                    ],
                },
                "automations[0].events[0].actions[0].createIssueOptions: belongs to actionType create_issue",
            ),
            ({"name": "x", "events": [ISSUE_ON_VULN], "enabld": False}, "unknown key; did you mean enabled?"),
        ],
    )
    def test_errors(self, rule: dict[str, Any], message: str) -> None:
        with pytest.raises(PolicyError) as caught:
            validate(rules(rule), {}, "p.yml")
        assert message in str(caught.value)

    def test_duplicate_rule_names(self) -> None:
        rule = {"name": "x", "events": [ISSUE_ON_VULN]}
        with pytest.raises(PolicyError, match=r"automations\[1\].name: 'x' names an earlier automation too"):
            validate(rules(rule, rule), {}, "p.yml")


RULE = "    events: [{eventType: scan_done, actions: [{actionType: create_issue}]}]\n"
# Files an editor's schema check passed before the schema said if/then: each the action refuses.
REFUSED = {
    "scope-without-profiles.yml": (
        "version: 1\ncicdProfiles: [{name: a}]\nautomations:\n  - name: r\n"
        f"    scope: {{scopeType: profiles}}\n{RULE}",
        "line 5: automations[0].scope: scopeType profiles needs profiles: the names of cicdProfiles",
    ),
    "scope-with-no-profiles.yml": (
        "version: 1\ncicdProfiles: [{name: a}]\nautomations:\n  - name: r\n"
        f"    scope: {{scopeType: profiles, profiles: []}}\n{RULE}",
        "line 5: automations[0].scope: scopeType profiles needs profiles: the names of cicdProfiles",
    ),
    "issue-options-on-chat.yml": (
        "version: 1\nautomations:\n  - name: r\n    events:\n      - eventType: scan_done\n        actions:\n"
        "          - actionType: send_to_communicator\n            createIssueOptions: {labels: [security]}\n",
        "line 8: automations[0].events[0].actions[0].createIssueOptions: belongs to actionType create_issue",
    ),
    "labels-twice.yml": (
        "version: 1\nautomations:\n  - name: r\n    events:\n      - eventType: scan_done\n        actions:\n"
        "          - actionType: create_issue\n            createIssueOptions:\n              labels: [a, b, a]\n",
        'line 9: automations[0].events[0].actions[0].createIssueOptions.labels[2]: "a" is listed twice (first on '
        "line 9)",
    ),
}
# Files the schema passes and the action refuses: JSON Schema cannot say that names are unique.
NAMES_TWICE = {
    "profile-names-twice.yml": (
        "version: 1\ncicdProfiles:\n  - name: a\n  - name: a\n",
        "line 4: cicdProfiles[1].name: 'a' names an earlier profile too",
    ),
    "rule-names-twice.yml": (
        f"version: 1\nautomations:\n  - name: r\n{RULE}  - name: r\n{RULE}",
        "line 5: automations[1].name: 'r' names an earlier automation too",
    ),
}


def check_jsonschema(folder: Path, files: dict[str, tuple[str, str]]) -> subprocess.CompletedProcess[str]:
    """`check-jsonschema --schemafile policy.schema.json FILE...`, as a user checks a file in their editor's way."""
    for name, (text, _) in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return subprocess.run(
        [Path(sys.executable).parent / "check-jsonschema", "--schemafile", ROOT / "policy.schema.json", *files],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


class TestWhatTheSchemaSays:
    """policy.schema.json against the action: check-jsonschema refuses what the action refuses, where it can"""

    def test_the_schema_refuses_each_file_the_action_refuses(self, tmp_path: Path) -> None:
        done = check_jsonschema(tmp_path, REFUSED)
        assert done.returncode == 1, done.stdout
        for name, (text, problem) in REFUSED.items():
            assert f"{name}::$.automations[0]" in done.stdout
            with pytest.raises(PolicyError) as caught:
                parse_policy(text, name)
            assert caught.value.problems == (problem,)

    def test_names_given_twice_only_the_action_refuses_and_the_schema_says_so(self, tmp_path: Path) -> None:
        done = check_jsonschema(tmp_path, NAMES_TWICE)
        assert (done.returncode, done.stdout.strip()) == (0, "ok -- validation done")
        for name, (text, problem) in NAMES_TWICE.items():
            with pytest.raises(PolicyError) as caught:
                parse_policy(text, name)
            assert caught.value.problems == (problem,)
        assert SCHEMA["x-onlyTheActionChecks"] == list(ONLY_THE_ACTION_CHECKS)
        assert "cicdProfiles: no two profiles have one name" in ONLY_THE_ACTION_CHECKS
        assert "automations: no two rules have one name" in ONLY_THE_ACTION_CHECKS

    def test_the_yaml_limits_listed_are_the_reader_s(self) -> None:
        [limits] = [line for line in ONLY_THE_ACTION_CHECKS if line.startswith("the YAML")]
        assert f"at most {MAX_POLICY_BYTES // 1024} KiB" in limits
        assert f"nested at most {MAX_DEPTH} deep, numbers of at most {MAX_DIGITS} digits" in limits

    @pytest.mark.parametrize(
        ("document", "path"),
        [
            ({"cicdProfiles": [{"name": "p", "when": {"events": ["push", "push"]}}]}, "cicdProfiles[0].when.events"),
            ({"cicdProfiles": [{"name": "p", "when": {"tags": ["v*", "v*"]}}]}, "cicdProfiles[0].when.tags"),
            (
                {
                    "cicdProfiles": [{"name": "p"}],
                    "automations": [
                        {"name": "r", "scope": {"scopeType": "profiles", "profiles": ["p", "p"]}, "events": []}
                    ],
                },
                "automations[0].scope.profiles",
            ),
            (
                {
                    "automations": [
                        {
                            "name": "r",
                            "events": [
                                {
                                    "eventType": "scan_done",
                                    "actions": [
                                        {"actionType": "create_issue", "createIssueOptions": {"assignees": ["o", "o"]}}
                                    ],
                                }
                            ],
                        }
                    ]
                },
                "automations[0].events[0].actions[0].createIssueOptions.assignees",
            ),
        ],
    )
    def test_a_list_naming_one_thing_twice(self, document: dict[str, Any], path: str) -> None:
        document = {"version": 1, **document}
        with pytest.raises(jsonschema.ValidationError, match="has non-unique elements"):
            jsonschema.validate(document, SCHEMA)
        assert problem_of(document).startswith(f"{path}[1]: ")
        assert problem_of(document).endswith(f" is listed twice (first at {path.rpartition('.')[2]}[0])")
