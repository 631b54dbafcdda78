"""README's Inputs and Outputs tables against action.yml, and docs/policy.md's field tables against the schema.

A user reads the tables, the runner reads action.yml, an editor reads policy.schema.json: each
check below names the row that no longer says what the source does. The checks are functions of
the texts, so the drift tests can hand them a changed action.yml or schema and see them object.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr, ValidationError

from gate.boot.settings import SEVERITIES, Inputs
from gate.core.actions import KINDS
from gate.core.comment import CommentMode
from gate.core.errors import PolicyError
from gate.core.policy import validate
from gate.core.precedence import DEFAULTS, INPUT_NAMES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
POLICY_DOC = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
SCHEMA: dict[str, Any] = json.loads((ROOT / "policy.schema.json").read_text(encoding="utf-8"))
NONE = "—"  # an input cell for a field that corresponds to no input


FENCED = re.compile(r"^```\w*\n.*?^```$", flags=re.MULTILINE | re.DOTALL)


def section(text: str, heading: str) -> str:
    """The prose under a heading (code blocks left out), up to the next heading of its level or above."""
    level = heading.split(" ", maxsplit=1)[0]
    body = FENCED.sub("", text).partition(f"\n{heading}\n")[2]
    return re.split(rf"\n#{{1,{len(level)}}} ", body)[0]


def table(text: str) -> list[list[str]]:
    """The rows of the Markdown tables in `text` whose first cell is code, each as its cells."""
    return [
        [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        for line in text.splitlines()
        if line.startswith("| `")
    ]


def code(cell: str) -> list[str]:
    """The code spans of a cell, in order."""
    return re.findall(r"`([^`]+)`", cell)


# -- inputs and outputs -------------------------------------------------------------------------------------------

# The inputs whose values are a short list, and that list (the bool inputs: true and false).
LISTED_VALUES: dict[str, tuple[str, ...]] = {"minimum-severity": SEVERITIES}
FIELDS = {str(field.description): field for field in Inputs.model_fields.values()}
PROFILE_INPUTS = {name: field for field, name in INPUT_NAMES.items()}


def accepts(name: str, value: str) -> bool:
    """Whether the action takes `value` for input `name` (settings.py's own validation)."""
    try:
        Inputs.model_validate({f"INPUT_{name.upper()}": value})
    except ValidationError:
        return False
    return True


def expected_default(name: str, spec: Mapping[str, Any]) -> str:
    """The default cell: required, a profile's setting over the built-in default, empty, or action.yml's default."""
    if spec.get("required"):
        return "required"
    default = str(spec.get("default", ""))
    if default == "" and name in PROFILE_INPUTS:
        value = getattr(DEFAULTS, PROFILE_INPUTS[name])
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        return f"profile, else `{shown}`"
    return f"`{default}`" if default else "empty"


def value_problems(name: str, spec: Mapping[str, Any], cell: str) -> list[str]:
    """What the values cell says that the action does not do, or leaves out."""
    problems = []
    field = FIELDS.get(name)
    annotation = str(field.annotation) if field else ""
    listed = code(cell)
    finite: tuple[str, ...] = LISTED_VALUES.get(name, ())
    if "bool" in annotation:
        finite = ("true", "false")
    if "CommentMode" in annotation:
        finite = tuple(CommentMode)
    for value in finite:
        if value not in listed:
            problems.append(f"{name}: the values leave out {value}")
    if finite:
        problems += [f"{name}: the action refuses the value {value}" for value in listed if not accepts(name, value)]
    if "int" in annotation:
        said = re.search(r"\b1 to (\d+)\b", cell)
        limit = re.search(r"\b1 to (\d+)\b", spec.get("description", ""))
        if said is None or limit is None or said[1] != limit[1]:
            problems.append(f"{name}: the values say {said and said[0]}, action.yml {limit and limit[0]}")
        elif not (accepts(name, said[1]) and not accepts(name, str(int(said[1]) + 1)) and not accepts(name, "0")):
            problems.append(f"{name}: the action's limits are not {said[0]}")
    if longest := re.search(r"at most (\d+) characters", cell):
        most = int(longest[1])
        if not (accepts(name, "a" * most) and not accepts(name, "a" * (most + 1))):
            problems.append(f"{name}: the action's longest value is not {most} characters")
    if "40 or 64 hex digits" in cell and not all(accepts(name, "a" * n) != (n == 39) for n in (39, 40, 64)):
        problems.append(f"{name}: the action takes other than 40 or 64 hex digits")
    return problems


def inputs_problems(readme: str, action: Mapping[str, Any]) -> list[str]:
    """The README's Inputs table against action.yml's inputs: one row each, in order, saying what it does."""
    inputs: Mapping[str, Any] = action["inputs"]
    rows = table(section(readme, "## Inputs"))
    named = [code(row[0])[0] for row in rows]
    problems = [f"{name}: no row in the Inputs table" for name in inputs if name not in named]
    problems += [f"{name}: a row, but action.yml has no such input" for name in named if name not in inputs]
    if not problems and named != list(inputs):
        problems.append("the Inputs table is not in action.yml's order")
    for row in rows:
        name = code(row[0])[0]
        if name not in inputs:
            continue
        if len(row) != 4:
            problems.append(f"{name}: the row has {len(row)} cells, not 4 (input, default, values, what it does)")
            continue
        default = expected_default(name, inputs[name])
        if row[1] != default:
            problems.append(f"{name}: the default says {row[1]}, action.yml and the code {default}")
        problems += value_problems(name, inputs[name], row[2])
        if not row[3]:
            problems.append(f"{name}: says nothing of what it does")
    return problems


def outputs_problems(readme: str, action: Mapping[str, Any]) -> list[str]:
    """The README's Outputs table against action.yml's outputs: one row each, in order."""
    outputs = list(action["outputs"])
    named = [code(row[0])[0] for row in table(section(readme, "## Outputs")) if row[1]]
    problems = [f"{name}: no row in the Outputs table" for name in outputs if name not in named]
    problems += [f"{name}: a row, but action.yml has no such output" for name in named if name not in outputs]
    if not problems and named != outputs:
        problems.append("the Outputs table is not in action.yml's order")
    return problems


class TestInputsAndOutputs:
    """README's Inputs and Outputs against action.yml (and the defaults and limits the code keeps)"""

    def test_the_inputs_table_is_action_yml_s(self) -> None:
        assert len(ACTION["inputs"]) >= 29
        assert inputs_problems(README, ACTION) == []

    def test_the_outputs_table_is_action_yml_s(self) -> None:
        assert len(ACTION["outputs"]) >= 15
        assert outputs_problems(README, ACTION) == []

    def test_one_row_each_in_the_whole_readme(self) -> None:
        """communicator-webhook-url had two rows once, in two of five tables (sarif-file is an output too)."""
        outputs = section(README, "## Outputs")
        names = [code(row[0])[0] for row in table(README.replace(outputs, ""))]
        assert [name for name in ACTION["inputs"] if names.count(name) != 1] == []

    def test_secrets_are_typed_as_secrets(self) -> None:
        """The rows that say "from a secret" are the inputs the action masks."""
        rows = {code(row[0])[0]: row for row in table(section(README, "## Inputs"))}
        said = {name for name, row in rows.items() if "from a secret" in row[2]}
        assert said == {"secret-key", "communicator-webhook-url"}
        assert all(FIELDS[name].annotation is SecretStr for name in said)


def _changed(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    action = copy.deepcopy(ACTION)
    change(action)
    return action


class TestInputsDrift:
    """inputs_problems and outputs_problems object to an action.yml that changed and a README that did not"""

    @pytest.mark.parametrize(
        ("change", "problem"),
        [
            (
                lambda a: a["inputs"].update({"fail-fast": {"description": "x", "default": ""}}),
                "fail-fast: no row in the Inputs table",
            ),
            (lambda a: a["inputs"].pop("upload-only"), "upload-only: a row, but action.yml has no such input"),
            (
                lambda a: a["inputs"]["poll-interval-seconds"].update(default="10"),
                "poll-interval-seconds: the default says `5`, action.yml and the code `10`",
            ),
            (
                lambda a: a["inputs"]["minimum-severity"].update(default="HIGH"),
                "minimum-severity: the default says profile, else `CRITICAL`, action.yml and the code `HIGH`",
            ),
            (
                lambda a: a["inputs"]["policy-file"].update(required=True),
                "policy-file: the default says empty, action.yml and the code required",
            ),
            (
                lambda a: a["inputs"]["timeout-seconds"].update(description="Seconds; 1 to 3600."),
                "timeout-seconds: the values say 1 to 21600, action.yml 1 to 3600",
            ),
            (
                lambda a: a.update(inputs=dict(reversed(a["inputs"].items()))),
                "the Inputs table is not in action.yml's order",
            ),
        ],
    )
    def test_a_changed_input(self, change: Callable[[dict[str, Any]], object], problem: str) -> None:
        assert inputs_problems(README, _changed(change)) == [problem]

    def test_a_changed_table(self) -> None:
        readme = README.replace(
            "| `poll-interval-seconds` | `5` | 1 to 3600 |", "| `poll-interval-seconds` | `5` | 1 to 60 |"
        )
        readme = readme.replace("`HIGH`, `CRITICAL` (any case)", "`HIGH`, `SEVERE` (any case)")
        assert inputs_problems(readme, ACTION) == [
            "minimum-severity: the values leave out CRITICAL",
            "minimum-severity: the action refuses the value SEVERE",
            "poll-interval-seconds: the values say 1 to 60, action.yml 1 to 3600",
        ]

    def test_a_changed_output(self) -> None:
        changed = _changed(lambda a: a["outputs"].update({"verdict": {"description": "x"}}))
        assert outputs_problems(README, changed) == ["verdict: no row in the Outputs table"]
        changed = _changed(lambda a: a["outputs"].pop("scanResultUrl"))
        assert outputs_problems(README, changed) == ["scanResultUrl: a row, but action.yml has no such output"]


# -- the policy file ----------------------------------------------------------------------------------------------


def schema_fields(schema: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any], bool]]:
    """Every field of the schema as docs/policy.md names it (`cicdProfiles[].when.events`), its schema, required."""
    for key, child in schema.get("properties", {}).items():
        here = f"{path}.{key}" if path else key
        yield here, child, key in schema.get("required", ())
        if child.get("type") == "object":
            yield from schema_fields(child, here)
        elif child.get("type") == "array" and child["items"].get("type") == "object":
            yield from schema_fields(child["items"], f"{here}[]")


