"""The policy file: CI/CD profiles after Invicti's model, chosen per run; inputs given in the workflow still win.

Pure: the text comes in (read by the GitHub adapter at a commit the pull request cannot change),
a validated `Policy` or a `PolicyError` listing every problem comes out; `select` picks a profile
for the run and `effective` merges input > profile > built-in default, saying where each setting
came from. `SCHEMA` is the one description of the file: the validator walks it, and the JSON
Schema published for editors (policy.schema.json) is generated from it.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gate.core.actions import INSTANCE_ID, KINDS, REFUSED, needs_of
from gate.core.errors import PolicyError
from gate.core.plugins import PLUGINS, RESERVED_PREFIXES, reserved
from gate.core.plugins import REFUSED as REFUSED_PLUGINS
from gate.core.precedence import Given
from gate.core.sanitize import clean
from gate.core.wording import a_few

MAX_POLICY_BYTES = 64 * 1024
SHOWN_WIDTH = 60  # a value or key of the file quoted in a message is cut at this many characters
LISTED = 20  # problems the one-line message lists; `PolicyError.problems` keeps them all
EVENTS = (
    "pull_request", "pull_request_target", "merge_group", "push", "workflow_dispatch", "schedule", "release",
)  # fmt: skip
SCAN_TYPES = ("dependency", "sast", "iac", "secrets")
# Invicti calls MEDIUM "normal".
SEVERITY_CONDITIONS = {
    "critical": "CRITICAL",
    "high_or_critical": "HIGH",
    "normal_or_above": "MEDIUM",
    "low_or_above": "LOW",
}
# Aikido's names (minimum-severity) in place of Invicti's, with why, for the hint of a wrong value
# (high_or_above is as near low_or_above as high_or_critical by its letters).
SEVERITY_ALIASES = {
    f"{severity.lower()}{suffix}": [name, f"Invicti's names: {name} is {severity} and above"]
    for name, severity in SEVERITY_CONDITIONS.items()
    for suffix in ("", "_or_above")
    if f"{severity.lower()}{suffix}" != name
}
FAIL_THE_BUILD = ("when_conditions_are_met", "do_not_fail_build")

# Automation rules: the events of a run, and what may happen on them.
AUTOMATION_EVENTS = ("scan_done", "scan_failed", "vulnerability_found", "vulnerability_created", "report_created")
VULNERABILITY_OPTIONS_REFUSED = (
    "vulnerabilityOptions is not supported (its criticality included): Aikido's CI API reports counts only at the "
    "scan's minimum severity, the run's minimum-severity (vulnerabilitySeverityConditions), so vulnerability_found "
    "fires for issues at or above it; set that instead"
)
_GLOBS = {"type": "array", "uniqueItems": True, "items": {"type": "string", "minLength": 1}}
# What the action checks and JSON Schema cannot say (an editor's schema check passes these), for the reference.
ONLY_THE_ACTION_CHECKS = (
    "cicdProfiles: no two profiles have one name",
    "automations: no two rules have one name",
    "automations[].scope.profiles: each names a profile of cicdProfiles",
    "instances: no two instances have one instanceId",
    "an action's instanceId: names an instance whose plugin does that action (a slack instance cannot create_issue)",
    f"instances[].*.urlEnv, tokenEnv, passwordEnv: no name under {', '.join(RESERVED_PREFIXES)} (any case)",
    "instances[].email: security plain only with host localhost, 127.0.0.1 or ::1; user and passwordEnv both or "
    "neither",
    "version and timeoutSeconds: whole numbers written without a fraction (JSON Schema counts 1.0 as 1)",
    "a rule in the run's scope: the input each of its actions needs is set (else that action is skipped with a "
    f"warning: {needs_of()})",
    "a rule in the run's scope: each variable its instance names is set, a urlEnv's to an https:// URL (else "
    "that action is skipped with a warning naming the variable)",
    "instances[].jira.url: https:// (plain http:// only to this machine), without user:password@, query or fragment",
    "the policy-profile input: names a profile of cicdProfiles",
    f"the YAML: at most {MAX_POLICY_BYTES // 1024} KiB, read as YAML 1.2 (yes and no are text), no aliases, no tags "
    "beyond YAML's own, no key given twice, nested at most 50 deep, numbers of at most 100 digits",
)


def _profile_schema() -> dict[str, Any]:
    """One CI/CD profile: when it applies, and when to fail."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "description": "Unique among the profiles (the action checks it; JSON Schema cannot).",
            },
            "when": {
                "type": "object",
                "additionalProperties": False,
                "description": "When it applies (absent: every run); all conditions given must hold.",
                "properties": {
                    "events": {"type": "array", "uniqueItems": True, "items": {"enum": list(EVENTS)}},
                    "branches": {
                        **_GLOBS,
                        "description": "Globs: a PR's base branch, or the pushed branch.",
                    },
                    "tags": {**_GLOBS, "description": "Globs: a pushed tag, or a release's tag."},
                },
            },
            "failConditions": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "failTheBuild": {
                        "enum": list(FAIL_THE_BUILD),
                        "description": "do_not_fail_build: report",
                    },
                    "vulnerabilitySeverityConditions": {
                        "enum": list(SEVERITY_CONDITIONS),
                        "description": "The lowest severity that fails: normal_or_above is MEDIUM.",
                        "x-aliases": SEVERITY_ALIASES,
                    },
                    "scanTypes": {
                        "type": "array",
                        "uniqueItems": True,
                        "items": {"enum": list(SCAN_TYPES)},
                        "description": "The categories whose new issues fail the build (fail-on-* inputs).",
                    },
                    "failOnTimeout": {"type": "boolean"},
                },
            },
            "releaseGating": {"type": "boolean"},
            "timeoutSeconds": {"type": "integer", "minimum": 1, "maximum": 21600},
        },
    }


