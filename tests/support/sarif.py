"""What GitHub code scanning accepts: the SARIF 2.1.0 schema (vendored in tests/schemas) and GitHub's own rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_PATH = Path(__file__).parent.parent / "schemas" / "sarif-2.1.0.json"
SCHEMA_SHA256 = "1c49a0f2b60444c71bb14878e21e0d882198eff4c539861b133093ad89ed798c"


def check(document: dict[str, Any]) -> None:
    """Valid SARIF 2.1.0, and what GitHub's upload requires on top of the schema."""
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    for run in document["runs"]:
        rules = run["tool"]["driver"]["rules"]
        ids = [rule["id"] for rule in rules]
        assert len(ids) == len(set(ids))
        for result in run["results"]:
            assert ids[result["ruleIndex"]] == result["ruleId"]  # every rule id is defined in the driver
            [location] = result["locations"]  # a location per result
            uri = location["physicalLocation"]["artifactLocation"]["uri"]
            assert not uri.startswith(("/", "./")), uri  # relative to the repository root
            assert ".." not in uri.split("/")
            assert " " not in uri
