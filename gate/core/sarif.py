"""SARIF 2.1.0 of a scan's introduced SAST issues, for GitHub code scanning. Pure: the caller writes the file.

What GitHub's upload (github/codeql-action/upload-sarif) needs beyond the schema: a rule in
the driver for every `ruleId`, a location per result with a URI relative to the repository
root, and, for alerts that follow the code across commits, `partialFingerprints`. Every
string from Aikido passes `clean` first (no secret, no control text), like every other sink.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from gate import __version__
from gate.core.markdown import md_block
from gate.core.models import SastIssue
from gate.core.sanitize import clean

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/aikido-gate/aikido-gate"
FINGERPRINT = "aikidoSnippetHash/v1"
# Rule ids and messages longer than this are cut: GitHub shows them in one line.
_MAX_ID = 64
_MAX_TEXT = 8000


def rule_id(title: str) -> str:
    """A stable id for a kind of finding: a slug of its title and a short hash, so titles never collide."""
    text = clean(title).strip()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:_MAX_ID] or "finding"
    return f"aikido/{slug}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def artifact_uri(file: str) -> str | None:
    """The file as a URI relative to the repository root, or None when it leaves the repository."""
    path = clean(file).replace("\\", "/")
    if not path or path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return None
    normal = posixpath.normpath(path)
    if normal in {".", ".."} or normal.startswith("../"):
        return None
    return quote(normal, safe="/-._~")


def _pascal(title: str) -> str:
    """A rule's friendly name as SARIF recommends it: a Pascal-case identifier (`SqlInjection`)."""
    name = "".join(word[:1].upper() + word[1:].lower() for word in re.findall(r"[A-Za-z0-9]+", title))[:_MAX_ID]
    return name if name[:1].isalpha() else f"Finding{name}"


def _text(value: str) -> str:
    text = clean(value, multiline=True).strip()
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _rule(issue: SastIssue, help_uri: str | None) -> dict[str, Any]:
    title = _text(issue.title)
    description = _text(issue.description) or title
    remediation = _text(issue.remediation) or description
    rule: dict[str, Any] = {
        "id": rule_id(issue.title),
        "name": _pascal(title),
        "shortDescription": {"text": title},
        "fullDescription": {"text": description},
        # GitHub renders `markdown`: escaped like every other Markdown sink, so it shows as written.
        "help": {"text": remediation, "markdown": md_block(remediation, limit=_MAX_TEXT)},
        "properties": {"tags": ["security"]},
    }
    if help_uri:
        rule["helpUri"] = help_uri
    return rule


def _result(issue: SastIssue, uri: str, rule_index: int, level: str) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": issue.start_line, "endLine": issue.end_line}
    if issue.start_column:
        region["startColumn"] = issue.start_column
    if issue.end_column and (issue.end_line > issue.start_line or issue.end_column > (issue.start_column or 0)):
        region["endColumn"] = issue.end_column
    result: dict[str, Any] = {
        "ruleId": rule_id(issue.title),
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": _text(issue.title)},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}],
    }
    if issue.snippet_hash:
        result["partialFingerprints"] = {FINGERPRINT: clean(issue.snippet_hash)}
    return result


def render(
    issues: Iterable[SastIssue], *, blocking: bool, scan_url: str | None, automation_id: str
) -> tuple[dict[str, Any], list[str]]:
    """The SARIF document, and the files left out because they lead outside the repository.

    `blocking`: the gate fails on SAST findings, so they are errors; else warnings.
    `scan_url`: an Aikido link to the scan (already checked to be Aikido's), the rules' helpUri.
    """
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    dropped: list[str] = []
    for issue in issues:
        uri = artifact_uri(issue.file)
        if uri is None:
            dropped.append(clean(issue.file))
            continue
        rid = rule_id(issue.title)
        if rid not in index:
            index[rid] = len(rules)
            rules.append(_rule(issue, scan_url))
        results.append(_result(issue, uri, index[rid], "error" if blocking else "warning"))
    return _document(rules, results, automation_id), dropped


def _document(rules: list[dict[str, Any]], results: list[dict[str, Any]], automation_id: str) -> dict[str, Any]:
    driver = {
        "name": "aikido-gate",
        "fullName": "aikido-gate: Aikido Security SAST findings",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": rules,
    }
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "automationDetails": {"id": automation_id},
                "results": results,
            }
        ],
    }


def automation_id(workflow: str, job: str, key: str) -> str:
    """`category/run` as code scanning reads it: one category per workflow, job and matrix leg."""
    leg = hashlib.sha256(key.encode()).hexdigest()[:8] if key.strip() not in ("", "null") else ""
    parts = [clean(part).strip().replace("/", "-") or "unknown" for part in (workflow, job)]
    return "aikido/" + "/".join(parts) + (f"/{leg}" if leg else "") + "/"