def said_of(schema: Mapping[str, Any]) -> list[str]:
    """What a values cell must say of a field's schema: its values, bounds and kind."""
    kind = schema.get("type")
    said = [f"`{json.dumps(schema['const'])}`"] if "const" in schema else []
    said += [f"`{value}`" for value in schema.get("enum", ())]
    if kind == "boolean":
        said += ["`true`", "`false`"]
    if kind == "integer":
        said.append(f"{schema['minimum']} to {schema['maximum']}")
    if kind == "string" and "maxLength" in schema:
        said.append(f"{schema['minLength']} to {schema['maxLength']} characters")
    elif kind == "string" and "minLength" in schema:
        said.append(f"at least {schema['minLength']} character")
    if kind == "object":
        said.append("a mapping")
    if kind == "array":
        items = schema["items"]
        said += ["a list of mappings"] if items.get("type") == "object" else ["a list of", *said_of(items)]
        if schema.get("uniqueItems"):
            said.append("none twice")
    return said


def values_of(schema: Mapping[str, Any]) -> set[str]:
    """The values a field (or a list field's items) may take, where the schema lists them."""
    values = schema.get("items", schema).get("enum", ())
    return {str(value) for value in values} | ({json.dumps(schema["const"])} if "const" in schema else set())


def sample(schema: Mapping[str, Any]) -> Any:
    """A valid value of a field, to see what a profile makes of it."""
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("type") == "array":
        return [sample(schema["items"])]
    return {"boolean": True, "integer": schema.get("minimum", 1)}.get(schema.get("type", ""), "x")


