"""The automation rules, run after the verdict: tracking issues that open, update and close themselves, a chat
message and an e-mail.

They never change the verdict, the exit code or the outputs: each rule's result is one line in
the log and in the job summary, and any refusal is a warning. Two runs of one key that race
converge on the oldest tracking issue; the newer is closed as its duplicate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gate.core import mail
from gate.core.actions import CREATE_ISSUE, KINDS, SEND_EMAIL, SEND_TO_COMMUNICATOR
from gate.core.automations import (
    MARKDOWN_ISSUES,
    IssueTexts,
    Said,
    Where,
    about_issue,
    actions_on,
    chat_news,
    fired,
    in_scope,
    issue_title,
    lacking,
    need_of,
    ref_kind,
    rule_line,
    said,
    summary_section,
    target_of,
    targets,
)
from gate.core.errors import GateError, GitHubRefused, Refused
from gate.core.event import policy_reading, pull_request_number, read_event
from gate.core.jira import JIRA_ISSUES
from gate.core.plan import RunPlan
from gate.core.policy import Action, Automation, Instance
from gate.core.summary import RunReport
from gate.core.verdict import Outcome, Verdict
from gate.core.wording import a_few
from gate.flow.ports import Chat, IssueTracker, Mail, Mailer, TrackedIssue, Unusable, Workflow
from gate.flow.report import AUTOMATION_TITLE as TITLE

PERMISSION_HINT = "give the job permissions: issues: write"
FORK_SKIPPED = (
    "automations skipped: this pull request comes from a fork; the policy file's rules never act on a stranger's "
    "pull request (no tracking issue, no chat message)"
)
# What a rule in scope says when an input its action needs is empty ({rules}: the rules' names).
MISSING_INPUT = {
    "github-token": (
        "automation {rules} cannot keep its tracking issue: github-token is empty; pass github-token: "
        "${{{{ secrets.GITHUB_TOKEN }}}} and give the job permissions: issues: write"
    ),
    "communicator-webhook-url": (
        "automation {rules} cannot post to chat: communicator-webhook-url is empty; pass the webhook's URL from a "
        "secret, e.g. communicator-webhook-url: ${{{{ secrets.CHAT_WEBHOOK }}}}"
    ),
}
# What a rule in scope says when its instance cannot be used ({why}: the variable, and what is wrong).
UNUSABLE_INSTANCE = (
    "automation {rules} cannot use instance {instance}: {why}; set it in the step's env: from a secret, e.g. "
    "{variable}: ${{{{ secrets.{variable} }}}}"
)


@dataclass(frozen=True)
class AutomationRun:
    """What the rules need of this run."""

    rules: tuple[Automation, ...]
    profile: str | None
    where: Where
    # What the run wrote as its report (the summary, the SARIF file), for the actions on report_created.
    report: RunReport | None = None


@dataclass(frozen=True)
class Writers:
    """The ports the actions write to; None where this run lacks the input that reaches it.

    `by_instance` holds the port of each instance of the policy file the run can use, by instanceId (a
    Chat, an IssueTracker…, as its plugin does); `unusable` says why each of the others cannot be used.
    """

    issues: IssueTracker | None = None
    chat: Chat | None = None
    instances: Mapping[str, Instance] = field(default_factory=dict)
    by_instance: Mapping[str, Any] = field(default_factory=dict)
    unusable: Mapping[str, Unusable] = field(default_factory=dict)

    def port(self, action: Action) -> Any:
        """The port `action` writes to (its instance's, else its kind's), or None where this run has none."""
        need = need_of(action, self.instances)
        if need.startswith("instance "):
            return self.by_instance.get(need.removeprefix("instance "))
        return HANDLERS[action.type].port(self)

    def missing(self, need: str, rules: str) -> str:
        """The warning for a need (`need_of`) this run lacks, naming the rules."""
        if not need.startswith("instance "):
            return MISSING_INPUT[need].format(rules=rules)
        instance = need.removeprefix("instance ")
        unusable = self.unusable.get(instance, Unusable("the variable", "is not set"))
        return UNUSABLE_INSTANCE.format(
            rules=rules,
            instance=repr(instance),
            why=f"the variable {unusable.variable} {unusable.why}",
            variable=unusable.variable,
        )


@dataclass(frozen=True)
class Firing:
    """One action of a rule on this run: the events that fired (strongest first), and its action (None: none fired)."""

    rule: Automation
    names: list[str]
    action: Action | None
    verdict: Verdict
    where: Where
    report: RunReport | None = None

    def on_report(self) -> bool:
        """The action runs because report_created fired (and the rule lists it there): it carries the report."""
        if self.action is None or "report_created" not in self.names:
            return False
        target = target_of(self.action)
        return any(
            name == "report_created" and target in {target_of(action) for action in actions}
            for name, actions in self.rule.events
        )


@dataclass(frozen=True)
class Handler:
    """How one kind of action (gate.core.actions) is carried out: the port it writes to, and what it does."""

    port: Callable[[Writers], Any]
    act: Callable[[Firing, Any], Said]


def run_automations(verdict: Verdict, run: AutomationRun, writers: Writers, workflow: Workflow) -> list[str]:
    """Run every rule in this run's scope; returns (and logs, and adds to the summary) one line per rule that acted.

    An action whose input this run lacks is skipped with one warning per input; nothing here
    changes the verdict.
    """
    rules = in_scope(run.rules, run.profile, run.where)
    if skipped := len([rule for rule in run.rules if rule.enabled]) - len(rules):
        workflow.log(f"automations: {skipped} rule{'s' if skipped > 1 else ''} not in this run's scope")
    everything = [action for rule in rules for action in rule.actions()]
    missing = frozenset(need_of(action, writers.instances) for action in everything if writers.port(action) is None)
    for need, names in lacking(rules, missing, writers.instances).items():
        workflow.warning(writers.missing(need, a_few([repr(name) for name in names])), title=TITLE)
    events = fired(verdict)
    done: list[str] = []
    shown: list[tuple[str, list[Said]]] = []
    for rule in rules:
        names, actions = actions_on(rule, events)
        results: list[Said] = []
        for target, first in targets(rule).items():
            port, action = writers.port(first), actions.get(target)
            if port is not None and (action is not None or KINDS[first.type].on_every_run):
                results.append(
                    HANDLERS[first.type].act(Firing(rule, names, action, verdict, run.where, run.report), port)
                )
        results = [result for result in results if result.text]
        if results:
            line = rule_line(rule.name, results)
            if any(result.refused for result in results):
                workflow.warning(line, title=TITLE)  # a refusal is seen and fixed, not lost in the log
            else:
                workflow.log(line)
            done.append(line)
            shown.append((rule.name, results))
    if shown:
        workflow.add_summary(summary_section(shown))
    return done


def _post(firing: Firing, chat: Chat) -> Said:
    named = firing.action.options.get("instanceId") if firing.action is not None else None
    to = f" to {named}" if isinstance(named, str) else ""
    try:
        chat.post(chat_news(firing.verdict, firing.where))
    except Refused as refusal:
        return said(f"chat message{to} not sent ({refusal})", refused=True)
    return said(f"chat message{to} sent")


def _mail(firing: Firing, mailer: Mailer) -> Said:
    """One message per firing, to the action's `to` or else the instance's; on report_created with the report."""
    action = firing.action
    if action is None:
        return said("")
    instance = str(action.options.get("instanceId", ""))
    to = mail.recipients(mailer.recipients, action.options.get("to"))
    files, left_out = mail.attachments(firing.report if firing.on_report() else None)
    message = Mail(
        mailer.sender,
        to,
        mail.subject(firing.verdict, firing.where),
        mail.body(firing.verdict, firing.where, firing.rule.name, files, left_out),
        tuple(files),
    )
    try:
        refused = mailer.send(message)
    except Refused as refusal:
        return said(mail.refused_line(instance, str(refusal)), refused=True)
    if refused:
        return said(mail.partly_line(instance, len(to), refused), refused=True)
    return said(mail.sent_line(instance, len(to)))


def _track(firing: Firing, issues: IssueTracker) -> Said:
    """Open or update the rule's issue when an event with this action fired; close it when a verdict says clean."""
    rule, names, action, verdict, where = firing.rule, firing.names, firing.action, firing.verdict, firing.where
    reached = verdict.outcome in (Outcome.SUCCEEDED, Outcome.FAILED)
    if action is None and not reached:
        return said("")  # no result this time: neither news nor an all-clear
    texts = ISSUE_TEXTS[issues.text_format]
    try:
        marker = texts.marker(rule, where)
        mine = sorted(issues.tracked(marker, issues.identity()), key=lambda issue: issue.number)
        if action is not None:
            title, body = issue_title(names[0], verdict, where), texts.body(marker, verdict, where, action)
            issue, what = _open(issues, texts, mine, Draft(title, body, action, marker))
            return about_issue(issue.shown, issue.url, what)
        still_open = [issue for issue in mine if issue.open]
        for issue in still_open:
            issues.close(issue.number, texts.closing(where))
        if not still_open:
            return said("")
        return about_issue(still_open[0].shown, still_open[0].url, "closed")
    except Refused as refusal:
        # GitHub's refusals say what failed; Jira's name what to fix themselves (gate.jira.client).
        github = isinstance(refusal, GitHubRefused)
        hint = f"; {PERMISSION_HINT}" if github and refusal.status in (401, 403, 404) else ""
        return said(f"tracking issue not written ({refusal}{hint})", refused=True)


