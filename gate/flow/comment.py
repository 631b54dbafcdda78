"""The PR comments: one sticky status comment per pull request and job, and inline SAST review comments.

The decisions and the order of the writes, over the `PullRequest` port (gate.flow.ports) that the
PyGithub adapter implements; the bodies are rendered in the core (gate.core.comment). GitHub
trouble never changes the gate's outcome: it becomes a warning that says what to fix.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from gate.core.comment import (
    SAST_MARKER,
    CommentMode,
    CommentPlan,
    render_review,
    render_review_body,
    render_status,
)
from gate.core.diff import place, right_hunks
from gate.core.errors import CommentsInterrupted, GateError, GitHubRefused
from gate.core.models import SastIssue
from gate.core.verdict import Outcome, Verdict
from gate.core.wording import a_few
from gate.flow.ports import Comment, InlineComment, PullRequest, ReviewComment, Workflow
from gate.flow.report import COMMENT_TITLE

# At most this many inline comments of ours stand on a pull request's diff at a time, earlier runs'
# included: a run posts its new ones in one review (one request, one notification) and lists the rest
# in the status comment. Counting the earlier runs' comments is what keeps a repeated run from posting
# what the cap held back the time before.
MAX_INLINE_COMMENTS = 50
# When GitHub refuses the review, its comments go one request each, as they did before reviews: at
# most this many a run, refused ones included (each is a write against GitHub's secondary rate limit).
MAX_SINGLE_COMMENTS = 20
_Authored = TypeVar("_Authored", "Comment", "ReviewComment")
PERMISSION_HINT = "give the job `permissions: pull-requests: write` (fork pull requests only get a read-only token)"


@dataclass(frozen=True)
class InlinePlan:
    """One run's inline comments, each with its finding, and the findings the status comment lists instead."""

    issues: list[SastIssue]
    comments: list[tuple[SastIssue, InlineComment]]
    leftovers: list[SastIssue]
    body: str  # the review's own text


def found_something(verdict: Verdict) -> bool:
    """Whether the gate found anything worth a comment in only_if_new_findings mode."""
    if verdict.outcome is Outcome.FAILED:
        return True
    counts = verdict.status.counts if verdict.status else {}
    return any(counts.get(name) for name in ("new_issues_found", "open_issues_found"))


def plan_inline(pr: PullRequest, issues: list[SastIssue], *, diff_url: str | None, workflow: Workflow) -> InlinePlan:
    """Place each finding on the lines the pull request's diff shows; reads only (and deletes racing copies of ours).

    A finding no hunk shows goes to the status comment (GitHub would refuse the whole review for it),
    as do those past the cap; one on a line where a comment of ours stands already is not posted again.
    """
    if not issues:
        return InlinePlan([], [], [], "")
    ours = _our_lines(pr, workflow)
    room = MAX_INLINE_COMMENTS - len(ours)
    # Keyed by the path at the head: a renamed file's findings name its new path, as the listing does.
    diff = {file.path: right_hunks(file.patch) for file in pr.changed_files()}
    comments: list[tuple[SastIssue, InlineComment]] = []
    leftovers: list[SastIssue] = []
    for issue in issues:
        span = place(issue.start_line, issue.end_line, diff.get(issue.path, ()))
        if span is not None and (issue.path, span.line) in ours:
            continue  # commented on already, by an earlier run or a finding before it
        if span is None or len(comments) >= room:
            leftovers.append(issue)
            continue
        ours.add((issue.path, span.line))
        comment = InlineComment(issue.path, span.start_line, span.line, render_review(issue, diff_url))
        comments.append((issue, comment))
    return InlinePlan(issues, comments, leftovers, render_review_body(len(comments), diff_url))


def _our_lines(pr: PullRequest, workflow: Workflow) -> set[tuple[str, int | None]]:
    """The lines of the diff where an inline comment of ours stands; newer copies on a line (a race) deleted.

    An outdated comment (GitHub gives it no `line`: the diff moved on) stands nowhere and is left alone.
    """
    ours: set[tuple[str, int | None]] = set()
    for comment in sorted(_own(pr, pr.review_comments(), SAST_MARKER, workflow), key=lambda comment: comment.id):
        if comment.line is None:
            continue
        if (comment.path, comment.line) in ours:
            # Two runs raced and both commented on this line: the older comment stays.
            _delete(functools.partial(pr.delete_review_comment, comment.id))
        ours.add((comment.path, comment.line))
    return ours


