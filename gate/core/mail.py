"""The e-mail a send_email action sends, as plain values: its recipients, subject, plain-text body and attachments.

Pure. One message per firing: the subject names the verdict, the repository and the branch, pull
request or tag; the body gives the counts, the commit, the Aikido link and the run's link; on
`report_created` the job summary (Markdown, `.md`) and the SARIF file the run wrote ride along.
Every text from an answer, the event or the file is hostile: it passes `clean` (no secret in any
form, no control character), the subject is folded onto one line (a header: a line break in it
would start another header; the adapter's `email.policy.SMTP` refuses one too), and every part is
bounded, so a relay never refuses the message for its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gate import __version__
from gate.core.sanitize import clean
from gate.core.summary import MAX_SUMMARY_BYTES, RunReport, counts_line, headline
from gate.core.verdict import Verdict

if TYPE_CHECKING:
    # For the annotations only: the rules' module loads on the runs whose policy file has rules, and the
    # mail's Attachment crosses the flow's ports on every run.
    from gate.core.automations import Where

MAX_SUBJECT_CHARS = 200
MAX_BODY_CHARS = 20_000
# Relays refuse messages over 10 to 25 MB; base64 grows an attachment by a third. The summary is
# already within GitHub's 1 MB; a SARIF file over this stays out, and the body says where it is.
MAX_SARIF_BYTES = 4_000_000
SUMMARY_FILE = "aikido-gate-summary.md"
SARIF_TYPE = "application/sarif+json"
MARKDOWN_TYPE = "text/markdown"
BODY_CUT_NOTE = "… cut short; the job summary and the scan in Aikido have everything.\n"


@dataclass(frozen=True)
class Attachment:
    """A file attached to the message: its name, its media type, its text (UTF-8)."""

    filename: str
    content_type: str
    text: str


def recipients(instance_to: Sequence[str], action_to: Sequence[str] | None) -> tuple[str, ...]:
    """Who gets the message: the action's `to` when it gives one (in place of the instance's: fewer addresses
    narrow, others add), else the instance's; each once, in order."""
    chosen = instance_to if action_to is None else action_to
    return tuple(dict.fromkeys(chosen))


def place(where: Where) -> str:
    """The branch, pull request or tag of the run, in words."""
    if where.ref_kind == "pull request":
        return f"pull request #{where.ref_name}"
    if where.ref_kind == "release":
        return f"tag {where.ref_name}" if where.ref_name else "a release"
    return f"branch {where.ref_name}"


def _line(text: str) -> str:
    """Hostile text as one clean line: every run of whitespace (line breaks and tabs included) one space."""
    return " ".join(clean(text).split())


def subject(verdict: Verdict, where: Where) -> str:
    """`Aikido gate FAILED: octo-org/octo-repo, branch main (4 new issues)`: one line, bounded."""
    status = verdict.status
    counts = counts_line(status) if status is not None and status.final else ""
    shown = f" ({counts})" if counts else ""
    text = _line(f"Aikido gate {verdict.outcome.value}: {where.repository}, {place(where)}{shown}")
    return text if len(text) <= MAX_SUBJECT_CHARS else text[: MAX_SUBJECT_CHARS - 1] + "…"


def body(verdict: Verdict, where: Where, rule: str, files: Sequence[Attachment], left_out: Sequence[str]) -> str:
    """The plain-text body: the verdict, why, the counts, the links, what is attached; cleaned and bounded."""
    status = verdict.status
    lines = [
        _line(f"Aikido security gate {headline(verdict)}"),
        _line(f"on {where.repository}, {place(where)}, commit {where.commit[:12]}."),
        "",
        _line(verdict.reason[:1].upper() + verdict.reason[1:]) + ".",
    ]
    if status is not None and (counts := counts_line(status)):
        lines += ["", _line(f"Counts: {counts}.")]
    lines.append("")
    if status is not None and status.diff_url:
        lines.append(_line(f"The scan in Aikido: {status.diff_url}"))
    if where.run_url.startswith("https://"):
        lines.append(_line(f"The run: {where.run_url}"))
    if files:
        lines += ["", "Attached: " + ", ".join(_line(file.filename) for file in files) + "."]
    lines += [_line(note) for note in left_out]
    lines += ["", "-- ", _line(f"Sent by aikido-gate {__version__} for the automation rule {rule!r}.")]
    text = "\n".join(lines) + "\n"
    return (
        text if len(text) <= MAX_BODY_CHARS else text[: MAX_BODY_CHARS - len(BODY_CUT_NOTE) - 1] + "\n" + BODY_CUT_NOTE
    )


def attachments(report: RunReport | None) -> tuple[list[Attachment], list[str]]:
    """The files a `report_created` message carries (the summary, the SARIF file when one was written), each
    cleaned and bounded; and a note for each left out."""
    if report is None:
        return [], []
    summary = clean(report.summary, multiline=True)
    files = [Attachment(SUMMARY_FILE, MARKDOWN_TYPE, summary)] if len(summary.encode()) <= MAX_SUMMARY_BYTES else []
    notes = [] if files else ["The job summary is too large to attach: see the run."]
    if report.sarif_name and report.sarif_text is not None:
        name = _line(report.sarif_name).rsplit("/", 1)[-1] or "results.sarif"
        size = len(report.sarif_text.encode())
        if size <= MAX_SARIF_BYTES:
            files.append(Attachment(name, SARIF_TYPE, clean(report.sarif_text, multiline=True)))
        else:
            notes.append(
                f"The SARIF file {name} ({size / 1e6:.1f} MB) is over {MAX_SARIF_BYTES // 1_000_000} MB and not "
                "attached: upload it as an artifact or to code scanning in a later step."
            )
    return files, notes


def sent_line(instance: str, count: int) -> str:
    """The rule's result: `e-mail to security-mail sent (2 recipients)`."""
    return f"e-mail to {instance} sent ({count} recipient{'' if count == 1 else 's'})"


def refused_line(instance: str, why: str) -> str:
    return f"e-mail to {instance} not sent ({why})"


def partly_line(instance: str, count: int, refused: Sequence[str]) -> str:
    """Some recipients refused: the message went to the others."""
    return (
        f"e-mail to {instance} sent to {count - len(refused)} of {count} recipients; the relay refused "
        f"{', '.join(refused)}: check the addresses in to"
    )
