"""The PR comments, rendered: the mode a user chose, the plan one run follows, the status and review comments.

Pure: plain values in, Markdown out. What to post, and in which order, is the flow's
(gate.flow.comment); every text from the API or the payload becomes Markdown through
`gate.core.markdown`, and every body is cut to fit GitHub's limit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

from gate import __version__
from gate.core.markdown import MAX_COMMENT_CHARS, cut_short, md_block, md_code, md_link, md_text
from gate.core.models import SastIssue
from gate.core.summary import counts_table, foreign_links, head_policy_lines, headline, release_line, sign
from gate.core.verdict import Outcome, Verdict

SAST_MARKER = "<!-- aikido-gate:sast -->"
MAX_COMMENT_LINKS = 10
# The findings a status comment lists by name; the rest are counted.
MAX_LEFTOVERS_LISTED = 50
# GitHub refuses a comment body over 65,536 characters.
COMMENT_CUT_NOTE = "… cut short at GitHub's size limit for a comment; the scan in Aikido has everything."


class CommentMode(StrEnum):
    """`post-scan-status-comment`: always, never, or once the gate has found something."""

    OFF = "off"
    ON = "on"
    ONLY_IF_NEW_FINDINGS = "only_if_new_findings"


@dataclass(frozen=True)
class CommentPlan:
    """What to post, from the inputs and the runner."""

    mode: CommentMode
    sast: bool
    marker: str
    job: str
    head_commit: str | None


def status_marker(workflow: str, job: str, key: str) -> str:
    """The hidden marker that finds this job's comment again: a hash, so no name can break the HTML comment."""
    digest = hashlib.sha256(json.dumps([workflow, job, key]).encode()).hexdigest()[:16]
    return f"<!-- aikido-gate:status:{digest} -->"


def _where(issue: SastIssue) -> str:
    lines = (
        f"line {issue.start_line}"
        if issue.start_line == issue.end_line
        else f"lines {issue.start_line}–{issue.end_line}"
    )
    return f"{md_code(issue.path)} {lines}"


def render_status(
    verdict: Verdict, *, marker: str, head_commit: str | None, leftovers: list[SastIssue], job: str
) -> str:
    """The status comment's Markdown."""
    status = verdict.status
    lines = [marker, f"### {sign(verdict)} Aikido security gate {headline(verdict)}", ""]
    if verdict.outcome is not Outcome.SUCCEEDED:
        lines += [md_text(verdict.reason[:1].upper() + verdict.reason[1:]) + ".", ""]
    lines += release_line(verdict)
    if status is not None:
        lines += counts_table(status)
    facts = []
    if status is not None and status.diff_url:
        facts.append(md_link("Open the scan in Aikido", status.diff_url))
    if verdict.scan_id is not None:
        facts.append(f"scan {verdict.scan_id}")
    if head_commit:
        facts.append(f"commit {md_code(head_commit[:12])}")
    if facts:
        lines += [" · ".join(facts), ""]
    if status is not None:
        lines += foreign_links(status)
    if status is not None and (links := status.issue_links):
        lines += [f"**Open issues ({len(links)}):**", ""]
        lines += [f"- {md_link(link, link)}" for link in links[:MAX_COMMENT_LINKS]]
        if len(links) > MAX_COMMENT_LINKS:
            lines.append(f"- … and {len(links) - MAX_COMMENT_LINKS} more in Aikido")
        lines.append("")
    if status is not None and status.message:
        lines += ["**Aikido says:**", "", md_block(status.message), ""]
    if leftovers:
        lines += [f"**SAST findings not shown inline ({len(leftovers)}):**", ""]
        lines += [f"- **{md_text(issue.title)}** in {_where(issue)}" for issue in leftovers[:MAX_LEFTOVERS_LISTED]]
        if len(leftovers) > MAX_LEFTOVERS_LISTED:
            lines.append(f"- … and {len(leftovers) - MAX_LEFTOVERS_LISTED} more in Aikido")
        lines.append("")
    lines += head_policy_lines(verdict.head_policy, "####")
    lines.append(f"<sub>aikido-gate {__version__} · job {md_code(job or 'unknown')} · updated on every run</sub>")
    return _fit("\n".join(lines) + "\n")


def render_review(issue: SastIssue, diff_url: str | None) -> str:
    """One inline review comment's Markdown."""
    lines = [SAST_MARKER, f"**Aikido SAST: {md_text(issue.title)}**", ""]
    if issue.description:
        lines += [md_block(issue.description), ""]
    if issue.remediation:
        lines += ["**Remediation:**", "", md_block(issue.remediation), ""]
    if diff_url:
        lines.append(md_link("Open the scan in Aikido", diff_url))
    return _fit("\n".join(lines).rstrip() + "\n")


def render_review_body(count: int, diff_url: str | None) -> str:
    """The body of the one review that holds a run's inline comments (GitHub wants one for a COMMENT review)."""
    findings = "1 SAST finding" if count == 1 else f"{count} SAST findings"
    lines = [f"**Aikido SAST:** {findings} introduced by this pull request, commented on the lines below."]
    if diff_url:
        lines += ["", md_link("Open the scan in Aikido", diff_url)]
    return "\n".join(lines) + "\n"


def _fit(body: str) -> str:
    return cut_short(body, MAX_COMMENT_CHARS, COMMENT_CUT_NOTE + "\n", unit="utf-16-le")