def _action_schema() -> dict[str, Any]:
    """One action: its actionType, and the options of its kind (gate.core.actions)."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["actionType"],
        # Each kind's options only with its actionType: checked by
        # validate's _check_rule, as the scope's if/then above.
        "allOf": [
            *(
                {
                    "if": {"required": [kind.options]},
                    "then": {"properties": {"actionType": {"const": kind.type}}},
                }
                for kind in KINDS.values()
                if kind.options
            ),
            # A kind whose options have a required key needs its options (send_email its instanceId).
            *(
                {
                    "if": {"properties": {"actionType": {"const": kind.type}}, "required": ["actionType"]},
                    "then": {"required": [kind.options]},
                }
                for kind in KINDS.values()
                if kind.options and kind.options_schema.get("required")
            ),
        ],
        "properties": {
            "actionType": {"enum": list(KINDS), "x-refused": REFUSED},
            **{kind.options: dict(kind.options_schema) for kind in KINDS.values() if kind.options},
        },
    }


def _instance_schema() -> dict[str, Any]:
    """One plugin instance: its id, its pluginId, and that plugin's options under its key (gate.core.plugins)."""
    with_options = [plugin for plugin in PLUGINS.values() if plugin.options]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["instanceId", "pluginId"],
        # A plugin's options are required with its pluginId, and only with it: checked by
        # validate's _check_instances, in its own words.
        "allOf": [
            *(
                {
                    "if": {"properties": {"pluginId": {"const": plugin.id}}, "required": ["pluginId"]},
                    "then": {"required": [plugin.options]},
                }
                for plugin in with_options
            ),
            *(
                {"if": {"required": [plugin.options]}, "then": {"properties": {"pluginId": {"const": plugin.id}}}}
                for plugin in with_options
            ),
        ],
        "properties": {
            "instanceId": {
                **INSTANCE_ID,
                "description": "Unique among the instances (the action checks it); actions name it.",
            },
            "pluginId": {"enum": list(PLUGINS), "x-refused": REFUSED_PLUGINS},
            "name": {
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "description": "A name for people, as Invicti's (Production Jira); messages name the instanceId.",
            },
            **{plugin.options: dict(plugin.options_schema) for plugin in with_options if plugin.options},
        },
    }


