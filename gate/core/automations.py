"""Automation rules decided and written: the events a verdict fires, the tracking issue's key and texts, the chat line,
and each rule's results as the log and the job summary show them.

Pure. Events, after Invicti's automation rules, as this gate defines them:
- `scan_done`: the scan completed and a verdict was reached (SUCCEEDED or FAILED, report-only included);
- `scan_failed`: no result (ERROR or TIMED_OUT; never SKIPPED or a cancellation);
- `vulnerability_found`: a completed scan reports new issues (a release gate: open issues), already
  counted by Aikido at or above the run's minimum severity;
- `vulnerability_created`: the change introduced new issues (a feature-branch scan, not a release
  gate, with `new_issues_found` > 0);
- `report_created`: the run's report was written (the job summary, and the SARIF file when asked):
  every run that was not skipped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from gate import __version__
from gate.core.actions import KINDS
from gate.core.chat import ChatNews, text_line
from gate.core.event import PULL_REQUEST_EVENTS
from gate.core.markdown import MAX_COMMENT_CHARS, cut_short, md_code, md_link, md_text
from gate.core.plugins import GITHUB_ISSUES
from gate.core.policy import Action, Automation, Instance
from gate.core.sanitize import clean
from gate.core.summary import counts_table, headline, sign
from gate.core.verdict import Outcome, Verdict

# The strongest event names the issue: an open vulnerability is news, a failure next, a done scan last.
_WEIGHT = {"vulnerability_created": 4, "vulnerability_found": 3, "scan_failed": 2, "scan_done": 1, "report_created": 0}


@dataclass(frozen=True)
class Where:
    """Where the run happened, for keys and texts: repository, ref (a branch, a PR or a release), commit, run link."""

    repository: str
    ref_kind: str  # "branch", "pull request" or "release"
    ref_name: str
    commit: str
    run_url: str
    workflow: str
    job: str
    matrix_key: str
    server_url: str = "https://github.com"

    @property
    def shown(self) -> str:
        return {"pull request": f"pull request #{self.ref_name}", "release": "releases"}.get(
            self.ref_kind, self.ref_name
        )


def ref_kind(event: str, *, numbered: bool, tag: str | None) -> str:
    """What a run is about, as a rule's scope and key see it: a pull request (a pull request event, with its number),
    a release (a release, or a tag), else a branch."""
    if event in PULL_REQUEST_EVENTS and numbered:
        return "pull request"
    if tag is not None or event == "release":
        return "release"
    return "branch"


def fired(verdict: Verdict) -> set[str]:
    """The events this verdict fires."""
    events: set[str] = set()
    status = verdict.status
    if verdict.outcome in (Outcome.SUCCEEDED, Outcome.FAILED) and status is not None and status.final:
        events.add("scan_done")
        counts = status.counts
        found = (counts.get("new_issues_found") or 0) + (counts.get("open_issues_found") or 0)
        if found > 0 or (status.gate_passed is False and counts.get("new_issues_found") is None):
            events.add("vulnerability_found")
        if verdict.release is None and (counts.get("new_issues_found") or 0) > 0:
            events.add("vulnerability_created")
    if verdict.outcome in (Outcome.ERROR, Outcome.TIMED_OUT):
        events.add("scan_failed")
    if verdict.outcome not in (Outcome.SKIPPED, Outcome.CANCELLED):
        events.add("report_created")
    return events


def applies(rule: Automation, profile: str | None, where: Where) -> bool:
    """The rule is on, and its scope is every run or includes the profile the run followed.

    A pull request's run is in a rule's scope only when the rule names the profile it followed:
    a rule for every run would otherwise open a tracking issue per pull request, left open when
    the pull request is abandoned.
    """
    if not rule.enabled:
        return False
    if rule.profiles is None:
        return where.ref_kind != "pull request"
    return profile is not None and profile in rule.profiles


def in_scope(rules: tuple[Automation, ...], profile: str | None, where: Where) -> list[Automation]:
    return [rule for rule in rules if applies(rule, profile, where)]


def need_of(action: Action, instances: Mapping[str, Instance] | None = None) -> str:
    """What an action writes through: the input its kind needs (gate.core.actions), or `instance NAME` for the
    communicator instance it names (a github-issues instance is GitHub Issues: github-token)."""
    named = action.options.get("instanceId")
    instance = (instances or {}).get(named) if isinstance(named, str) else None
    if instance is None or instance.plugin == GITHUB_ISSUES.id:
        return KINDS[action.type].needs
    return f"instance {instance.id}"


def lacking(
    rules: list[Automation], missing: frozenset[str], instances: Mapping[str, Instance] | None = None
) -> dict[str, list[str]]:
    """Each missing input or instance some rule's action needs (`need_of`), with the names of those rules."""
    found: dict[str, list[str]] = {}
    for rule in rules:
        for need in dict.fromkeys(need_of(action, instances) for action in rule.actions()):
            if need in missing:
                found.setdefault(need, []).append(rule.name)
    return found


