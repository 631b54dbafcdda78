"""gate.core.mail: the e-mail's recipients, subject, body and attachments, every hostile text made inert."""

from __future__ import annotations

import dataclasses

import pytest

from gate.core.automations import Where
from gate.core.mail import (
    MAX_BODY_CHARS,
    MAX_SARIF_BYTES,
    MAX_SUBJECT_CHARS,
    SUMMARY_FILE,
    Attachment,
    attachments,
    body,
    partly_line,
    place,
    recipients,
    sent_line,
    subject,
)
from gate.core.models import parse_scan_status
from gate.core.sanitize import add_secrets
from gate.core.summary import RunReport
from gate.core.verdict import decide, error
from tests.support.answers import DEFAULT_DONE, FEATURE_DONE
from tests.support.leak import as_read, disguises

MAIN = Where(
    "octo-org/octo-repo",
    "branch",
    "main",
    "c0ffee" * 6 + "1234",
    "https://github.com/o/r/actions/runs/7",
    "CI",
    "j",
    "",
)
FAILED = decide(parse_scan_status(FEATURE_DONE), scan_id=1, report_only=False)
LINK = "https://app.aikido.dev/featurebranch/scan/1?groupId=1"


class TestRecipients:
    """recipients: the action's to in place of the instance's"""

    def test_the_instance_s_when_the_action_gives_none(self) -> None:
        assert recipients(["a@x.io", "b@x.io"], None) == ("a@x.io", "b@x.io")

    def test_the_action_s_narrow_or_add(self) -> None:
        assert recipients(["a@x.io", "b@x.io"], ["b@x.io"]) == ("b@x.io",)
        assert recipients(["a@x.io"], ["a@x.io", "c@x.io", "a@x.io"]) == ("a@x.io", "c@x.io")


class TestSubject:
    """subject and place"""

    def test_names_the_verdict_the_repository_the_branch_and_the_counts(self) -> None:
        assert subject(FAILED, MAIN) == (
            "Aikido gate FAILED: octo-org/octo-repo, branch main (1 new issue (1 dependency, 0 SAST, 0 IaC, "
            "0 leaked secrets))"
        )

    def test_a_pull_request_a_tag_and_no_result(self) -> None:
        pr = dataclasses.replace(MAIN, ref_kind="pull request", ref_name="12")
        tag = dataclasses.replace(MAIN, ref_kind="release", ref_name="v1.2.0")
        assert [place(pr), place(tag), place(dataclasses.replace(tag, ref_name=""))] == [
            "pull request #12", "tag v1.2.0", "a release",
        ]  # fmt: skip
        assert subject(error("boom"), tag) == "Aikido gate ERROR: octo-org/octo-repo, tag v1.2.0"

    def test_a_hostile_branch_is_one_clean_line(self) -> None:
        """A line break in a header would start another (Bcc: …): the subject is one line, whatever the branch."""
        where = dataclasses.replace(MAIN, ref_name="x\r\nBcc: evil@example.com\n\x1b[31m\u202eevil\t")
        text = subject(FAILED, where)
        assert "\r" not in text
        assert "\n" not in text
        assert "\t" not in text
        assert "\x1b" not in text
        assert "\u202e" not in text
        assert "branch x Bcc: evil@example.com" in text

    def test_bounded(self) -> None:
        where = dataclasses.replace(MAIN, ref_name="b" * 500)
        text = subject(FAILED, where)
        assert len(text) == MAX_SUBJECT_CHARS
        assert text.endswith("…")