def profile_inputs(path: str, schema: Mapping[str, Any]) -> set[str]:
    """The inputs a profile's field sets, as the action reads it: one profile with the field, its settings given."""
    keys = path.removeprefix("cicdProfiles[].").split(".")
    profile: dict[str, Any] = {"name": "p"}
    level = profile
    for key in keys[:-1]:
        level = level.setdefault(key, {})
    level.setdefault(keys[-1], sample(schema))
    try:
        policy = validate({"version": 1, "cicdProfiles": [profile]}, {}, "sample")
    except PolicyError:
        return {"(the action refuses this field)"}
    return {INPUT_NAMES[name] for name, _ in policy.profiles[0].settings.items()}


def expected_inputs(path: str, schema: Mapping[str, Any], inputs_of: Callable[..., set[str]]) -> set[str]:
    """The inputs a field corresponds to: the one naming a profile, those an action needs, those a profile sets."""
    if path == "cicdProfiles[].name":
        return {"policy-profile"}
    if path == "automations[].events[].actions[].actionType":
        return {kind.needs for kind in KINDS.values() if kind.needs}  # send_email needs only its instance
    if path.startswith("cicdProfiles[].") and schema.get("type") != "object":
        return inputs_of(path, schema)
    return set()


def policy_problems(
    doc: str, schema: Mapping[str, Any], inputs_of: Callable[..., set[str]] = profile_inputs
) -> list[str]:
    """docs/policy.md's fields against the schema: a row each, in order, its values, required, and its input."""
    fields = list(schema_fields(schema))
    rows = table(section(doc, "## Fields"))
    named = [code(row[0])[0] for row in rows]
    paths = [path for path, _, _ in fields]
    problems = [f"{path}: no row in the fields tables" for path in paths if path not in named]
    problems += [f"{name}: a row, but the schema has no such field" for name in named if name not in paths]
    if not problems and named != paths:
        problems.append("the fields tables are not in the schema's order")
    by_name = {code(row[0])[0]: row for row in rows}
    for path, field, required in fields:
        row = by_name.get(path)
        if row is None:
            continue
        if len(row) != 4:
            problems.append(f"{path}: the row has {len(row)} cells, not 4 (field, meaning, values, input)")
            continue
        values = row[2]
        problems += [f"{path}: the values do not say {said}" for said in said_of(field) if said not in values]
        allowed = values_of(field)
        if allowed:
            stray = [value for value in code(values) if value not in allowed and " " not in value]
            problems += [f"{path}: the values list {value}, which the schema does not take" for value in stray]
        if required != ("required" in values):
            problems.append(f"{path}: the values {'do not say' if required else 'say'} it is required")
        wanted = expected_inputs(path, field, inputs_of)
        given = set(code(row[3])) - allowed
        if given != wanted or (not wanted and row[3] != NONE):
            problems.append(f"{path}: the input says {sorted(given) or row[3]}, the action {sorted(wanted) or NONE}")
    checks = section(doc, "## What the schema refuses, and what only the action checks")
    listed = re.findall(r"^- (.+)$", checks.partition("x-onlyTheActionChecks:")[2], re.MULTILINE)
    if listed != list(schema["x-onlyTheActionChecks"]):
        problems.append("the list of what only the action checks is not the schema's x-onlyTheActionChecks")
    for refused in _refused(schema):
        if f"`{refused}`" not in doc:
            problems.append(f"{refused}: refused by the action, and the reference does not say so")
    return problems