@dataclass(frozen=True)
class Draft:
    """The issue a firing wants: its title and body, the action (labels, assignees) and the marker."""

    title: str
    body: str
    action: Action
    marker: str


def _open(issues: IssueTracker, texts: IssueTexts, mine: list[TrackedIssue], draft: Draft) -> tuple[TrackedIssue, str]:
    """Update the oldest of our issues in place (reopening it), or create one and converge if a run raced.

    An issue the tracker cannot reopen is left closed: the next open one is kept, or a new one opened.
    """
    if mine:
        oldest = mine[0]
        # The tracker's verdict, not the texts as read: Jira Cloud never reads back what it was sent.
        changed = not issues.unchanged(oldest, draft.title, draft.body)
        if (not oldest.open or changed) and not issues.update(
            oldest.number, draft.title, draft.body, reopen=not oldest.open
        ):
            return _open(issues, texts, [issue for issue in mine if issue.open], draft)
        _close_duplicates(issues, texts, mine)
        return oldest, "reopened" if not oldest.open else "updated" if changed else "unchanged"
    action = draft.action
    created = issues.create(
        draft.title, draft.body, texts.labels(draft.marker, action.listed("labels")), action.listed("assignees")
    )
    # Open ones only: a closed issue the tracker could not reopen is no racing run's.
    again = sorted(
        (issue for issue in issues.tracked(draft.marker, issues.identity()) if issue.open),
        key=lambda issue: issue.number,
    )
    if again and again[0].number != created.number:
        _close_duplicates(issues, texts, again)
        return again[0], "updated (another run had just opened it)"
    return created, "created"


