"""What we send to Aikido and how we read its answers: pure functions, no I/O.

Reading is liberal where the meaning is clear (unknown fields ignored, counts given as
numeric strings) and strict where it is not: a final answer without a boolean
`gate_passed` is an error, never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from gate.core.errors import UnexpectedAnswer
from gate.core.links import hosts_in_text, link_host, trusted_link
from gate.core.numbers import whole_number
from gate.core.precedence import Settings

# The API version string of the page's example; our own version goes in the User-Agent.
API_VERSION = "1.0.5"

# Sub-scan flags of the poll answer, in the order we show them.
SUB_SCANS = {
    "dependency_scan_completed": "dependencies",
    "sast_scan_completed": "SAST",
    "iac_scan_completed": "IaC",
    "secrets_scan_completed": "secrets",
    "sbom_scan_completed": "SBOM",
}

# Counts the poll answer may carry: field name -> label in the summary.
COUNTS = {
    "new_issues_found": "New issues (all)",
    "new_dependency_issues_found": "New dependency issues",
    "new_sast_issues_found": "New SAST issues",
    "new_iac_issues_found": "New IaC issues",
    "new_leaked_secret_issues_found": "New leaked secrets",
    "open_issues_found": "Open issues",
}

# Where Aikido's links may point: its app and regional hosts (plus the api-base-url host, added by the client).
AIKIDO_HOSTS = frozenset({"app.aikido.dev", "app.us.aikido.dev", "app.me.aikido.dev"})


@dataclass(frozen=True)
class ScanTarget:
    """What one scan covers: the repository, the two commits and the branch; or, for a release gate, one commit."""

    repository_id: str
    base_commit: str | None
    head_commit: str
    branch: str | None
    pr_url: str | None = None
    pr_title: str | None = None
    # Gate the head commit as a release: its open issues, not a diff (Aikido's CLI `scan-release`:
    # https://github.com/AikidoSec/ci-api-client/blob/main/src/commands/scanRelease.ts).
    release_gating: bool = False
    base_branch: str | None = None


class UploadKind(StrEnum):
    """The API's payload_type of an upload; `input` names the action input that lists its files."""

    SBOM = "json-sbom"
    CHECKOV = "checkov"

    @property
    def input(self) -> str:
        return UPLOAD_INPUTS[self]


# Each kind's input (gate.uploads.files.KINDS has its validator; gate.boot.settings reads the input).
UPLOAD_INPUTS = {UploadKind.SBOM: "sbom-files", UploadKind.CHECKOV: "checkov-sarif-files"}


@dataclass(frozen=True)
class UploadFile:
    """One validated file to upload into the scan."""

    kind: UploadKind
    path: Path
    shown: str  # as the user knows it: relative to the workspace
    size: int
    escaped_size: int  # its text's length once escaped as a JSON string
    image_name: str | None = None


def start_body(target: ScanTarget, options: Settings, uploads: tuple[UploadFile, ...] = ()) -> dict[str, Any]:
    """The JSON body of `POST …/scan/repository` under the run's policy settings; uploads make the scan wait for
    self-managed scanners."""
    body: dict[str, Any] = {"version": API_VERSION, "repository_id": target.repository_id}
    if target.release_gating:
        # The shape Aikido's CLI sends for `scan-release`: one commit, no base, no branch.
        body |= {"is_release_gating": True, "head_commit_id": target.head_commit}
        if target.base_branch:
            body["base_branch"] = target.base_branch
    else:
        body |= {
            "branch_name": target.branch,
            "base_commit_id": target.base_commit,
            "head_commit_id": target.head_commit,
        }
    body |= {
        "minimum_severity": options.minimum_severity,
        # JSON booleans, as the page documents (Aikido's own action sends strings:
        # https://github.com/AikidoSec/github-actions-workflow).
        "fail_on_dependency_scan": options.fail_on_dependency_scan,
        "fail_on_sast_scan": options.fail_on_sast_scan,
        "fail_on_iac_scan": options.fail_on_iac_scan,
        "fail_on_secrets_scan": options.fail_on_secrets_scan,
    }
    if target.pr_url and not target.release_gating:
        body["pull_request_metadata"] = {"url": target.pr_url, "title": target.pr_title or ""}
    kinds = [kind for kind in (UploadKind.SBOM, UploadKind.CHECKOV) if any(f.kind is kind for f in uploads)]
    if kinds:
        body["self_managed_scanners"] = [kind.value for kind in kinds]
    if sboms := sum(1 for upload in uploads if upload.kind is UploadKind.SBOM):
        body["expected_amount_json_sboms"] = sboms
    return body


def upload_fields(upload: UploadFile, *, scan_id: int | None, repository_id: str | None) -> dict[str, Any]:
    """The fields of `POST …/scan/custom` other than the payload: into a scan, or to the live feed."""
    fields: dict[str, Any] = {"scan_id": scan_id} if scan_id is not None else {"repository_id": repository_id}
    fields["payload_type"] = upload.kind.value
    if upload.image_name is not None:
        fields["container_image_name"] = upload.image_name
    return fields


def parse_upload_ack(answer: Any) -> None:
    """Check an upload answer is `{"success": 1}` (or true)."""
    success = answer.get("success") if isinstance(answer, dict) else None
    if success not in (1, True):
        raise UnexpectedAnswer('the upload answer is not {"success": 1}')


