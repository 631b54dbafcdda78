"""The flow's ports in memory (gate.flow.ports): what the flow did, kept as plain values, with no adapter behind.

The flow's tests run over these, so they test the flow's decisions; each adapter is tested against
its own fake service in its own folder (tests/github, tests/chat, tests/aikido, tests/runner, tests/uploads).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from emulator.github import added_patch
from gate.core.chat import ChatNews, text_line
from gate.core.errors import GitHubRefused, Refused
from gate.core.models import SastIssue, ScanStatus, UploadFile, UploadKind
from gate.flow.ports import (
    Body,
    ChangedFile,
    Comment,
    InlineComment,
    Mail,
    Progress,
    ReviewComment,
    TrackedIssue,
)

BOT = "github-actions[bot]"


class FakeWorkflow:
    """The runner in memory: each line as the step's log shows it (unescaped), the outputs and the summary."""

    def __init__(self, *, summary_fails: OSError | None = None, outputs_fail: Exception | None = None) -> None:
        self.lines: list[str] = []
        self.outputs: dict[str, str] = {}
        self.summary = ""
        self.group_open = False
        self._summary_fails = summary_fails
        self._outputs_fail = outputs_fail

    @property
    def text(self) -> str:
        """The log as one text, a line each."""
        return "".join(line + "\n" for line in self.lines)

    def log(self, text: str) -> None:
        self.lines.append(text)

    def debug(self, text: str) -> None:
        self.lines.append(f"::debug::{text}")

    def notice(self, text: str, *, title: str = "") -> None:
        self._annotate("notice", text, title)

    def warning(self, text: str, *, title: str = "") -> None:
        self._annotate("warning", text, title)

    def error(self, text: str, *, title: str = "") -> None:
        self._annotate("error", text, title)

    def _annotate(self, kind: str, text: str, title: str) -> None:
        self.lines.append(f"::{kind} title={title}::{text}" if title else f"::{kind}::{text}")

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        self.lines.append(f"::group::{title}")
        self.group_open = True
        try:
            yield
        finally:
            self.group_open = False
            self.lines.append("::endgroup::")

    def set_outputs(self, outputs: Mapping[str, str]) -> None:
        if self._outputs_fail is not None:
            raise self._outputs_fail
        self.outputs.update(outputs)

    def add_summary(self, markdown: str) -> None:
        if self._summary_fails is not None:
            raise self._summary_fails
        self.summary += markdown.rstrip("\n") + "\n"


class FakeScanner:
    """Aikido in memory: queued poll answers (or exceptions), the start bodies kept."""

    def __init__(self, *answers: ScanStatus | Exception, issues: list[SastIssue] | None = None) -> None:
        self.answers = list(answers)
        self.bodies: list[dict[str, Any]] = []
        self.issues = issues or []

    def start_scan(self, body: dict[str, Any]) -> int:
        self.bodies.append(body)
        return 9

    def scan_status(self, scan_id: int) -> ScanStatus:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def upload(self, body: Iterable[bytes], length: int, what: str) -> None:
        raise AssertionError("these runs upload nothing")

    def introduced_sast_issues(self, scan_id: int) -> list[SastIssue]:
        return list(self.issues)


class FakeLookups:
    """Answers the GitHub look-ups and counts them."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def parent_of(self, sha: str) -> str:
        self.calls.append(f"parent_of {sha}")
        return "1" * 40

    def repository_node_id(self) -> str:
        self.calls.append("repository_node_id")
        return "R_fromApi"


class FakeFiles:
    """Files in memory: `name` inside the workspace unless `outside` names it; what was written, by path."""

    def __init__(self, *outside: str) -> None:
        self.outside = set(outside)
        self.written: dict[Path, str] = {}

    def inside(self, workspace: Path, name: str) -> Path | None:
        return None if name in self.outside else workspace / name

    def write(self, path: Path, text: str) -> None:
        self.written[path] = text


class NoUploads:
    """The uploads' port for runs whose inputs name no file: never asked."""

    def collect(self, uploads: Sequence[tuple[UploadKind, str]], workspace: Path) -> tuple[list[UploadFile], list[str]]:
        raise AssertionError("these runs upload nothing")

    def body(self, upload: UploadFile, fields: dict[str, Any], on_progress: Progress) -> Body:
        raise AssertionError("these runs upload nothing")