def _close_duplicates(issues: IssueTracker, texts: IssueTexts, mine: list[TrackedIssue]) -> None:
    oldest, *newer = mine
    for issue in newer:
        if issue.open:
            issues.close(issue.number, texts.duplicate(oldest.shown))


def where_of(plan: RunPlan, payload: dict[str, Any]) -> Where:
    """Where this run happened, as the rules' keys and texts name it."""
    job = plan.job
    reading = policy_reading(job.event_name, payload, sha=job.sha, ref=job.ref)
    number = pull_request_number(payload)
    kind = ref_kind(job.event_name, numbered=number is not None, tag=reading.tag)
    name = {"pull request": str(number), "release": reading.tag or ""}.get(kind, reading.branch or "")
    head = reading.head or reading.read_at
    run_url = f"{job.server_url}/{plan.repository}/actions/runs/{job.run_id}" if job.run_id else ""
    return Where(plan.repository, kind, name, head, run_url, job.workflow, job.job, plan.comment_key, job.server_url)


def automate(
    verdict: Verdict,
    plan: RunPlan,
    payload: dict[str, Any],
    rules: tuple[Automation, ...],
    *,
    writers: Writers,
    workflow: Workflow,
    report: RunReport | None = None,
) -> None:
    """The rules of the policy file after the verdict; a pull request from a fork skips them, on any event.

    A writer is None (or absent) where the run lacks its input: the actions that need it are skipped.
    """
    if not rules:
        return
    job = plan.job
    try:
        facts = read_event(job.event_name, payload, sha=job.sha, ref=job.ref, actor=job.actor)
        where = where_of(plan, payload)
    except GateError as failure:
        workflow.notice(f"automations skipped: {failure}", title=TITLE)
        return
    if facts.is_fork:
        # On pull_request_target the token could write: a stranger's pull request must still not
        # open issues (notifying their assignees) or post to chat.
        workflow.notice(FORK_SKIPPED, title=TITLE)
        return
    policy = verdict.policy
    run = AutomationRun(rules, policy.profile if policy else None, where, report)
    run_automations(verdict, run, writers, workflow)


# The texts of each tracker's format (gate.flow.ports.IssueTracker.text_format), by name.
ISSUE_TEXTS = {texts.name: texts for texts in (MARKDOWN_ISSUES, JIRA_ISSUES)}
# One handler per kind of action (gate.core.actions.KINDS), by its actionType.
HANDLERS: dict[str, Handler] = {
    CREATE_ISSUE.type: Handler(lambda writers: writers.issues, _track),
    SEND_TO_COMMUNICATOR.type: Handler(lambda writers: writers.chat, _post),
    SEND_EMAIL.type: Handler(lambda writers: None, _mail),  # always through its instance
}
