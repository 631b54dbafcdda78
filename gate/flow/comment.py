"""The PR comments: one sticky status comment per pull request and job, and inline SAST review comments.

The decisions and the order of the writes, over the `PullRequest` port (gate.flow.ports) that the
PyGithub adapter implements; the bodies are rendered in the core (gate.core.comment). GitHub
trouble never changes the gate's outcome: it becomes a warning that says what to fix.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TypeVar

from gate.core.comment import SAST_MARKER, CommentMode, CommentPlan, render_review, render_status
from gate.core.errors import CommentsInterrupted, GateError, GitHubRefused
from gate.core.models import SastIssue
from gate.core.verdict import Outcome, Verdict
from gate.core.wording import a_few
from gate.flow.ports import Comment, PullRequest, ReviewComment, Workflow
from gate.flow.report import COMMENT_TITLE

MAX_INLINE_COMMENTS = 20
_Authored = TypeVar("_Authored", "Comment", "ReviewComment")
PERMISSION_HINT = "give the job `permissions: pull-requests: write` (fork pull requests only get a read-only token)"


def found_something(verdict: Verdict) -> bool:
    """Whether the gate found anything worth a comment in only_if_new_findings mode."""
    if verdict.outcome is Outcome.FAILED:
        return True
    counts = verdict.status.counts if verdict.status else {}
    return any(counts.get(name) for name in ("new_issues_found", "open_issues_found"))


def post_review_comments(
    pr: PullRequest, issues: list[SastIssue], *, head_commit: str, diff_url: str | None, workflow: Workflow
) -> list[SastIssue]:
    """Post an inline comment per new issue (at most MAX_INLINE_COMMENTS); return those not shown inline."""
    ours: set[tuple[str, int | None]] = set()
    for comment in sorted(_own(pr, pr.review_comments(), SAST_MARKER, workflow), key=lambda comment: comment.id):
        if (comment.path, comment.line) in ours:
            # Two runs raced and both commented on this line: the older comment stays.
            _delete(functools.partial(pr.delete_review_comment, comment.id))
        ours.add((comment.path, comment.line))
    leftovers: list[SastIssue] = []
    posted = tried = 0
    for index, issue in enumerate(issues):
        if (issue.path, issue.end_line) in ours:
            continue
        # Refused attempts count too: each costs a write's time whether GitHub takes it or not.
        if tried >= MAX_INLINE_COMMENTS:
            leftovers.append(issue)
            continue
        tried += 1
        try:
            pr.create_review_comment(
                render_review(issue, diff_url),
                commit=head_commit,
                path=issue.path,
                start_line=issue.start_line,
                end_line=issue.end_line,
            )
        except GitHubRefused as refusal:
            if refusal.status != 422:
                # No permission or GitHub in trouble: the rest would fare no better.
                leftovers += [rest for rest in issues[index:] if (rest.path, rest.end_line) not in ours]
                raise CommentsInterrupted(refusal, leftovers) from None
            leftovers.append(issue)  # a line outside the diff: GitHub takes no comment there
            continue
        ours.add((issue.path, issue.end_line))
        posted += 1
    if posted:
        workflow.log(f"posted {posted} inline SAST review comment(s)")
    return leftovers


def _own(pr: PullRequest, comments: Iterable[_Authored], marker: str, workflow: Workflow) -> list[_Authored]:
    """The comments carrying `marker` that we wrote: anyone can copy the marker into a comment of theirs."""
    marked = [comment for comment in comments if marker in comment.body]
    if not marked:
        return []  # no need to ask GitHub who we are
    me = pr.identity().lower()
    ours = [comment for comment in marked if comment.author.lower() == me]
    if others := sorted({comment.author for comment in marked if comment.author.lower() != me}):
        workflow.log(f"ignored comment(s) carrying aikido-gate's marker by {a_few(others)}: not written by {me}")
    return ours


def upsert_status(pr: PullRequest, body: str, marker: str, *, create: bool, workflow: Workflow) -> str:
    """Update our comment in place, or create it when `create`; returns what was done.

    Two runs of the same job (two quick pushes) may both find no comment and both create one.
    So every run keeps the oldest of its own comments with this marker and deletes the newer
    copies (never anyone else's), and a run that created one looks again: whichever runs raced,
    they converge on the oldest.
    """
    mine = sorted(_own(pr, pr.issue_comments(), marker, workflow), key=lambda comment: comment.id)
    if mine:
        _keep_oldest(pr, mine, body)
        return "updated"
    if not create:
        return "not needed"
    created = pr.create_issue_comment(body)
    # Its author is who we are: no need to ask GitHub.
    me = created.author.lower()
    again = sorted(
        (comment for comment in pr.issue_comments() if marker in comment.body and comment.author.lower() == me),
        key=lambda comment: comment.id,
    )
    if again and again[0].id != created.id:
        _keep_oldest(pr, again, body)
        workflow.log("another run of this job created its status comment at the same time: kept the older one")
        return "updated"
    return "created"


def _keep_oldest(pr: PullRequest, mine: list[Comment], body: str) -> None:
    """Write `body` into the oldest of our comments and delete the rest (already gone is fine)."""
    oldest, *newer = mine
    if oldest.body.strip() != body.strip():
        pr.edit_issue_comment(oldest.id, body)
    for copy in newer:
        _delete(functools.partial(pr.delete_issue_comment, copy.id))


def _delete(action: Callable[[], None]) -> None:
    """Delete a duplicate of ours; a racing run may have deleted it first (404)."""
    try:
        action()
    except GitHubRefused as refusal:
        if refusal.status != 404:
            raise


def post_comments(
    verdict: Verdict,
    plan: CommentPlan,
    pr: PullRequest,
    sast_issues: Callable[[], list[SastIssue]],
    workflow: Workflow,
) -> None:
    """Post what the plan asks for; every failure becomes a warning, never a change of outcome.

    The status comment is written first, so however long the review comments take (GitHub
    spaces writes a second apart), the pull request never shows a verdict older than this run's.
    It is updated once more only to list the findings that could not be shown inline.
    """
    written = plan.mode is not CommentMode.OFF and _post_status(verdict, plan, pr, [], workflow)
    leftovers = _post_reviews(verdict, plan, pr, sast_issues, workflow)
    if not leftovers:
        return
    if written:
        _post_status(verdict, plan, pr, leftovers, workflow)
    elif plan.mode is CommentMode.OFF:
        workflow.notice(
            f"{len(leftovers)} SAST finding(s) could not be shown inline; set post-scan-status-comment "
            "to on to list them on the pull request",
            title=COMMENT_TITLE,
        )


def _post_status(
    verdict: Verdict, plan: CommentPlan, pr: PullRequest, leftovers: list[SastIssue], workflow: Workflow
) -> bool:
    """Write the status comment; False when GitHub refused (a warning says why)."""
    body = render_status(verdict, marker=plan.marker, head_commit=plan.head_commit, leftovers=leftovers, job=plan.job)
    # A policy file that fails the step is worth a comment whatever the scan found.
    create = plan.mode is CommentMode.ON or found_something(verdict) or bool(leftovers) or bool(verdict.head_policy)
    try:
        done = upsert_status(pr, body, plan.marker, create=create, workflow=workflow)
    except GitHubRefused as refusal:
        _warn(workflow, "the status comment", refusal)
        return False
    workflow.log(f"PR status comment: {done}")
    return True


def _post_reviews(
    verdict: Verdict,
    plan: CommentPlan,
    pr: PullRequest,
    sast_issues: Callable[[], list[SastIssue]],
    workflow: Workflow,
) -> list[SastIssue]:
    """The inline review comments, if asked for; returns the findings not shown inline."""
    status = verdict.status
    if not (plan.sast and verdict.scan_id is not None and status is not None and status.final and plan.head_commit):
        return []
    try:
        issues = sast_issues()
        return post_review_comments(
            pr, issues, head_commit=plan.head_commit, diff_url=status.diff_url, workflow=workflow
        )
    except GateError as failure:
        workflow.warning(f"could not read the scan's SAST issues: {failure}", title=COMMENT_TITLE)
    except CommentsInterrupted as interrupted:
        _warn(workflow, "the inline SAST review comments", interrupted.refusal)
        return interrupted.leftovers
    except GitHubRefused as refusal:
        _warn(workflow, "the inline SAST review comments", refusal)
    return []


def _warn(workflow: Workflow, what: str, refusal: GitHubRefused) -> None:
    hint = f"; {PERMISSION_HINT}" if refusal.status in (401, 403, 404) else ""
    workflow.warning(f"could not post {what}: {refusal}{hint}", title=COMMENT_TITLE)
