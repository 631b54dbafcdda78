"""The flow's one seam: every protocol it needs of the world, and the plain values that cross it.

The adapters around the flow implement these (each names its adapter) and import nothing else of
the flow; the wiring (gate.boot.wiring) passes them in. Each raises only what it says: a
`GateError` before the verdict, a `Refused` after it (gate.core.errors).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from gate.core.chat import ChatNews
from gate.core.mail import Attachment
from gate.core.models import SastIssue, ScanStatus, UploadFile, UploadKind

if TYPE_CHECKING:
    # Names for the annotations only: the policy model loads with a policy file, and the signal
    # handler's module (gate.runner.cancel) is imported before anything else.
    from gate.core.policy import Policy
    from gate.core.verdict import Verdict


# The runner


class Workflow(Protocol):
    """The runner's side of the step: log lines, annotations, outputs and the job summary (gate.runner.workflow)."""

    # A `::group::` is open: a cancellation closes it so its warning is not folded away.
    group_open: bool

    def log(self, text: str) -> None: ...
    def debug(self, text: str) -> None: ...
    def notice(self, text: str, *, title: str = "") -> None: ...
    def warning(self, text: str, *, title: str = "") -> None: ...
    def error(self, text: str, *, title: str = "") -> None: ...
    def group(self, title: str) -> AbstractContextManager[None]: ...
    def set_outputs(self, outputs: Mapping[str, str]) -> None: ...
    def add_summary(self, markdown: str) -> None: ...


class Files(Protocol):
    """Files the flow leaves behind for the job's later steps (gate.runner.workflow.AtomicFiles)."""

    def inside(self, workspace: Path, name: str) -> Path | None:
        """Where `name` lands in `workspace`; None when it leads out of it (through a symlink too) or is a directory."""
        ...

    def write(self, path: Path, text: str) -> None: ...


class RunSoFar(Protocol):
    """What a cancellation reads of the run so far (gate.runner.cancel); the flow's `RunState` writes it."""

    @property
    def start_sent(self) -> bool: ...
    @property
    def scan_id(self) -> int | None: ...
    @property
    def uploading(self) -> str | None: ...
    @property
    def reporting(self) -> bool: ...
    @property
    def reported(self) -> Verdict | None: ...
    @property
    def exit_code(self) -> int | None: ...
    @property
    def workflow(self) -> Workflow | None: ...


# Aikido


class ScanSource(Protocol):
    """A scan's status, polled (gate.aikido.client)."""

    def scan_status(self, scan_id: int) -> ScanStatus: ...


class Scanner(ScanSource, Protocol):
    """Aikido's CI API (gate.aikido.client)."""

    def start_scan(self, body: dict[str, Any]) -> int: ...
    def upload(self, body: Iterable[bytes], length: int, what: str) -> None: ...
    def introduced_sast_issues(self, scan_id: int) -> list[SastIssue]: ...


# The files to upload


class Progress(Protocol):
    """How far one upload is: bytes sent of the total, in seconds so far (the flow's, called by the body)."""

    def __call__(self, sent: int, total: int, seconds: float) -> None: ...


class Body(Protocol):
    """One upload's request body, streamed, its length known before the first byte (gate.uploads.body)."""

    length: int

    def __iter__(self) -> Iterator[bytes]: ...


class Uploads(Protocol):
    """The files to upload (gate.uploads.workspace): found and validated before the scan, then streamed into it."""

    def collect(self, uploads: Sequence[tuple[UploadKind, str]], workspace: Path) -> tuple[list[UploadFile], list[str]]:
        """Every file the two inputs name, validated; and the warnings to show."""
        ...

    def body(self, upload: UploadFile, fields: dict[str, Any], on_progress: Progress) -> Body: ...


# GitHub


class Lookups(Protocol):
    """What the event cannot say: a commit's parent, the repository's node id (gate.github.lookups); GateError."""

    def parent_of(self, sha: str) -> str: ...
    def repository_node_id(self) -> str: ...


class PolicyFiles(Protocol):
    """A repository's files at a commit or ref, and the policy file's parser (gate.github.policy)."""

    def text(self, repository: str, path: str, ref: str) -> str | None: ...
    def parse(self, text: str, source: str) -> Policy: ...


@dataclass(frozen=True)
class Comment:
    """A pull request's comment, as the status comment's search reads it."""

    id: int
    body: str
    author: str