Target = tuple[str, str | None]  # an action's type and the instance it names (None: the default)


def target_of(action: Action) -> Target:
    named = action.options.get("instanceId")
    return action.type, named if isinstance(named, str) else None


def targets(rule: Automation) -> dict[Target, Action]:
    """The rule's actions, the first of each type and instance (a rule may post to Slack and to Teams)."""
    found: dict[Target, Action] = {}
    for action in rule.actions():
        found.setdefault(target_of(action), action)
    return found


def actions_on(rule: Automation, events: set[str]) -> tuple[list[str], dict[Target, Action]]:
    """The rule's events that fired (strongest first), and the actions they run (the first of each type and
    instance)."""
    names = sorted({name for name, _ in rule.events if name in events}, key=lambda name: -_WEIGHT[name])
    chosen: dict[Target, Action] = {}
    for name, actions in rule.events:
        if name in events:
            for action in actions:
                chosen.setdefault(target_of(action), action)
    return names, chosen


def issue_key(rule: Automation, where: Where) -> str:
    """What finds a rule's tracking issue again, 16 hex digits: one per rule, workflow, job, matrix leg and ref.

    Tags and releases share one key per rule, so the next clean release closes what a blocked one opened.
    """
    ref = "release" if where.ref_kind == "release" else f"{where.ref_kind}:{where.ref_name}"
    digest = hashlib.sha256(json.dumps([rule.name, where.workflow, where.job, where.matrix_key, ref]).encode())
    return digest.hexdigest()[:16]


def issue_marker(rule: Automation, where: Where) -> str:
    """The hidden marker line that begins the body of a rule's tracking issue on GitHub (`issue_key`)."""
    return f"<!-- aikido-gate:issue:{issue_key(rule, where)} -->"


def _count_words(verdict: Verdict) -> str:
    status = verdict.status
    counts = status.counts if status else {}
    new, opened = counts.get("new_issues_found"), counts.get("open_issues_found")
    if opened is not None and (verdict.release is not None or new is None):
        return f"{opened} open issue{'' if opened == 1 else 's'}"
    if new is not None:
        return f"{new} new issue{'' if new == 1 else 's'}"
    return "issues"


def issue_title(event: str, verdict: Verdict, where: Where) -> str:
    """What and where, in one line: `Aikido: 3 new issues on main`."""
    place = where.shown
    if event in ("vulnerability_found", "vulnerability_created"):
        preposition = "in" if where.ref_kind == "release" else "on"
        return clean(f"Aikido: {_count_words(verdict)} {preposition} {place}")[:200]
    if event == "scan_failed":
        return clean(f"Aikido: the scan gave no result on {place} ({verdict.outcome.value})")[:200]
    if event == "report_created":
        return clean(f"Aikido: report of the run on {place} ({verdict.outcome.value})")[:200]
    return clean(f"Aikido: scan done on {place}")[:200]


def where_line(verdict: Verdict, where: Where, *, link: Callable[[str, str], str], code: Callable[[str], str]) -> str:
    """`Open the scan in Aikido · commit … of … · the run`, in a tracker's markup (its `link` and `code`)."""
    status = verdict.status
    facts = []
    if status is not None and status.diff_url:
        facts.append(link("Open the scan in Aikido", status.diff_url))
    facts.append(f"commit {code(where.commit[:12])} of {code(where.shown)}")
    if where.run_url.startswith("https://"):
        facts.append(link("the run", where.run_url))
    return " · ".join(facts)


