"""The job summary, outputs and annotations of a verdict, as text. Pure: the caller writes them.

Every text from the API or the payload becomes Markdown through `gate.core.markdown`.
"""

from __future__ import annotations

from dataclasses import dataclass

from gate.core.markdown import cut_short, md_code, md_link, md_text
from gate.core.models import COUNTS, ScanStatus, UploadFile
from gate.core.precedence import INPUT_NAMES, PolicyReport
from gate.core.verdict import Outcome, Problems, Verdict

SIGNS = {
    Outcome.SUCCEEDED: "✅",
    Outcome.FAILED: "❌",
    Outcome.TIMED_OUT: "⏱️",
    Outcome.SKIPPED: "⏭️",
    Outcome.ERROR: "⚠️",
    Outcome.CANCELLED: "🚫",
}
HEADLINES = {
    Outcome.SUCCEEDED: "passed",
    Outcome.FAILED: "failed: the scan found issues that block this change",
    Outcome.TIMED_OUT: "timed out",
    Outcome.SKIPPED: "skipped",
    Outcome.CANCELLED: "cancelled",
    Outcome.ERROR: "could not decide",
}

# A release gate blocks a release, not a change; report-only blocks nothing.
_RELEASE_FAILED = "failed: open issues in this commit block the release"
_REPORTED = "found issues: reported, not enforced (report-only)"
# The job summary lists this many issue links, then a count.
MAX_LISTED_LINKS = 50
# GitHub's limit for one step's summary is 1 MiB; stay clear of it.
MAX_SUMMARY_BYTES = 1_000_000
SUMMARY_CUT_NOTE = "… the summary was cut short at GitHub's size limit; the scan in Aikido has everything.\n"


def headline(verdict: Verdict) -> str:
    """What the summary's and the comment's heading says after "Aikido security gate"."""
    if verdict.outcome is Outcome.FAILED and verdict.report_only:
        return _REPORTED
    if verdict.outcome is Outcome.FAILED and verdict.release is not None:
        return _RELEASE_FAILED
    return HEADLINES[verdict.outcome]


def sign(verdict: Verdict) -> str:
    """The heading's symbol: report-only findings warn, they do not fail."""
    return SIGNS[Outcome.ERROR] if verdict.outcome is Outcome.FAILED and verdict.report_only else SIGNS[verdict.outcome]


def release_line(verdict: Verdict) -> list[str]:
    """What a release gate checked, as a Markdown paragraph (with a blank line), or nothing."""
    release = verdict.release
    if release is None:
        return []
    line = (
        f"**Release gate** of commit {md_code(release.commit[:12])}: open issues at or above "
        f"{md_code(release.minimum_severity)}"
    )
    if release.base_branch:
        line += f", base branch {md_code(release.base_branch)}"
    return [line, ""]


# Short names for the one-line count in annotations.
_KINDS = {
    "new_dependency_issues_found": "dependency",
    "new_sast_issues_found": "SAST",
    "new_iac_issues_found": "IaC",
    "new_leaked_secret_issues_found": "leaked secrets",
}


def counts_line(status: ScanStatus) -> str:
    """The counts in one line, e.g. `3 new issues (2 dependency, 1 SAST)`; unknown counts are left out."""
    parts = []
    kinds = [f"{status.counts[name]} {label}" for name, label in _KINDS.items() if status.counts.get(name) is not None]
    total = status.counts.get("new_issues_found")
    if total is not None or kinds:
        head = "new issues" if total is None else f"{total} new issue{'' if total == 1 else 's'}"
        parts.append(f"{head} ({', '.join(kinds)})" if kinds else head)
    opened = status.counts.get("open_issues_found")
    if opened is not None:
        parts.append(f"{opened} open issue{'' if opened == 1 else 's'}")
    return "; ".join(parts)


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB"


def _count(value: int | None) -> str:
    return "unknown" if value is None else str(value)


def outputs(verdict: Verdict) -> dict[str, str]:
    """The step outputs; a count the API did not give is empty, not zero."""
    status = verdict.status
    diff_url = status.diff_url if status else None
    values = {
        "outcome": verdict.outcome.value,
        "scan-id": "" if verdict.scan_id is None else str(verdict.scan_id),
        "diff-url": diff_url or "",
        "scanResultUrl": diff_url or "",
        "gate-passed": "" if status is None or status.gate_passed is None else str(status.gate_passed).lower(),
    }
    for name in COUNTS:
        value = status.counts.get(name) if status else None
        values[name.replace("_", "-")] = "" if value is None else str(value)
    values["issue-links"] = "\n".join(status.issue_links) if status else ""
    values["uploaded-files"] = str(len(verdict.uploads))
    values["policy-profile"] = verdict.policy.profile or "" if verdict.policy else ""
    return values


def fit_summary(markdown: str, limit: int = MAX_SUMMARY_BYTES) -> str:
    """`markdown` cut at a line boundary below `limit` bytes, saying so."""
    return cut_short(markdown, limit, SUMMARY_CUT_NOTE)