class Refusals:
    """Refusals queued by the name of the call they answer: `refuse("create_issue", 403)` refuses the next one."""

    def __init__(self) -> None:
        self.queued: dict[str, list[Refused]] = {}
        self.calls: list[str] = []

    def refuse(self, call: str, status: int, message: str = "refused", *, times: int = 1) -> None:
        self.queued.setdefault(call, []).extend(
            [GitHubRefused(f"GitHub answered HTTP {status}: {message}", status)] * times
        )

    def _call(self, call: str) -> None:
        self.calls.append(call)
        if self.queued.get(call):
            raise self.queued[call].pop(0)


class FakePullRequest(Refusals):
    """One pull request's comments in memory, ids in order of creation, written as `BOT` unless said otherwise.

    Its diff adds `diff_lines` (lines 1 to 100 of src/app.py unless given) and its files list them, unless
    `files` says otherwise (a head that moved since they were read): a review with a comment on a line
    outside `diff_lines` is refused whole with a 422, as GitHub does, and so is a single comment.
    """

    def __init__(
        self,
        *,
        me: str = BOT,
        diff_lines: set[tuple[str, int]] | None = None,
        files: list[ChangedFile] | None = None,
    ) -> None:
        super().__init__()
        self.me = me
        self.diff_lines = diff_lines if diff_lines is not None else {("src/app.py", n) for n in range(1, 101)}
        paths = sorted({path for path, _ in self.diff_lines})
        self.files = files if files is not None else [ChangedFile(path, self._patch(path)) for path in paths]
        self.comments: list[Comment] = []
        self.reviews: list[ReviewComment] = []
        # The reviews made: each one's comments, and its body.
        self.made: list[tuple[list[InlineComment], str]] = []
        # Another run's status comment, written just before ours: a race.
        self.raced: str | None = None
        self._next = 1000

    def _patch(self, path: str) -> str:
        return added_patch(line for where, line in self.diff_lines if where == path)

    def _id(self) -> int:
        self._next += 1
        return self._next

    def add_comment(self, body: str, author: str = BOT) -> Comment:
        comment = Comment(self._id(), body, author)
        self.comments.append(comment)
        return comment

    def add_review(self, path: str, line: int | None, body: str, author: str = BOT) -> ReviewComment:
        review = ReviewComment(self._id(), path, line, body, author)
        self.reviews.append(review)
        return review

    def writes(self) -> list[str]:
        return [call for call in self.calls if call.split("_")[0] in ("create", "edit", "delete")]

    def identity(self) -> str:
        self._call("identity")
        return self.me

    def issue_comments(self) -> list[Comment]:
        self._call("issue_comments")
        return list(self.comments)

    def create_issue_comment(self, body: str) -> Comment:
        self._call("create_issue_comment")
        if self.raced is not None:
            self.add_comment(self.raced, self.me)
        return self.add_comment(body, self.me)

    def edit_issue_comment(self, comment_id: int, body: str) -> None:
        self._call("edit_issue_comment")
        self.comments = [Comment(c.id, body, c.author) if c.id == comment_id else c for c in self.comments]

    def delete_issue_comment(self, comment_id: int) -> None:
        self._call("delete_issue_comment")
        self.comments = [comment for comment in self.comments if comment.id != comment_id]

    def changed_files(self) -> list[ChangedFile]:
        self._call("changed_files")
        return list(self.files)

    def review_comments(self) -> list[ReviewComment]:
        self._call("review_comments")
        return list(self.reviews)

    def delete_review_comment(self, comment_id: int) -> None:
        self._call("delete_review_comment")
        self.reviews = [review for review in self.reviews if review.id != comment_id]

    def _in_diff(self, comment: InlineComment) -> bool:
        return {(comment.path, comment.start_line), (comment.path, comment.line)} <= self.diff_lines

    def create_review(self, comments: Sequence[InlineComment], *, commit: str, body: str) -> None:
        self._call("create_review")
        if not all(self._in_diff(comment) for comment in comments):
            raise GitHubRefused("GitHub answered HTTP 422: Unprocessable Entity", 422)
        self.made.append((list(comments), body))
        for comment in comments:
            self.add_review(comment.path, comment.line, comment.body, self.me)

    def create_review_comment(self, comment: InlineComment, *, commit: str) -> None:
        self._call("create_review_comment")
        if not self._in_diff(comment):
            raise GitHubRefused("GitHub answered HTTP 422: Validation Failed", 422)
        self.add_review(comment.path, comment.line, comment.body, self.me)