def _refused(schema: Any) -> Iterator[str]:
    """The values and keys the schema names as refused (x-refused, x-refusedKeys), anywhere in it."""
    if isinstance(schema, dict):
        yield from schema.get("x-refused", {})
        yield from schema.get("x-refusedKeys", {})
        for child in schema.values():
            yield from _refused(child)
    elif isinstance(schema, list):
        for child in schema:
            yield from _refused(child)


class TestPolicyReference:
    """docs/policy.md against policy.schema.json (generated from gate.core.policy.SCHEMA) and the profiles' inputs"""

    def test_every_field_of_the_schema(self) -> None:
        assert len(list(schema_fields(SCHEMA))) >= 25
        assert policy_problems(POLICY_DOC, SCHEMA) == []

    def test_the_profile_fields_set_the_inputs_the_precedence_names(self) -> None:
        """Each policy setting is some profile field's, so the table's input column covers all of them."""
        fields = [(path, field) for path, field, _ in schema_fields(SCHEMA) if path.startswith("cicdProfiles[].")]
        covered = set().union(*(profile_inputs(path, field) for path, field in fields if field.get("type") != "object"))
        assert covered == set(INPUT_NAMES.values())

    def test_the_readme_links_the_reference_where_the_input_is(self) -> None:
        row = next(row for row in table(section(README, "## Inputs")) if code(row[0])[0] == "policy-file")
        assert "`OWNER/REPO/PATH@REF`" in row[2]
        assert "[policy file](#policy-profiles)" in row[3]
        assert "(docs/policy.md)" in section(README, "## Policy profiles")


