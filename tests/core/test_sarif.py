"""gate.core.sarif: what GitHub code scanning accepts, checked against the SARIF 2.1.0 schema and GitHub's own rules."""

from __future__ import annotations

import hashlib
import json

import pytest

from gate import __version__
from gate.core.models import SastIssue
from gate.core.sanitize import add_secrets
from gate.core.sarif import FINGERPRINT, artifact_uri, automation_id, render, rule_id
from tests.support.sarif import SCHEMA_PATH, SCHEMA_SHA256, check

SCAN_URL = "https://app.aikido.dev/featurebranch/scan/7?groupId=1"
ISSUES = [
    SastIssue("src/app.py", 10, 12, "SQL injection", "User input reaches a query.", "Use parameters.", 5, 30, "5f2c"),
    SastIssue("./src/with space/é.py", 3, 3, "SQL injection", "Again.", "", None, None, "9a1b"),
    SastIssue("src/util.py", 7, 7, "Hard-coded secret"),
]


def test_the_vendored_schema_is_the_one_described() -> None:
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == SCHEMA_SHA256


class TestRender:
    def test_a_valid_run_github_accepts(self) -> None:
        document, dropped = render(ISSUES, blocking=True, scan_url=SCAN_URL, automation_id="aikido/CI/scan/")
        check(document)
        assert dropped == []
        [run] = document["runs"]
        driver = run["tool"]["driver"]
        assert (driver["name"], driver["version"], driver["informationUri"]) == (
            "aikido-gate",
            __version__,
            "https://github.com/aikido-gate/aikido-gate",
        )
        assert [rule["shortDescription"]["text"] for rule in driver["rules"]] == ["SQL injection", "Hard-coded secret"]
        first = driver["rules"][0]
        assert first["fullDescription"]["text"] == "User input reaches a query."
        assert [rule["name"] for rule in driver["rules"]] == ["SqlInjection", "HardCodedSecret"]
        assert first["help"] == {"text": "Use parameters.", "markdown": "Use parameters."}
        assert first["helpUri"] == SCAN_URL
        assert run["automationDetails"] == {"id": "aikido/CI/scan/"}
        results = run["results"]
        assert [r["ruleIndex"] for r in results] == [0, 0, 1]
        assert {r["level"] for r in results} == {"error"}
        assert results[0]["locations"][0]["physicalLocation"] == {
            "artifactLocation": {"uri": "src/app.py"},
            "region": {"startLine": 10, "endLine": 12, "startColumn": 5, "endColumn": 30},
        }
        assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
            "src/with%20space/%C3%A9.py"
        )
        assert results[0]["partialFingerprints"] == {FINGERPRINT: "5f2c"}
        assert "partialFingerprints" not in results[2]

    def test_warnings_when_the_gate_does_not_block_on_sast(self) -> None:
        document, _ = render(ISSUES, blocking=False, scan_url=None, automation_id="a/")
        check(document)
        assert {r["level"] for r in document["runs"][0]["results"]} == {"warning"}
        assert "helpUri" not in document["runs"][0]["tool"]["driver"]["rules"][0]

    @pytest.mark.parametrize("file", ["../outside.py", "src/../../outside.py", "/etc/passwd", "C:\\x\\y.py", ".", ""])
    def test_paths_leaving_the_repository_are_dropped(self, file: str) -> None:
        document, dropped = render(
            [SastIssue(file or "x", 1, 1, "Path traversal"), ISSUES[2]],
            blocking=True,
            scan_url=None,
            automation_id="a/",
        )
        if file == "":  # an empty file never comes through parse_sast_issues; "x" stands in
            return
        check(document)
        assert dropped == [file]
        assert len(document["runs"][0]["results"]) == 1

    def test_hostile_text_is_cleaned_and_long_text_cut(self) -> None:
        key = "AIK_CI_" + "q" * 64
        add_secrets([key])
        issue = SastIssue(
            "src/a.py", 1, 1, f"Leak \x1b[31m{key}\x1b[0m \u202e", "d" * 20_000, f"Rotate {key.lower()}", None, None
        )
        document, _ = render([issue], blocking=True, scan_url=None, automation_id="a/")
        check(document)
        text = json.dumps(document)
        assert key not in text
        assert key.lower() not in text
        assert "\x1b" not in text
        assert "\u202e" not in text
        rule = document["runs"][0]["tool"]["driver"]["rules"][0]
        assert len(rule["fullDescription"]["text"]) == 8000

    def test_markdown_help_is_escaped(self) -> None:
        issue = SastIssue("a.py", 1, 1, "XSS", "", "<img src=x onerror=alert(1)> [click](javascript:x)")
        document, _ = render([issue], blocking=True, scan_url=None, automation_id="a/")
        markdown = document["runs"][0]["tool"]["driver"]["rules"][0]["help"]["markdown"]
        assert "<img" not in markdown
        assert "\\[click\\](javascript:x)" in markdown  # brackets escaped: shown as text, never a link

    def test_an_empty_run_is_valid(self) -> None:
        document, _ = render([], blocking=True, scan_url=None, automation_id="aikido/CI/scan/")
        check(document)
        assert document["runs"][0]["results"] == []


class TestIds:
    def test_rule_ids_are_stable_and_distinct(self) -> None:
        assert rule_id("SQL injection") == rule_id("SQL injection")
        assert rule_id("SQL injection") != rule_id("SQL-injection")  # one slug, two titles
        assert rule_id("SQL injection").startswith("aikido/sql-injection-")
        assert rule_id("!!!").startswith("aikido/finding-")

    @pytest.mark.parametrize(
        ("file", "uri"),
        [
            ("src/a.py", "src/a.py"),
            ("./src/a.py", "src/a.py"),
            ("src\\win\\a.py", "src/win/a.py"),
            ("a#b?.py", "a%23b%3F.py"),
        ],
    )
    def test_artifact_uri(self, file: str, uri: str) -> None:
        assert artifact_uri(file) == uri

    def test_automation_id_keeps_jobs_and_matrix_legs_apart(self) -> None:
        assert automation_id("CI", "scan", "null") == "aikido/CI/scan/"
        linux, windows = automation_id("CI", "scan", '{"os": "linux"}'), automation_id("CI", "scan", '{"os": "win"}')
        assert linux != windows
        assert linux.startswith("aikido/CI/scan/")
        assert automation_id("a/b", "", "") == "aikido/a-b/unknown/"