def _rule_schema() -> dict[str, Any]:
    """One automation rule: its scope, and on each event the actions it takes (gate.core.actions)."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "events"],
        "properties": {
            "name": {
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "description": "Unique among the rules (the action checks it; JSON Schema cannot).",
            },
            "enabled": {"type": "boolean"},
            "scope": {
                "type": "object",
                "additionalProperties": False,
                "required": ["scopeType"],
                "properties": {
                    "scopeType": {"enum": ["all", "profiles"]},
                    "profiles": {
                        "type": "array",
                        "uniqueItems": True,
                        "items": {"type": "string", "minLength": 1},
                        "description": "Names of cicdProfiles (the action checks each exists).",
                    },
                },
                # Checked by validate's _check_rule, which names the profiles to choose from.
                "if": {"properties": {"scopeType": {"const": "profiles"}}, "required": ["scopeType"]},
                "then": {"required": ["profiles"], "properties": {"profiles": {"minItems": 1}}},
            },
            "events": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["eventType", "actions"],
                    "x-refusedKeys": {"vulnerabilityOptions": VULNERABILITY_OPTIONS_REFUSED},
                    "properties": {
                        "eventType": {"enum": list(AUTOMATION_EVENTS)},
                        "actions": {
                            "type": "array",
                            "items": _action_schema(),
                        },
                    },
                },
            },
        },
    }


def build_schema() -> dict[str, Any]:
    """The one description of the file, the action kinds' from their registry (gate.core.actions)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://raw.githubusercontent.com/aikido-gate/aikido-gate/main/policy.schema.json",
        "title": "aikido-gate policy file",
        "description": "CI/CD profiles for aikido-gate, after Invicti's model: when each applies and when to fail.",
        "x-onlyTheActionChecks": list(ONLY_THE_ACTION_CHECKS),
        "type": "object",
        "additionalProperties": False,
        "required": ["version"],
        "properties": {
            "version": {"const": 1, "description": "The file format's version: 1."},
            "cicdProfiles": {
                "type": "array",
                "description": "Named profiles; policy-profile names one, else the first whose `when` matches the run.",
                "items": _profile_schema(),
            },
            "instances": {
                "type": "array",
                "description": "Plugin instances after Invicti's: the trackers and communicators actions name.",
                "items": _instance_schema(),
            },
            "automations": {
                "type": "array",
                "description": "Rules after Invicti's automation rules: on an event of a run, run actions.",
                "items": _rule_schema(),
            },
        },
    }


SCHEMA = build_schema()


@dataclass(frozen=True)
class LongNumber:
    """A number of the file too long to read (Python refuses an int of over 4300 digits): the parser's stand-in."""

    digits: int


@dataclass(frozen=True)
class When:
    events: tuple[str, ...] | None = None
    branches: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    when: When | None
    # The settings it gives (gate.core.precedence.Given): the others come from the inputs or the defaults.
    settings: Given


@dataclass(frozen=True)
class Action:
    """What an automation does on an event: its actionType (gate.core.actions.KINDS) and its options, as given."""

    type: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def listed(self, option: str) -> tuple[str, ...]:
        """An option that is a list of names (labels, assignees), empty when not given."""
        return tuple(self.options.get(option, ()))


@dataclass(frozen=True)
class Instance:
    """A plugin instance (gate.core.plugins.PLUGINS): `variables` maps each secret's key (urlEnv, tokenEnv,
    passwordEnv) to the environment variable that holds it, never the secret itself; `options` holds the rest of
    its plugin's options as given (a Jira instance's url and project)."""

    id: str
    plugin: str
    variables: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def url_env(self) -> str | None:
        return self.variables.get("urlEnv")


@dataclass(frozen=True)
class Automation:
    """A rule: on each of its events, its actions; `profiles` None means every run (scopeType all)."""

    name: str
    enabled: bool
    profiles: tuple[str, ...] | None
    events: tuple[tuple[str, tuple[Action, ...]], ...]

    def actions(self) -> tuple[Action, ...]:
        return tuple(action for _, actions in self.events for action in actions)