def render(verdict: Verdict) -> str:
    """The job summary in Markdown."""
    lines = [f"## {sign(verdict)} Aikido security gate {headline(verdict)}", ""]
    lines += outcome_lines(verdict)
    lines += release_line(verdict)
    if verdict.scan_id is not None:
        lines += [f"**Scan:** {verdict.scan_id}", ""]
    status = verdict.status
    if status is not None:
        lines += _status_lines(status)
    lines += policy_lines(verdict.policy)
    if verdict.uploads:
        lines += [
            f"**Uploaded files ({len(verdict.uploads)}):**",
            "",
            "| File | Type | Size | Image |",
            "| --- | --- | ---: | --- |",
        ]
        lines += [_upload_row(upload) for upload in verdict.uploads]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def outcome_lines(verdict: Verdict) -> list[str]:
    """The outcome and its reason; several problems (inputs, a policy file) as a list, one per line."""
    listed = sum(len(group.items) for group in verdict.problems)
    if listed < 2:
        return [f"**Outcome:** `{verdict.outcome.value}`: {md_text(verdict.reason)}", ""]
    lines = [f"**Outcome:** `{verdict.outcome.value}`: {listed} problems stop the gate; fix each of them:", ""]
    for group in verdict.problems:
        what = "Inputs" if group.source is None else f"Policy file {md_code(group.source)}"
        lines += [f"**{what}:**", "", *(f"- {md_text(item)}" for item in group.items), ""]
    return lines


def head_policy_lines(found: Problems | None, heading: str) -> list[str]:
    """The section on a pull request's own policy file that would break the gate once merged; `heading`: `###`…"""
    if found is None:
        return []
    count = len(found.items)
    return [
        f"{heading} ❌ This pull request's version of the policy file would break the gate once merged",
        "",
        f"{md_code(found.source or '')} at commit {md_code((found.commit or '')[:12])}, as this pull request leaves "
        f"it, has {count} problem{'' if count == 1 else 's'}:",
        "",
        *(f"- {md_text(item)}" for item in found.items),
        "",
        "The base's version judged the scan; this job fails until this pull request fixes its version.",
        "",
    ]


def head_policy_error(found: Problems, item: str) -> str:
    """One problem of a pull request's own policy file, as its annotation says it."""
    return f"this pull request's version of {found.source} would break the gate once merged: {item}"


def _upload_row(upload: UploadFile) -> str:
    image = md_code(upload.image_name) if upload.image_name else ""
    return f"| {md_code(upload.shown)} | {upload.kind.value} | {_size(upload.size)} | {image} |"


def counts_table(status: ScanStatus) -> list[str]:
    """The known counts as a Markdown table (with a blank line after), or nothing."""
    shown = {name: value for name, value in status.counts.items() if value is not None}
    if not shown:
        return []
    rows = [f"| {COUNTS[name]} | {_count(value)} |" for name, value in shown.items()]
    return ["| Category | Count |", "| --- | ---: |", *rows, ""]


def foreign_links(status: ScanStatus) -> list[str]:
    """A note that the answer linked elsewhere than Aikido, naming the hosts as inert text (with a blank line)."""
    if not status.foreign_hosts:
        return []
    hosts = ", ".join(md_code(host) for host in status.foreign_hosts[:5])
    return [f"Aikido's answer held links to other hosts, not shown as links: {hosts}", ""]


def _status_lines(status: ScanStatus) -> list[str]:
    lines: list[str] = []
    if status.diff_url:
        lines += [f"**Results:** {md_link('open the scan in Aikido', status.diff_url)}", ""]
    lines += foreign_links(status)
    lines += counts_table(status)
    if links := status.issue_links:
        lines += [f"**Issues ({len(links)}):**", ""]
        lines += [f"- {md_link(link, link)}" for link in links[:MAX_LISTED_LINKS]]
        if len(links) > MAX_LISTED_LINKS:
            lines.append(f"- … and {len(links) - MAX_LISTED_LINKS} more in Aikido")
        lines.append("")
    if status.sub_scans and not status.final:
        lines += [f"**Progress when the wait ended:** {md_text(status.progress())}", ""]
    return lines


def _shown(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def policy_lines(policy: PolicyReport | None) -> list[str]:
    """The policy section: the file and commit, the profile and why, and each setting with its source."""
    if policy is None:
        return []
    profile = f"profile {md_code(policy.profile)}" if policy.profile else "no profile"
    lines = [
        f"**Policy:** {profile} of {md_code(policy.source)} at {md_code(policy.read_at[:12])}: {md_text(policy.why)}",
        "",
        "| Setting | Value | From |",
        "| --- | --- | --- |",
    ]
    lines += [f"| `{INPUT_NAMES[name]}` | {md_code(_shown(value))} | {source} |" for name, value, source in policy.rows]
    return [*lines, ""]


@dataclass(frozen=True)
class RunReport:
    """What the run wrote as its report: the job summary's Markdown, and the SARIF file (its name as the sarif-file
    input gives it, and its text) when one was written."""

    summary: str
    sarif_name: str | None = None
    sarif_text: str | None = None
