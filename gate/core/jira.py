"""A Jira tracking issue's texts in Jira's wiki markup (REST API v2), and the one escaping every Jira text uses.

Pure. Jira Cloud and Data Center both take wiki markup through REST v2 (Cloud converts it to its own
document format), so one renderer serves both. Every hostile text (Aikido's answers, branch names,
workflow names, Jira's own answers) passes `jira_text`: cleaned (no secret, no control), then
made inert for Jira's renderer (https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa):
- a backslash before each character that opens markup: `*bold*`, `_italic_`, `+underline+`,
  `^super^`, `~sub~`, `??cite??`, `{macro}`, `[link|url]` and mentions `[~accountid:…]`, `|table|`,
  `!image!`, `#` lists; a `-` only where it could strike through (`SEC-12` stays a key);
- a backslash as the fullwidth reverse solidus (U+FF3C), since `\\` is a line break;
- a zero-width space where Jira would make a link (`://`, `www.`, `mailto:`), an emoticon
  (`(x)`, `:)`) or a block (`h1.`, `bq.` beginning the text).
The only links are those `jira_link` makes, for https URLs; the models keep only Aikido's.
"""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote

from gate import __version__
from gate.core.automations import IssueTexts, Where, issue_key, where_line
from gate.core.models import COUNTS
from gate.core.policy import Action
from gate.core.sanitize import clean
from gate.core.summary import headline
from gate.core.verdict import Outcome, Verdict

ZWSP = "\u200b"
# The label every tracking issue carries, with its key: what finds it again (with its reporter).
LABEL_PREFIX = "aikido-gate-"
# Jira's limit for a text field is 32,767 characters; a description stays well below it.
MAX_TEXT_CHARS = 30_000
_SPECIAL = re.compile(r"([*_+^~\[\]{}|!?#])")
# A dash strikes through only at a word's edge: `-gone-`, not `SEC-12`.
_DASH = re.compile(r"(?<![A-Za-z0-9])-|-(?![A-Za-z0-9])")
# What Jira would link, each with the point where a zero-width space defuses it: a scheme's "://", "www.",
# "mailto:".
_LINKABLE = re.compile(r"(?<=:)(?=//)|(?<![A-Za-z0-9])(?i:www)(?=\.)|(?<![A-Za-z0-9])(?i:mailto)(?=:)")
# Icons and smileys: "(x)", "(!)", "(on)", ":)", ";P".
_EMOTICON = re.compile(r"(?<=\()(?=[^()\s]{1,4}\))|(?<=[:;])(?=[()PpDdOo])")
_BLOCK_START = re.compile(r"^(h[1-6]|bq)(?=\.)", re.IGNORECASE)
# Jira's icons: no emoji, which a Data Center database in utf8 (not utf8mb4) refuses.
_ICONS = {
    Outcome.SUCCEEDED: "(/)",
    Outcome.FAILED: "(x)",
    Outcome.TIMED_OUT: "(!)",
    Outcome.SKIPPED: "(i)",
    Outcome.ERROR: "(!)",
    Outcome.CANCELLED: "(x)",
}


def jira_text(text: str) -> str:
    """Hostile text as one inert line of Jira wiki markup: no markup, link, mention, emoticon or block."""
    line = re.sub(r"\s+", " ", clean(text)).strip().replace("\\", "\uff3c")
    line = _DASH.sub(r"\\-", _SPECIAL.sub(r"\\\1", line))
    line = _LINKABLE.sub(lambda match: match.group(0) + ZWSP, line)
    line = _EMOTICON.sub(ZWSP, line)
    return _BLOCK_START.sub(lambda match: match.group(1) + ZWSP, line)


def written_digest(summary: str, description: str) -> str:
    """The sha256 of a summary and description as sent to Jira: the record of what the gate last wrote there."""
    return hashlib.sha256(json.dumps([summary, description], ensure_ascii=False).encode()).hexdigest()


def jira_code(text: str) -> str:
    """Hostile text in monospace (`{{…}}`), inert inside too: Jira renders markup within it."""
    return "{{" + jira_text(text) + "}}"


def jira_url(url: str) -> str:
    """An https URL safe as a link's target: whatever could end or split the link percent-encoded."""
    return quote(clean(url), safe="/:?&=#%+,;.-")


def jira_link(text: str, url: str) -> str:
    """A link named `text`, for an https URL only; anything else stays inert text."""
    return f"[{jira_text(text)}|{jira_url(url)}]" if url.startswith("https://") else jira_text(text)


def jira_marker(rule_key: str) -> str:
    """The label of a rule's tracking issue on one key (gate.core.automations.issue_key)."""
    return LABEL_PREFIX + rule_key


def jira_labels(marker: str, labels: tuple[str, ...]) -> tuple[str, ...]:
    """The labels a new issue gets: the marker, then the action's (Jira's labels hold no space: `_` instead)."""
    extra = (re.sub(r"\s+", "_", clean(label).strip())[:255] for label in labels)
    return (marker, *dict.fromkeys(label for label in extra if label and label != marker))


def _counts(verdict: Verdict) -> list[str]:
    status = verdict.status
    shown = {name: value for name, value in status.counts.items() if value is not None} if status else {}
    if not shown:
        return []
    return ["||Category||Count||", *(f"|{jira_text(COUNTS[name])}|{value}|" for name, value in shown.items()), ""]


def issue_description(marker: str, verdict: Verdict, where: Where, action: Action) -> str:
    """The tracking issue's description: the verdict, the counts, the Aikido link, the commit and the run."""
    icon = "(!)" if verdict.outcome is Outcome.FAILED and verdict.report_only else _ICONS[verdict.outcome]
    lines = [f"h3. {icon} Aikido security gate {jira_text(headline(verdict))}", ""]
    lines += [jira_text(verdict.reason[:1].upper() + verdict.reason[1:]) + ".", ""]
    lines += _counts(verdict)
    lines += [where_line(verdict, where, link=jira_link, code=jira_code), ""]
    lines.append(
        f"_aikido-gate {jira_text(__version__)} keeps this issue (label {jira_text(marker)}): updated while the "
        f"finding stands, moved to done when a run of {jira_code(where.workflow or 'the workflow')} / "
        f"{jira_code(where.job or 'the job')} passes._"
    )
    text = "\n".join(lines) + "\n"
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 1] + "…"


def closing_comment(where: Where) -> str:
    """The comment a clean run leaves as it moves the issue to done, naming the commit that resolved it."""
    run = f" ({jira_link('run', where.run_url)})" if where.run_url.startswith("https://") else ""
    return f"Resolved in commit {jira_code(where.commit[:12])}{run}: the gate found nothing this rule tracks."


def duplicate_comment(oldest: str) -> str:
    """The comment that closes a copy a racing run opened, naming the issue kept (its key, Jira's answer)."""
    return f"Duplicate of {jira_text(oldest)}, opened by a run that raced it."


JIRA_ISSUES = IssueTexts(
    "jira",
    lambda rule, where: jira_marker(issue_key(rule, where)),
    jira_labels,
    issue_description,
    closing_comment,
    duplicate_comment,
)