@dataclass(frozen=True)
class Policy:
    """A validated policy file; `source` names it as the user wrote it."""

    source: str
    profiles: tuple[Profile, ...] = ()
    automations: tuple[Automation, ...] = ()
    instances: tuple[Instance, ...] = ()

    def named(self, name: str) -> Profile:
        for profile in self.profiles:
            if profile.name == name:
                return profile
        names = a_few([profile.name for profile in self.profiles]) or "none"
        raise PolicyError(f"policy-profile {name!r} is not in {self.source}: its profiles are {names}")


# -- reading ----------------------------------------------------------------------------------------------------


@dataclass
class _Checker:
    """Walks a parsed document along SCHEMA, collecting every problem with its path and line."""

    lines: Mapping[str, int]
    found: list[tuple[int, str]] = field(default_factory=list)

    def problem(self, path: str, message: str) -> None:
        line = self.lines.get(path, 0)
        where = f"line {line}: " if line else ""
        self.found.append((line, f"{where}{path or 'the file'}: {message}"))

    @property
    def problems(self) -> list[str]:
        """In the order of the file."""
        return [text for _, text in sorted(self.found, key=lambda found: found[0])]

    def check(self, value: Any, schema: dict[str, Any], path: str) -> None:
        if isinstance(value, LongNumber):
            self.problem(path, f"a number of {value.digits} digits is too long")
            return
        if "const" in schema and not _same(value, schema["const"]):
            self.problem(path, _wrong(value, json.dumps(schema["const"])))
        if isinstance(value, str) and value in schema.get("x-refused", {}):
            self.problem(path, schema["x-refused"][value])
        elif "enum" in schema and not any(_same(value, item) for item in schema["enum"]):
            self.problem(path, f"{_not_one_of(value, schema['enum'])}{_hint(value, schema)}")
        kind = schema.get("type")
        if kind == "object":
            self._object(value, schema, path)
        elif kind == "array":
            self._array(value, schema, path)
        elif kind == "string" and not (isinstance(value, str) and len(value) >= schema.get("minLength", 0)):
            self.problem(path, "must be a non-empty string" if isinstance(value, str) else _wrong(value, "a string"))
        elif kind == "string" and len(value) > schema.get("maxLength", len(value)):
            self.problem(path, f"must be at most {schema['maxLength']} characters")
        elif kind == "string" and "x-mismatch" in schema and not re.fullmatch(schema["pattern"], value):
            self.problem(path, f"{shown(value)} {schema['x-mismatch']}")
        elif kind == "boolean" and not isinstance(value, bool):
            self.problem(path, _wrong(value, "true or false"))
        elif kind == "integer":
            low, high = schema["minimum"], schema["maximum"]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                self.problem(path, _wrong(value, f"a whole number from {low} to {high}"))

    def _object(self, value: Any, schema: dict[str, Any], path: str) -> None:
        if not isinstance(value, dict):
            self.problem(path, _wrong(value, "a mapping of keys to values"))
            return
        known = schema["properties"]
        refused = schema.get("x-refusedKeys", {})
        for key in value:
            if key in refused:
                self.problem(join_path(path, key), refused[key])
            elif key not in known:
                closest = _closest(str(key), list(known))
                hint = f"; did you mean {closest}?" if closest else f"; known keys: {', '.join(known)}"
                self.problem(join_path(path, key), f"unknown key{hint}")
        for key in schema.get("required", ()):
            if key not in value:
                self.problem(path, f"{key} is required")
        for key, child in known.items():
            if key in value:
                self.check(value[key], child, join_path(path, key))

    def _array(self, value: Any, schema: dict[str, Any], path: str) -> None:
        if not isinstance(value, list):
            self.problem(path, _wrong(value, "a list"))
            return
        if len(value) < schema.get("minItems", 0):
            self.problem(path, f"must list at least {schema['minItems']}")
        if len(value) > schema.get("maxItems", len(value)):
            self.problem(path, f"must list at most {schema['maxItems']}")
        first: dict[tuple[type, Any], int] = {}
        for index, item in enumerate(value):
            self.check(item, schema["items"], f"{path}[{index}]")
            # uniqueItems, for the scalars these lists hold (anything else already fails `items`);
            # if/then and minItems are SCHEMA's for editors: validate's _check_rule says the same in its words.
            if schema.get("uniqueItems") and isinstance(item, str | int | float):
                earlier = first.setdefault((type(item), item), index)
                if earlier != index:
                    line = self.lines.get(f"{path}[{earlier}]")
                    where = f"on line {line}" if line else f"at {path.rpartition('.')[2]}[{earlier}]"
                    self.problem(f"{path}[{index}]", f"{shown(item)} is listed twice (first {where})")