def post_inline(pr: PullRequest, plan: InlinePlan, *, head_commit: str, workflow: Workflow) -> list[SastIssue]:
    """Post the plan's comments in one review; returns the findings that are not shown inline after all.

    GitHub takes a review whole or not at all. When it refuses one (422: a line it does not take, a head
    that moved since the files were read), nothing was posted, and the comments go one request each, as
    before reviews; those refused too are returned. Any other refusal raises CommentsInterrupted with
    every finding not known to be posted: a review that got a 5xx or no answer is never sent again.
    """
    if not plan.comments:
        return []
    try:
        pr.create_review([comment for _, comment in plan.comments], commit=head_commit, body=plan.body)
    except GitHubRefused as refusal:
        if refusal.status != 422:
            raise CommentsInterrupted(refusal, [issue for issue, _ in plan.comments]) from None
        workflow.log(f"GitHub refused the review ({refusal}): posting its comments one at a time")
        return _one_by_one(pr, plan.comments, head_commit=head_commit, workflow=workflow)
    workflow.log(f"posted {len(plan.comments)} inline SAST review comment(s) in one review")
    return []


def _one_by_one(
    pr: PullRequest, comments: list[tuple[SastIssue, InlineComment]], *, head_commit: str, workflow: Workflow
) -> list[SastIssue]:
    """Each comment in a request of its own (at most MAX_SINGLE_COMMENTS); returns the findings not posted."""
    leftovers: list[SastIssue] = []
    posted = 0
    for index, (issue, comment) in enumerate(comments):
        if index >= MAX_SINGLE_COMMENTS:
            leftovers.append(issue)
            continue
        try:
            pr.create_review_comment(comment, commit=head_commit)
        except GitHubRefused as refusal:
            if refusal.status != 422:
                # No permission or GitHub in trouble: the rest would fare no better.
                raise CommentsInterrupted(refusal, leftovers + [rest for rest, _ in comments[index:]]) from None
            leftovers.append(issue)  # a line GitHub does not count as part of the diff
            continue
        posted += 1
    if posted:
        workflow.log(f"posted {posted} inline SAST review comment(s) one at a time")
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
        return "updated" if _keep_oldest(pr, mine, body) else "unchanged"
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


def _keep_oldest(pr: PullRequest, mine: list[Comment], body: str) -> bool:
    """Write `body` into the oldest of our comments, unless it says that already, and delete the rest (already gone
    is fine); returns whether it wrote."""
    oldest, *newer = mine
    changed = oldest.body.strip() != body.strip()
    if changed:
        pr.edit_issue_comment(oldest.id, body)
    for copy in newer:
        _delete(functools.partial(pr.delete_issue_comment, copy.id))
    return changed


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

    The findings are placed on the diff first, which only reads; then the status comment is written
    once, listing those not shown inline, before the one review, so the pull request never shows a
    verdict older than this run's. It is updated again only for comments GitHub refused after all.
    Nothing is written where nothing changed: a repeated run finds its comments as they should be.
    """
    inline = _plan_reviews(verdict, plan, pr, sast_issues, workflow)
    leftovers = inline.leftovers if inline else []
    written = plan.mode is not CommentMode.OFF and _post_status(verdict, plan, pr, leftovers, workflow)
    refused = _post_reviews(plan, pr, inline, workflow)
    if inline is not None and refused:
        # In the findings' own order, however they came to be left over.
        left = {*leftovers, *refused}
        leftovers = [issue for issue in inline.issues if issue in left]
        if written:
            _post_status(verdict, plan, pr, leftovers, workflow)
    if leftovers and plan.mode is CommentMode.OFF:
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


def _plan_reviews(
    verdict: Verdict,
    plan: CommentPlan,
    pr: PullRequest,
    sast_issues: Callable[[], list[SastIssue]],
    workflow: Workflow,
) -> InlinePlan | None:
    """The inline comments to post, if asked for and the scan has a result; None when there are none to plan."""
    status = verdict.status
    if not (plan.sast and verdict.scan_id is not None and status is not None and status.final and plan.head_commit):
        return None
    try:
        issues = sast_issues()
    except GateError as failure:
        workflow.warning(f"could not read the scan's SAST issues: {failure}", title=COMMENT_TITLE)
        return None
    try:
        return plan_inline(pr, issues, diff_url=status.diff_url, workflow=workflow)
    except GitHubRefused as refusal:
        # Without the diff or our earlier comments nothing can be placed: the status comment lists them all.
        _warn(workflow, "the inline SAST review comments", refusal)
        return InlinePlan(issues, [], list(issues), "")


def _post_reviews(plan: CommentPlan, pr: PullRequest, inline: InlinePlan | None, workflow: Workflow) -> list[SastIssue]:
    """Post the planned review; returns the findings GitHub did not take after all."""
    if inline is None or not plan.head_commit:
        return []
    try:
        return post_inline(pr, inline, head_commit=plan.head_commit, workflow=workflow)
    except CommentsInterrupted as interrupted:
        _warn(workflow, "the inline SAST review comments", interrupted.refusal)
        return list(interrupted.leftovers)


def _warn(workflow: Workflow, what: str, refusal: GitHubRefused) -> None:
    hint = f"; {PERMISSION_HINT}" if refusal.status in (401, 403, 404) else ""
    workflow.warning(f"could not post {what}: {refusal}{hint}", title=COMMENT_TITLE)