class FakeTracker(Refusals):
    """The repository's issues in memory, numbered from 100; `raced`: another run's, opened just before ours.

    `text_format` "jira" finds issues by a label (SEC-100…), and `reopens` False refuses to reopen, as a Jira
    workflow with no way back from done does. `verdict`, when set, is what `unchanged` answers whatever the texts (as
    Jira's record of what it wrote decides, not the texts Cloud reads back).
    """

    def __init__(self, *, me: str = BOT, text_format: str = "markdown", reopens: bool = True) -> None:
        super().__init__()
        self.me = me
        self.text_format = text_format
        self.reopens = reopens
        self.issues: list[TrackedIssue] = []
        self.labels: dict[int, tuple[str, ...]] = {}
        self.closing: dict[int, str] = {}
        self.created: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = []
        self.raced: tuple[str, str] | None = None
        self.verdict: bool | None = None

    def add(
        self, title: str, body: str, *, open_: bool = True, author: str = BOT, labels: tuple[str, ...] = ()
    ) -> TrackedIssue:
        number = 100 + len(self.issues)
        jira = self.text_format == "jira"
        shown = f"SEC-{number}" if jira else f"#{number}"
        url = (
            f"https://acme.atlassian.net/browse/{shown}"
            if jira
            else f"https://github.com/octo-org/octo-repo/issues/{number}"
        )
        issue = TrackedIssue(number, open_, author, title, body, shown, url)
        self.issues.append(issue)
        self.labels[number] = labels
        return issue

    def identity(self) -> str:
        self._call("identity")
        return self.me

    def tracked(self, marker: str, author: str) -> list[TrackedIssue]:
        self._call("tracked")
        return [
            issue
            for issue in self.issues
            if issue.author == author and (issue.body.startswith(marker) or marker in self.labels[issue.number])
        ]

    def create(self, title: str, body: str, labels: tuple[str, ...], assignees: tuple[str, ...]) -> TrackedIssue:
        self._call("create")
        if self.raced is not None:
            self.add(*self.raced, author=self.me, labels=labels)
        self.created.append((title, body, labels, assignees))
        return self.add(title, body, author=self.me, labels=labels)

    def unchanged(self, issue: TrackedIssue, title: str, body: str) -> bool:
        self._call("unchanged")
        if self.verdict is not None:
            return self.verdict
        return issue.title == title and issue.body.strip() == body.strip()

    def update(self, number: int, title: str, body: str, *, reopen: bool) -> bool:
        self._call("update")
        if reopen and not self.reopens:
            return False
        self._replace(number, title=title, body=body, open=True if reopen else None)
        return True

    def close(self, number: int, comment: str) -> None:
        self._call("close")
        self.closing[number] = comment
        self._replace(number, open=False)

    def _replace(self, number: int, **changes: Any) -> None:
        changes = {key: value for key, value in changes.items() if value is not None}
        self.issues = [
            TrackedIssue(**{**issue.__dict__, **changes}) if issue.number == number else issue for issue in self.issues
        ]


class FakeChat:
    """A chat webhook in memory: the lines posted, or the refusal it answers with."""

    def __init__(self, refusal: Refused | None = None) -> None:
        self.news: list[ChatNews] = []
        self.refusal = refusal

    @property
    def posted(self) -> list[str]:
        """The messages as one line each, as communicator-webhook-url gets them."""
        return [text_line(news) for news in self.news]

    def post(self, news: ChatNews) -> None:
        if self.refusal is not None:
            raise self.refusal
        self.news.append(news)


class FakeMailer:
    """An email instance's relay in memory: the messages sent, the recipients it refuses, or its refusal."""

    def __init__(
        self,
        sender: str = "aikido-gate@acme.test",
        recipients: tuple[str, ...] = ("appsec@acme.test",),
        *,
        refused: list[str] | None = None,
        refusal: Refused | None = None,
    ) -> None:
        self.sender = sender
        self.recipients = recipients
        self.sent: list[Mail] = []
        self._refused = refused or []
        self._refusal = refusal

    def send(self, mail: Mail) -> list[str]:
        if self._refusal is not None:
            raise self._refusal
        self.sent.append(mail)
        return self._refused