def _hint(value: Any, schema: dict[str, Any]) -> str:
    """`; did you mean X?` for a wrong value of an enum: in the wrong case or form, another name, or misspelt."""
    if not isinstance(value, str):
        return ""
    choices: list[str] = schema["enum"]
    joined = "_".join(_words(value, synonyms=False))
    if value.lower() in choices:
        return f"; did you mean {value.lower()}? (values are in lower case)"
    if joined in choices:
        return f"; did you mean {joined}? (values are in lower case, words joined by _)"
    if joined in schema.get("x-aliases", {}):
        meant, why = schema["x-aliases"][joined]
        return f"; did you mean {meant}? ({why})"
    closest = _closest(value, choices)
    return f"; did you mean {closest}?" if closest else ""


# Words a user may write for the file's own: scan_finished for scan_done, vulns for vulnerability.
_SYNONYMS = {
    **dict.fromkeys(("finished", "completed", "complete", "succeeded", "success", "ended"), "done"),
    **dict.fromkeys(("error", "errored", "failure"), "failed"),
    **dict.fromkeys(("vuln", "vulns", "vulnerabilities"), "vulnerability"),
    **dict.fromkeys(("detected", "discovered"), "found"),
}


def _words(text: str, *, synonyms: bool = True) -> list[str]:
    """`failTheBuild`, `fail_the_build` and `Fail-the build` alike: fail, the, build (each synonym as its word)."""
    words = [word.lower() for word in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", text)]
    return [_SYNONYMS.get(word, word) for word in words] if synonyms else words


def _negated(words: list[str]) -> bool:
    return not {"not", "no", "dont", "never", "without"}.isdisjoint(words)


def _closest(word: str, choices: list[str]) -> str | None:
    """The valid spelling nearest to a wrong one, if any is near: compared by words, so case, form and
    synonyms do not count; else the one choice that holds every word given (issue: create_issue).

    Never one that says the opposite: "fail" is not near do_not_fail_build.
    """
    words = _words(word)
    choices = [choice for choice in choices if _negated(_words(choice)) == _negated(words)]
    spelled = {"_".join(_words(choice)): choice for choice in choices}
    found = difflib.get_close_matches("_".join(words), list(spelled), n=1)
    if found:
        return spelled[found[0]]
    holding = [choice for choice in choices if words and set(words) <= set(_words(choice))]
    return holding[0] if len(holding) == 1 else None


def _same(value: Any, expected: Any) -> bool:
    """Equal and of one type: in Python True == 1 and 1.0 == 1, in the file they are not the number 1."""
    return type(value) is type(expected) and value == expected


def _kind(value: Any) -> str | None:
    """What a value that is no single word or number is, in words; None for the others, which are shown."""
    return {dict: "a mapping", list: "a list", type(None): "empty"}.get(type(value))


def _wrong(value: Any, expected: str) -> str:
    """`"1:00:00" must be a whole number from 1 to 21600`, or `must be a list, not a mapping`."""
    kind = _kind(value)
    return f"must be {expected}, not {kind}" if kind else f"{shown(value)} must be {expected}"


def _not_one_of(value: Any, choices: list[str]) -> str:
    kind = _kind(value)
    listed = ", ".join(choices)
    return f"must be one of {listed}, not {kind}" if kind else f"{shown(value)} is not one of {listed}"


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN_WIDTH else text[: SHOWN_WIDTH - 1] + "…"


def shown(value: Any) -> str:
    """A value of the file as a message quotes it: JSON, control characters made visible, cut short."""
    if isinstance(value, int) and value.bit_length() > 4 * SHOWN_WIDTH:
        return f"a number of more than {SHOWN_WIDTH} digits"  # str() refuses over 4300 digits
    return _cut(clean(json.dumps(value, ensure_ascii=False, default=str)))


def join_path(path: str, key: Any) -> str:
    """The path of a key's value as messages name it (`cicdProfiles[0].name`): the key cleaned and cut short."""
    name = _cut(clean(json.dumps(key, ensure_ascii=False)[1:-1])) if isinstance(key, str) else shown(key)
    return f"{path}.{name}" if path else name


def validate(document: Any, lines: Mapping[str, int], source: str) -> Policy:
    """The policy in a parsed document, or PolicyError listing every problem (each with its line, where known)."""
    checker = _Checker(lines)
    checker.check(document, SCHEMA, "")
    profiles = _unique_names(checker, document, "cicdProfiles", "profile")
    _unique_names(checker, document, "automations", "automation")
    instances = _check_instances(checker, document)
    rules = document.get("automations") if isinstance(document, dict) else None
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        if isinstance(rule, dict):
            _check_rule(checker, rule, f"automations[{index}]", profiles, instances)
    problems = checker.problems
    if problems:
        count = len(problems)
        listed = "; ".join(problems[:LISTED]) + (f"; and {count - LISTED} more" if count > LISTED else "")
        raise PolicyError(f"{source} has {count} problem{'s' if count > 1 else ''}: {listed}", problems)
    return Policy(
        source,
        tuple(_profile(item) for item in document.get("cicdProfiles", [])),
        tuple(_automation(item) for item in document.get("automations", [])),
        tuple(_instance(item) for item in document.get("instances", [])),
    )


def _unique_names(checker: _Checker, document: Any, key: str, what: str, field: str = "name") -> set[str]:
    """The names of the list under `key`, noting each name given twice."""
    items = document.get(key) if isinstance(document, dict) else None
    seen: set[str] = set()
    for index, item in enumerate(items if isinstance(items, list) else []):
        name = item.get(field) if isinstance(item, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            checker.problem(f"{key}[{index}].{field}", f"{name!r} names an earlier {what} too")
        seen.add(name)
    return seen


_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RESERVED_VARIABLE = (
    "{name} is reserved: names under {prefixes} are the runner's and the action's own; name a variable the step "
    "sets in its env: from a secret, e.g. SLACK_WEBHOOK_URL: ${{{{ secrets.SLACK_WEBHOOK_URL }}}}"
)


def _check_instances(checker: _Checker, document: Any) -> dict[str, str]:
    """What the schema cannot say of the instances; returns each well-formed instance's pluginId by its id."""
    _unique_names(checker, document, "instances", "instance", "instanceId")
    items = document.get("instances") if isinstance(document, dict) else None
    found: dict[str, str] = {}
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        path, plugin = f"instances[{index}]", PLUGINS.get(item.get("pluginId", ""))
        if plugin is not None and isinstance(item.get("instanceId"), str):
            found.setdefault(item["instanceId"], plugin.id)
        for other in PLUGINS.values():
            if other.options and other.options in item and other is not plugin:
                checker.problem(join_path(path, other.options), f"belongs to pluginId {other.id}")
        if plugin is None or not plugin.options:
            continue
        options = item.get(plugin.options)
        if options is None:
            checker.problem(path, f"pluginId {plugin.id} needs {plugin.options}: {plugin.example}")
        elif isinstance(options, dict) and plugin.check is not None:
            for key, problem in plugin.check(options):
                checker.problem(join_path(f"{path}.{plugin.options}", key), problem)
        for key in plugin.secrets:
            name = options.get(key) if isinstance(options, dict) else None
            if isinstance(name, str) and name and not _VARIABLE_NAME.fullmatch(name):
                checker.problem(
                    f"{path}.{plugin.options}.{key}",
                    f"{shown(name)} is not a variable's name: letters, digits and _, not starting with a digit",
                )
            elif isinstance(name, str) and reserved(name):
                prefixes = ", ".join(RESERVED_PREFIXES)
                checker.problem(
                    f"{path}.{plugin.options}.{key}", RESERVED_VARIABLE.format(name=shown(name), prefixes=prefixes)
                )
    return found


def _check_rule(
    checker: _Checker, rule: dict[str, Any], path: str, profiles: set[str], instances: Mapping[str, str]
) -> None:
    """What the schema cannot say of a rule: its scope names profiles that exist; options fit their action; each
    instance an action names exists and does that action."""
    scope = rule.get("scope")
    if isinstance(scope, dict) and scope.get("scopeType") == "profiles":
        named = scope.get("profiles")
        if not named:
            checker.problem(f"{path}.scope", "scopeType profiles needs profiles: the names of cicdProfiles")
        for index, name in enumerate(named if isinstance(named, list) else []):
            if isinstance(name, str) and name not in profiles:
                known = a_few(sorted(profiles)) or "none"
                checker.problem(f"{path}.scope.profiles[{index}]", f"no profile is named {name!r} (profiles: {known})")
    events = rule.get("events")
    for index, event in enumerate(events if isinstance(events, list) else []):
        actions = event.get("actions") if isinstance(event, dict) else None
        for number, action in enumerate(actions if isinstance(actions, list) else []):
            for kind in KINDS.values():
                if isinstance(action, dict) and kind.options in action and action.get("actionType") != kind.type:
                    checker.problem(
                        f"{path}.events[{index}].actions[{number}].{kind.options}", f"belongs to actionType {kind.type}"
                    )
            if isinstance(action, dict):
                _check_needed_options(checker, action, f"{path}.events[{index}].actions[{number}]")
                _check_instance_of(checker, action, f"{path}.events[{index}].actions[{number}]", instances)


def _check_needed_options(checker: _Checker, action: dict[str, Any], path: str) -> None:
    """An action whose options have a required key has its options (send_email: sendEmailOptions.instanceId)."""
    kind = KINDS.get(action.get("actionType", ""))
    needed = kind.options_schema.get("required") if kind is not None and kind.options else None
    if kind is not None and needed and kind.options not in action:
        example = ", ".join(f"{key}: …" for key in needed)
        checker.problem(path, f"actionType {kind.type} needs {kind.options}: {{{example}}}")


def _check_instance_of(checker: _Checker, action: dict[str, Any], path: str, instances: Mapping[str, str]) -> None:
    """The instance an action names exists, and its plugin does that action."""
    kind = KINDS.get(action.get("actionType", ""))
    options = action.get(kind.options) if kind is not None and kind.options else None
    named = options.get("instanceId") if isinstance(options, dict) else None
    if kind is None or not isinstance(named, str) or not named:
        return
    where = f"{path}.{kind.options}.instanceId"
    serving = sorted(name for name, plugin in instances.items() if kind.type in PLUGINS[plugin].serves)
    choices = f"(instances that can {kind.type}: {a_few([repr(name) for name in serving]) or 'none'})"
    if named not in instances:
        checker.problem(where, f"no instance is named {named!r} {choices}")
    elif kind.type not in PLUGINS[instances[named]].serves:
        checker.problem(where, f"{named!r} is a {instances[named]} instance, which cannot {kind.type} {choices}")


def _automation(item: dict[str, Any]) -> Automation:
    scope = item.get("scope", {"scopeType": "all"})
    profiles = tuple(scope.get("profiles", ())) if scope["scopeType"] == "profiles" else None
    events = tuple(
        (event["eventType"], tuple(_action(action) for action in event["actions"])) for event in item["events"]
    )
    return Automation(item["name"], item.get("enabled", True), profiles, events)


def _instance(item: dict[str, Any]) -> Instance:
    plugin = PLUGINS[item["pluginId"]]
    options = item.get(plugin.options, {}) if plugin.options else {}
    variables = {key: options[key] for key in plugin.secrets if key in options}
    rest = {key: value for key, value in options.items() if key not in plugin.secrets}
    return Instance(item["instanceId"], plugin.id, variables, rest)


def _action(item: dict[str, Any]) -> Action:
    kind = KINDS[item["actionType"]]
    return Action(kind.type, item.get(kind.options, {}) if kind.options else {})


def _profile(item: dict[str, Any]) -> Profile:
    when = item.get("when")
    conditions = item.get("failConditions", {})
    fail = conditions.get("failTheBuild")
    types = conditions.get("scanTypes")
    blocking = {f"fail_on_{kind}_scan": kind in types for kind in SCAN_TYPES} if types is not None else {}
    severity = conditions.get("vulnerabilitySeverityConditions")
    given = {
        "minimum_severity": SEVERITY_CONDITIONS[severity] if severity else None,
        "fail_on_timeout": conditions.get("failOnTimeout"),
        "report_only": None if fail is None else fail == "do_not_fail_build",
        "release_gating": item.get("releaseGating"),
        "timeout_seconds": item.get("timeoutSeconds"),
        **blocking,
    }
    settings = {name: value for name, value in given.items() if value is not None}
    conditions_of = None if when is None else When(*(_items(when, key) for key in ("events", "branches", "tags")))
    return Profile(item["name"], conditions_of, settings)


def _items(mapping: dict[str, Any], key: str) -> tuple[str, ...] | None:
    return tuple(mapping[key]) if key in mapping else None


# -- choosing ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunFacts:
    """What a profile's `when` is matched against: the event, and the branch or tag it is about."""

    event: str
    branch: str | None = None
    tag: str | None = None

    def describe(self) -> str:
        where = f", base branch {self.branch}" if self.event in _PR_EVENTS and self.branch else ""
        where = where or (f", branch {self.branch}" if self.branch else "") or (f", tag {self.tag}" if self.tag else "")
        return f"event {self.event}{where}"


_PR_EVENTS = ("pull_request", "pull_request_target", "merge_group")


def glob_matches(pattern: str, name: str) -> bool:
    """GitHub's filter patterns: `*` within a path segment, `**` across them, `?` one character."""
    regex = "".join(
        ".*" if part == "**" else "[^/]*" if part == "*" else "[^/]" if part == "?" else re.escape(part)
        for part in re.split(r"(\*\*|\*|\?)", pattern)
    )
    return re.fullmatch(regex, name) is not None


def matches(when: When | None, run: RunFacts) -> bool:
    if when is None:
        return True
    if when.events is not None and run.event not in when.events:
        return False
    if when.branches is not None and not (run.branch and any(glob_matches(g, run.branch) for g in when.branches)):
        return False
    return when.tags is None or bool(run.tag and any(glob_matches(g, run.tag) for g in when.tags))


@dataclass(frozen=True)
class Choice:
    """The profile a run follows (None: the built-in defaults) and why, in words for the summary."""

    profile: Profile | None
    why: str


def select(policy: Policy, requested: str | None, run: RunFacts) -> Choice:
    """The profile named by policy-profile, else the first whose `when` matches the run; `why` in words for people."""
    if requested:
        return Choice(policy.named(requested), f"named by policy-profile ({run.describe()})")
    if not policy.profiles:
        # A file of automation rules only: there is nothing to match.
        return Choice(None, f"{policy.source} has no cicdProfiles: the inputs and the built-in defaults apply")
    for profile in policy.profiles:
        if matches(profile.when, run):
            why = "its when matches" if profile.when else "it has no when: every run"
            return Choice(profile, f"the first profile for {run.describe()}: {why}")
    return Choice(None, f"no profile in {policy.source} matches {run.describe()}: the built-in defaults apply")


def schema_text() -> str:
    """policy.schema.json as committed: SCHEMA, generated (tests/core/test_policy.py checks the file is this)."""
    return json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"