def _schema(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    schema = copy.deepcopy(SCHEMA)
    change(schema)
    return schema


def _profile(schema: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = schema["properties"]["cicdProfiles"]["items"]["properties"]
    return properties


def _rule(schema: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = schema["properties"]["automations"]["items"]["properties"]
    return properties


class TestPolicyDrift:
    """policy_problems objects to a schema that changed and a reference that did not"""

    @pytest.mark.parametrize(
        ("change", "problem"),
        [
            (
                lambda s: _profile(s)["failConditions"]["properties"].update(maxIssues={"type": "integer"}),
                "cicdProfiles[].failConditions.maxIssues: no row in the fields tables",
            ),
            (
                lambda s: _profile(s).pop("releaseGating"),
                "cicdProfiles[].releaseGating: a row, but the schema has no such field",
            ),
            (
                lambda s: _profile(s)["timeoutSeconds"].update(maximum=3600),
                "cicdProfiles[].timeoutSeconds: the values do not say 1 to 3600",
            ),
            (
                lambda s: _profile(s)["failConditions"]["properties"]["scanTypes"]["items"]["enum"].remove("iac"),
                "cicdProfiles[].failConditions.scanTypes: the values list iac, which the schema does not take",
            ),
            (
                lambda s: _rule(s)["events"]["items"]["properties"]["eventType"]["enum"].append("scan_started"),
                "automations[].events[].eventType: the values do not say `scan_started`",
            ),
            (
                lambda s: s["properties"]["automations"]["items"]["required"].append("enabled"),
                "automations[].enabled: the values do not say it is required",
            ),
            (
                lambda s: s["x-onlyTheActionChecks"].append("labels exist in the repository"),
                "the list of what only the action checks is not the schema's x-onlyTheActionChecks",
            ),
        ],
    )
    def test_a_changed_schema(self, change: Callable[[dict[str, Any]], object], problem: str) -> None:
        assert policy_problems(POLICY_DOC, _schema(change)) == [problem]

    def test_a_field_that_sets_another_input(self) -> None:
        def swapped(path: str, schema: Mapping[str, Any]) -> set[str]:
            found = profile_inputs(path, schema)
            return {"report-only"} if found == {"fail-on-timeout"} else found

        assert policy_problems(POLICY_DOC, SCHEMA, swapped) == [
            "cicdProfiles[].failConditions.failOnTimeout: the input says ['fail-on-timeout'], "
            "the action ['report-only']"
        ]