@dataclass(frozen=True)
class ReviewComment:
    """An inline review comment, where it stands and who wrote it."""

    id: int
    path: str
    line: int | None
    body: str
    author: str


@dataclass(frozen=True)
class ChangedFile:
    """A file of the pull request's diff: its path at the head and its hunks (None: binary, or too large to show)."""

    path: str
    patch: str | None


@dataclass(frozen=True)
class InlineComment:
    """A review comment to post on the head's side of the diff: `path`, lines `start_line` to `line` (equal: one)."""

    path: str
    start_line: int
    line: int
    body: str


class PullRequest(Protocol):
    """What the comments need of one pull request (gate.github.comments); raises GitHubRefused."""

    def identity(self) -> str: ...
    def issue_comments(self) -> Iterable[Comment]: ...
    def create_issue_comment(self, body: str) -> Comment: ...
    def edit_issue_comment(self, comment_id: int, body: str) -> None: ...
    def delete_issue_comment(self, comment_id: int) -> None: ...
    def changed_files(self) -> Iterable[ChangedFile]: ...
    def review_comments(self) -> Iterable[ReviewComment]: ...
    def delete_review_comment(self, comment_id: int) -> None: ...

    def create_review(self, comments: Sequence[InlineComment], *, commit: str, body: str) -> None:
        """One review (event COMMENT) holding every comment: GitHub takes all of them or none (422)."""
        ...

    def create_review_comment(self, comment: InlineComment, *, commit: str) -> None: ...


@dataclass(frozen=True)
class TrackedIssue:
    """One of the automations' tracking issues, as the tracker's own listing gives it.

    `number` is the tracker's id of it, rising with each issue created (GitHub's issue number, Jira's issue id):
    the flow orders and addresses the issues by it. `shown` is how people name it (`#12`, `SEC-12`), `url` its page
    ("" when unknown). `digest` is the tracker's own record of the texts it last wrote there, for its `unchanged`
    (Jira's issue property; "" where the tracker keeps none, or has none for this issue).
    """

    number: int
    open: bool
    author: str
    title: str
    body: str
    shown: str
    url: str
    digest: str = ""


class IssueTracker(Protocol):
    """Where the automations keep their issues: GitHub Issues (gate.github.issues) or Jira (gate.jira.client); raises
    a Refused.

    `text_format` names the texts it takes (gate.core.automations.IssueTexts: "markdown", "jira"); `marker` is what
    those texts find an issue again by (a hidden line beginning its body, a label), and only issues that `author`
    opened count.
    """

    text_format: str

    def identity(self) -> str: ...
    def tracked(self, marker: str, author: str) -> list[TrackedIssue]: ...
    def create(self, title: str, body: str, labels: tuple[str, ...], assignees: tuple[str, ...]) -> TrackedIssue: ...

    def unchanged(self, issue: TrackedIssue, title: str, body: str) -> bool:
        """The issue already says `title` and `body`, as this tracker wrote them: no edit needed (and no one notified).

        GitHub compares the texts as read back. Jira Cloud reads back a re-rendering of what it was sent, never the
        same text, so Jira compares the digest it stored of what it wrote; an issue without one counts as changed.
        """
        ...

    def update(self, number: int, title: str, body: str, *, reopen: bool) -> bool:
        """Edit the issue (reopened if asked); False, and nothing changed, when it cannot be reopened (a Jira workflow
        with no way back from done)."""
        ...

    def close(self, number: int, comment: str) -> None: ...


# Chat


class Chat(Protocol):
    """A chat webhook (gate.chat.webhook), which renders the news in its service's shape; raises WebhookRefused."""

    def post(self, news: ChatNews) -> None: ...


# E-mail


@dataclass(frozen=True)
class Mail:
    """One message, as plain values: the sender, the recipients, a one-line subject, a plain-text body, its files."""

    sender: str
    to: tuple[str, ...]
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


class Mailer(Protocol):
    """An email instance's SMTP relay (gate.mail.smtp), with the instance's sender and recipients; raises
    MailRefused."""

    sender: str
    recipients: tuple[str, ...]

    def send(self, mail: Mail) -> list[str]:
        """Send `mail`; returns the recipients the relay refused (each with its reason), when it took the others."""
        ...


@dataclass(frozen=True)
class Unusable:
    """Why an instance cannot be used in this run: the variable it names (urlEnv, passwordEnv…), and what is wrong."""

    variable: str
    why: str