class TestBody:
    """body"""

    def test_the_counts_the_links_and_the_files(self) -> None:
        files = [Attachment(SUMMARY_FILE, "text/markdown", "# s")]
        text = body(FAILED, MAIN, "Mail the team", files, ["The SARIF file x is too large."])
        lines = text.splitlines()
        assert lines[:2] == [
            "Aikido security gate failed: the scan found issues that block this change",
            "on octo-org/octo-repo, branch main, commit c0ffeec0ffee.",
        ]
        assert "Counts: 1 new issue (1 dependency, 0 SAST, 0 IaC, 0 leaked secrets)." in lines
        assert f"The scan in Aikido: {LINK}" in lines
        assert "The run: https://github.com/o/r/actions/runs/7" in lines
        assert f"Attached: {SUMMARY_FILE}." in lines
        assert "The SARIF file x is too large." in lines
        assert lines[-1].startswith("Sent by aikido-gate ")
        assert lines[-1].endswith("automation rule 'Mail the team'.")

    def test_a_release_gate_s_open_issues(self) -> None:
        text = body(decide(parse_scan_status(DEFAULT_DONE), scan_id=1, report_only=False), MAIN, "r", [], [])
        assert "open issue" in text
        assert "Attached" not in text

    def test_no_result_has_no_counts_and_a_run_link_only_over_https(self) -> None:
        where = dataclasses.replace(MAIN, run_url="javascript:alert(1)")
        text = body(error("Aikido answered 500"), where, "r", [], [])
        assert "Aikido answered 500." in text
        assert "Counts" not in text
        assert "The run" not in text
        assert "javascript" not in text

    def test_hostile_text_is_inert_and_secrets_never_show(self) -> None:
        password = "smtp-Pa55word-0123456789"
        add_secrets([password])
        for shape in [password, *disguises(password).values()]:
            reason = f"refused\x1b[2J\u202e {shape} \x07"
            where = dataclasses.replace(MAIN, ref_name=f"main{shape}")
            text = body(error(reason), where, f"rule {shape}", [], [f"note {shape}"])
            assert password.lower() not in as_read(text), shape
            assert "\x1b" not in text
            assert "\u202e" not in text
            assert "\x07" not in text

    def test_bounded(self) -> None:
        text = body(error("x" * 50_000), MAIN, "r", [], [])
        assert len(text) <= MAX_BODY_CHARS
        assert text.endswith("the job summary and the scan in Aikido have everything.\n")


class TestAttachments:
    """attachments: the summary and the SARIF file a report_created message carries"""

    def test_none_without_a_report(self) -> None:
        assert attachments(None) == ([], [])

    def test_the_summary_and_the_sarif_file_by_its_name(self) -> None:
        files, notes = attachments(RunReport("## ✅ passed\n", "out/results.sarif", '{"runs": []}\n'))
        assert files == [
            Attachment("aikido-gate-summary.md", "text/markdown", "## ✅ passed\n"),
            Attachment("results.sarif", "application/sarif+json", '{"runs": []}\n'),
        ]
        assert notes == []

    def test_a_sarif_file_too_large_stays_out_and_says_so(self) -> None:
        files, notes = attachments(RunReport("s", "big.sarif", "x" * (MAX_SARIF_BYTES + 1)))
        assert [file.filename for file in files] == [SUMMARY_FILE]
        assert notes == [
            "The SARIF file big.sarif (4.0 MB) is over 4 MB and not attached: upload it as an artifact or to code "
            "scanning in a later step."
        ]

    def test_secrets_and_control_text_are_cleaned_out_of_both(self) -> None:
        key = "AIK_CI_sekritKey0123456789"
        add_secrets([key])
        files, _ = attachments(RunReport(f"k {key}\x1b[31m", "r.sarif", f'{{"k": "{key}"}}'))
        assert [file.text for file in files] == ["k ***", '{"k": "***"}']


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (sent_line("security-mail", 2), "e-mail to security-mail sent (2 recipients)"),
        (sent_line("m", 1), "e-mail to m sent (1 recipient)"),
        (
            partly_line("m", 3, ["b@x.io (550 no such user)"]),
            "e-mail to m sent to 2 of 3 recipients; the relay refused b@x.io (550 no such user): check the addresses "
            "in to",
        ),
    ],
)
def test_the_result_lines(text: str, expected: str) -> None:
    assert text == expected