def parse_scan_id(answer: Any) -> int:
    """The scan id of a start answer `{"scan_id": 22}`."""
    value = answer.get("scan_id") if isinstance(answer, dict) else None
    if isinstance(value, str):
        value = whole_number(value)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise UnexpectedAnswer("the start answer has no scan_id")
    return value


@dataclass(frozen=True)
class ScanStatus:
    """One poll answer, read liberally."""

    final: bool
    gate_passed: bool | None
    sub_scans: dict[str, bool] = field(default_factory=dict)
    counts: dict[str, int | None] = field(default_factory=dict)
    diff_url: str | None = None
    issue_links: tuple[str, ...] = ()
    message: str | None = None
    # Hosts of links in the answer that are not Aikido's: shown as text, never as links.
    foreign_hosts: tuple[str, ...] = ()

    def progress(self) -> str:
        """One line telling which sub-scans are done, e.g. `dependencies ✓, SAST …`."""
        parts = [f"{SUB_SCANS[name]} {'✓' if done else '…'}" for name, done in self.sub_scans.items()]
        return ", ".join(parts) or "no sub-scan reported yet"


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str):
        return whole_number(value)
    return None


class _Links:
    """Keeps the https links to Aikido's hosts and notes the hosts of every other link."""

    def __init__(self, hosts: frozenset[str]) -> None:
        self._hosts = hosts
        self.foreign: dict[str, None] = {}

    def __call__(self, value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return None
        if trusted_link(value, self._hosts):
            return value
        self.foreign[link_host(value.strip())] = None
        return None

    def note_text(self, text: str | None) -> None:
        """Name the hosts that bare URLs in free text point to, when they are not trusted ones."""
        for host in hosts_in_text(text or ""):
            if host not in self._hosts:
                self.foreign[host] = None


def parse_scan_status(answer: Any, hosts: frozenset[str] = AIKIDO_HOSTS) -> ScanStatus:
    """Read a poll answer; raises UnexpectedAnswer where its meaning is not clear.

    Only https links to `hosts` are kept: a link elsewhere (a compromised or spoofed answer)
    is dropped, and its host is kept in `foreign_hosts` to be shown as text.
    """
    if not isinstance(answer, dict):
        raise UnexpectedAnswer("the scan status is not a JSON object")
    completed = answer.get("all_scans_completed", False)
    if not isinstance(completed, bool):
        raise UnexpectedAnswer("all_scans_completed is not a boolean")
    gate_passed = answer.get("gate_passed")
    if gate_passed is not None and not isinstance(gate_passed, bool):
        raise UnexpectedAnswer("gate_passed is not a boolean")
    # The page's default-branch example carries gate_passed while all_scans_completed is false.
    final = completed or gate_passed is not None
    if final and gate_passed is None:
        raise UnexpectedAnswer("the scan is complete but the answer has no gate_passed")
    links = answer.get("issue_links")
    link = _Links(hosts)
    outcome = answer.get("outcome")
    message = outcome.get("human_readable_message") if isinstance(outcome, dict) else None
    message = message if isinstance(message, str) and message.strip() else None
    diff_url = link(answer.get("diff_url"))
    issue_links = tuple(url for url in map(link, links) if url) if isinstance(links, list) else ()
    link.note_text(message)
    return ScanStatus(
        final=final,
        gate_passed=gate_passed,
        sub_scans={name: answer[name] for name in SUB_SCANS if isinstance(answer.get(name), bool)},
        counts={name: _count(answer.get(name)) for name in COUNTS},
        diff_url=diff_url,
        issue_links=issue_links,
        message=message,
        foreign_hosts=tuple(link.foreign),
    )


@dataclass(frozen=True)
class SastIssue:
    """One SAST issue the scan found introduced by the change; `file` as Aikido gave it."""

    file: str
    start_line: int
    end_line: int
    title: str
    description: str = ""
    remediation: str = ""
    start_column: int | None = None
    end_column: int | None = None
    # Aikido's hash of the code, stable while the code is: what keeps an alert the same alert.
    snippet_hash: str | None = None

    @property
    def path(self) -> str:
        """The file relative to the repository root, as GitHub's review comments want it."""
        return self.file.lstrip("/")


def _line(value: Any) -> int | None:
    number = _count(value)
    return number if number else None


def parse_sast_issues(answer: Any) -> list[SastIssue]:
    """The `introduced_sast_issues` of a scan; entries without a file, line or title are skipped."""
    issues = answer.get("introduced_sast_issues") if isinstance(answer, dict) else None
    if not isinstance(issues, list):
        raise UnexpectedAnswer("the answer has no introduced_sast_issues list")
    parsed = []
    for entry in issues:
        if not isinstance(entry, dict):
            continue
        file, title = entry.get("file"), entry.get("title")
        start, end = _line(entry.get("start_line")), _line(entry.get("end_line"))
        if not isinstance(file, str) or not file or not isinstance(title, str) or start is None:
            continue
        description, remediation, snippet = (entry.get(key) for key in ("description", "remediation", "snippet_hash"))
        start_column, end_column = _line(entry.get("start_column")), _line(entry.get("end_column"))
        parsed.append(
            SastIssue(
                file,
                start,
                max(end or start, start),
                title,
                description if isinstance(description, str) else "",
                remediation if isinstance(remediation, str) else "",
                start_column,
                end_column,
                snippet if isinstance(snippet, str) and snippet else None,
            )
        )
    return parsed