def issue_body(marker: str, verdict: Verdict, where: Where, action: Action) -> str:
    """The tracking issue's Markdown: the verdict, the counts, the Aikido link, the commit and the run."""
    lines = [marker, f"### {sign(verdict)} Aikido security gate {headline(verdict)}", ""]
    lines += [md_text(verdict.reason[:1].upper() + verdict.reason[1:]) + ".", ""]
    status = verdict.status
    if status is not None:
        lines += counts_table(status)
    lines += [where_line(verdict, where, link=md_link, code=md_code), ""]
    if assignees := action.listed("assignees"):
        lines += ["Assigned to " + ", ".join(md_code(login) for login in assignees) + ".", ""]
    lines.append(
        f"<sub>aikido-gate {__version__} keeps this issue: updated while the finding stands, closed when a run of "
        f"{md_code(where.workflow or 'the workflow')} / {md_code(where.job or 'the job')} passes.</sub>"
    )
    note = "… cut short at GitHub's size limit; the scan in Aikido has everything."
    return cut_short("\n".join(lines) + "\n", MAX_COMMENT_CHARS, note + "\n", unit="utf-16-le")


def closing_comment(where: Where) -> str:
    run = f" ({md_link('run', where.run_url)})" if where.run_url.startswith("https://") else ""
    return f"Resolved in commit {md_code(where.commit[:12])}{run}: the gate found nothing this rule tracks."


def duplicate_comment(oldest: str) -> str:
    """The comment that closes a copy a racing run opened, naming the issue kept (`#12`, `SEC-12`)."""
    return f"Duplicate of {oldest}, opened by a run that raced it."


@dataclass(frozen=True)
class IssueTexts:
    """A tracker's text format (gate.flow.ports.IssueTracker.text_format): how its issues are found again, what they
    say, and the comments that close them. The title is plain text, the same for every tracker."""

    name: str
    # The marker of a rule's issue on this run's key, and the labels an issue is created with (the action's, and
    # the marker where it is a label).
    marker: Callable[[Automation, Where], str]
    labels: Callable[[str, tuple[str, ...]], tuple[str, ...]]
    body: Callable[[str, Verdict, Where, Action], str]
    closing: Callable[[Where], str]
    duplicate: Callable[[str], str]


# GitHub Issues: Markdown, the marker a hidden line that begins the body.
MARKDOWN_ISSUES = IssueTexts(
    "markdown", issue_marker, lambda marker, labels: labels, issue_body, closing_comment, duplicate_comment
)


@dataclass(frozen=True)
class Said:
    """One result of a rule, as the log says it and as the summary shows it (our own issue numbers as links)."""

    text: str
    markdown: str
    # A refusal: also a warning annotation, so that it is seen and fixed.
    refused: bool = False


def said(text: str, *, refused: bool = False) -> Said:
    """A result in words alone: the summary shows them as text."""
    return Said(text, md_text(text), refused)


def about_issue(shown: str, url: str, what: str) -> Said:
    """`issue #N what` (`issue SEC-12 what`), its name a link to our own issue in the Markdown."""
    return Said(f"issue {shown} {what}", f"issue {md_link(shown, url)} {md_text(what)}")


def rule_line(rule: str, results: list[Said]) -> str:
    """The log's line for a rule that acted: its name, then each result."""
    return f"{rule}: {'; '.join(result.text for result in results)}"


def summary_section(rules: list[tuple[str, list[Said]]]) -> str:
    """The job summary's section of the rules that acted, one line each."""
    lines = [f"- {md_text(rule)}: " + "; ".join(result.markdown for result in results) for rule, results in rules]
    return "\n**Automations:**\n\n" + "\n".join(lines) + "\n"


def chat_news(verdict: Verdict, where: Where) -> ChatNews:
    """What a chat message says of this run, as plain values (gate.core.chat renders them per service).

    The Aikido link is the answer's own text too: only a trusted Aikido link is kept
    (gate.core.models), and each renderer makes it inert like the rest.
    """
    status = verdict.status
    return ChatNews(
        outcome=verdict.outcome.value,
        counts=_count_words(verdict) if status is not None and status.final else None,
        repository=where.repository,
        place=where.shown,
        scan_url=status.diff_url or "" if status is not None else "",
        run_url=where.run_url if where.run_url.startswith("https://") else "",
    )


def chat_text(verdict: Verdict, where: Where) -> str:
    """One line for a chat webhook: outcome, repository, ref and the Aikido link, every part inert Slack text."""
    return text_line(chat_news(verdict, where))
