"""The `PullRequest` port over PyGithub: the status and review comments of one pull request."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from github.IssueComment import IssueComment
from github.PullRequest import ReviewComment as ReviewCommentDraft
from github.PullRequestComment import PullRequestComment

from gate.core.clock import Deadline, Sleep
from gate.flow.ports import ChangedFile, Comment, InlineComment, ReviewComment
from gate.github.session import PyGithubSession, login_of


class PyGithubPullRequest(PyGithubSession):
    """One pull request's comments."""

    def __init__(
        self,
        api_url: str,
        token: str,
        repository: str,
        number: int,
        *,
        deadline: Deadline,
        sleep: Sleep = time.sleep,
        seconds_between_writes: float = 1.0,
        environ: Mapping[str, str],
    ) -> None:
        super().__init__(
            api_url,
            token,
            repository,
            deadline=deadline,
            sleep=sleep,
            seconds_between_writes=seconds_between_writes,
            environ=environ,
        )
        self._issue = self._repo.get_issue(number)
        self._pull = self._repo.get_pull(number)
        self._comments: dict[int, IssueComment] = {}
        self._reviews: dict[int, PullRequestComment] = {}

    def issue_comments(self) -> Iterable[Comment]:
        # Every page: PyGithub's PaginatedList follows the Link headers.
        self._comments = {comment.id: comment for comment in self._call(lambda: list(self._issue.get_comments()))}
        return [Comment(comment.id, comment.body or "", login_of(comment.user)) for comment in self._comments.values()]

    def create_issue_comment(self, body: str) -> Comment:
        created = self._call(lambda: self._issue.create_comment(body))
        self._comments[created.id] = created
        return Comment(created.id, created.body or "", login_of(created.user))

    def edit_issue_comment(self, comment_id: int, body: str) -> None:
        comment = self._comments[comment_id]
        self._call(lambda: comment.edit(body))

    def delete_issue_comment(self, comment_id: int) -> None:
        comment = self._comments.pop(comment_id)
        self._call(comment.delete)

    def changed_files(self) -> Iterable[ChangedFile]:
        # Every page (up to GitHub's 3,000 files); a file GitHub shows no patch for (binary, too large) has none.
        files = self._call(lambda: list(self._pull.get_files()))
        return [ChangedFile(file.filename, file.patch or None) for file in files]

    def review_comments(self) -> Iterable[ReviewComment]:
        self._reviews = {comment.id: comment for comment in self._call(lambda: list(self._pull.get_review_comments()))}
        return [ReviewComment(c.id, c.path, c.line, c.body or "", login_of(c.user)) for c in self._reviews.values()]

    def delete_review_comment(self, comment_id: int) -> None:
        comment = self._reviews.pop(comment_id)
        self._call(comment.delete)

    def create_review(self, comments: Sequence[InlineComment], *, commit: str, body: str) -> None:
        # Repository.get_commit only names the commit (lazy: no request); create_review reads its sha.
        head = self._repo.get_commit(commit)
        drafts = [_draft(comment) for comment in comments]
        self._call(lambda: self._pull.create_review(commit=head, body=body, event="COMMENT", comments=drafts))

    def create_review_comment(self, comment: InlineComment, *, commit: str) -> None:
        span: dict[str, Any] = {"start_line": comment.start_line, "start_side": "RIGHT"} if _spans(comment) else {}
        pull = self._pull
        self._call(
            lambda: pull.create_review_comment(
                comment.body, commit, comment.path, line=comment.line, side="RIGHT", **span
            )
        )


def _spans(comment: InlineComment) -> bool:
    return comment.start_line < comment.line


def _draft(comment: InlineComment) -> ReviewCommentDraft:
    """A comment as GitHub's review endpoint takes it: on the head's side (RIGHT), its first line only when it spans."""
    if _spans(comment):
        return ReviewCommentDraft(
            path=comment.path,
            body=comment.body,
            line=comment.line,
            side="RIGHT",
            start_line=comment.start_line,
            start_side="RIGHT",
        )
    return ReviewCommentDraft(path=comment.path, body=comment.body, line=comment.line, side="RIGHT")
