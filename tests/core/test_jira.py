"""gate.core.jira: a Jira tracking issue's texts in wiki markup, every hostile text made inert for Jira."""

from __future__ import annotations

import dataclasses
import re
import urllib.parse

import pytest

from gate.core.automations import Where, issue_key
from gate.core.jira import (
    JIRA_ISSUES,
    ZWSP,
    closing_comment,
    duplicate_comment,
    issue_description,
    jira_code,
    jira_labels,
    jira_link,
    jira_text,
    written_digest,
)
from gate.core.models import parse_scan_status
from gate.core.policy import Action, Automation
from gate.core.sanitize import add_secrets
from gate.core.verdict import decide
from tests.support.answers import FEATURE_DONE
from tests.support.leak import as_read, disguises

MAIN = Where(
    "octo-org/octo-repo", "branch", "main", "c0ffee" * 6 + "1234", "https://github.com/o/r/actions/runs/7", "CI",
    "aikido", "",
)  # fmt: skip
RULE = Automation("Track", True, None, (("vulnerability_found", (Action("create_issue"),)),))
FAILED = decide(parse_scan_status(FEATURE_DONE), scan_id=1, report_only=False)
LINK = "https://app.aikido.dev/featurebranch/scan/1?groupId=1"
# Wiki markup a hostile text could carry, each with what must never come out of it.
MARKUP = "*b* _i_ +u+ ^s^ ~d~ ??c?? {color:red}x{color} {html}<b>{html} [x|https://evil.example] !p.png! |a|b| #"


def visible(text: str) -> str:
    return text.replace(ZWSP, "")


def unescaped(text: str) -> str:
    """The markup characters left without their backslash: what Jira would still read as markup."""
    return re.sub(r"\\.", "", text)


class TestJiraText:
    """jira_text"""

    def test_markup_is_shown_not_rendered(self) -> None:
        escaped = jira_text(MARKUP)
        assert re.findall(r"[*_+^~?{}\[\]|!#]", unescaped(escaped)) == []
        # What a reader sees is the text itself: each escape drops its backslash.
        assert re.sub(r"\\(.)", r"\1", visible(escaped)) == MARKUP

    @pytest.mark.parametrize("mention", ["[~accountid:5b10a2844c20165700ede21g]", "[~admin]", "[~~admin]"])
    def test_a_mention_pings_no_one(self, mention: str) -> None:
        assert "[~" not in jira_text(f"cc {mention}")
        assert "[" not in unescaped(jira_text(mention))

    @pytest.mark.parametrize(
        "link",
        ["https://evil.example/x", "http://evil.example", "www.evil.example", "mailto:a@evil.example", "ftp://x"],
    )
    def test_text_never_becomes_a_link(self, link: str) -> None:
        escaped = jira_text(f"see {link}")
        assert visible(escaped) == f"see {link}"
        assert not re.search(r"://|www\.|mailto:", escaped)

    def test_a_dash_strikes_nothing_and_a_key_stays_a_key(self) -> None:
        assert jira_text("-gone- SEC-12 feature-x") == "\\-gone\\- SEC-12 feature-x"

    def test_a_backslash_never_breaks_a_line(self) -> None:
        assert "\\\\" not in jira_text("a\\\\b \\[x")
        assert jira_text("a\\b") == "a\uff3cb"

    def test_emoticons_and_blocks_stay_text(self) -> None:
        assert jira_text("(x) (!) (on) :) ;P") == f"({ZWSP}x) ({ZWSP}\\!) ({ZWSP}on) :{ZWSP}) ;{ZWSP}P"
        assert jira_text("h1. Big") == f"h1{ZWSP}. Big"
        assert jira_text("bq. quote").startswith(f"bq{ZWSP}.")

    def test_control_characters_and_new_lines_are_neutralised(self) -> None:
        escaped = jira_text("a\x1b[31mred\x1b[0m\nh2. b\u202eevil\x00")
        assert [char for char in "\x1b\n\u202e\x00" if char in escaped] == []
        assert "h2. b" in escaped  # a new line is a space: no block begins

    def test_a_secret_in_any_form_is_gone(self) -> None:
        secret = "jira_TOKEN_0123456789abcdef"
        add_secrets([secret])
        forms = [secret, urllib.parse.quote(secret, safe=""), secret.upper(), *disguises(secret).values()]
        for form in forms:
            for rendered in (jira_text(f"x {form} y"), jira_code(form), jira_link(form, f"https://x.example/{form}")):
                assert as_read(secret) not in as_read(rendered.replace("\\", "")), (form, rendered)


class TestJiraLink:
    """jira_link, jira_code"""

    def test_https_only_and_nothing_splits_the_link(self) -> None:
        assert jira_link("Open", LINK) == f"[Open|{LINK}]"
        assert jira_link("Open", "https://app.aikido.dev/a|b]c d") == "[Open|https://app.aikido.dev/a%7Cb%5Dc%20d]"
        assert jira_link("the [run]", "javascript:alert(1)") == "the \\[run\\]"

    def test_code_is_inert_inside(self) -> None:
        assert jira_code("a}}*b*") == "{{a\\}\\}\\*b\\*}}"


class TestLabels:
    """jira_labels, the marker"""

    def test_the_marker_first_then_the_actions_labels_without_spaces(self) -> None:
        marker = JIRA_ISSUES.marker(RULE, MAIN)
        assert marker == f"aikido-gate-{issue_key(RULE, MAIN)}"
        assert re.fullmatch(r"aikido-gate-[0-9a-f]{16}", marker)
        assert jira_labels(marker, ("security", "needs triage", marker)) == (marker, "security", "needs_triage")


class TestTexts:
    """issue_description, closing_comment, duplicate_comment"""

    def test_the_description_has_the_counts_the_link_the_commit_and_the_run(self) -> None:
        text = issue_description("aikido-gate-0123456789abcdef", FAILED, MAIN, Action("create_issue"))
        assert text.startswith("h3. (x) Aikido security gate failed: the scan found issues that block this change\n")
        assert "||Category||Count||\n" in text
        assert "|New dependency issues|1|" in text
        assert f"[Open the scan in Aikido|{LINK}]" in text
        assert "commit {{c0ffeec0ffee}} of {{main}}" in text
        assert "[the run|https://github.com/o/r/actions/runs/7]" in text
        assert "label aikido-gate-0123456789abcdef" in text

    def test_a_hostile_branch_and_workflow_cannot_inject(self) -> None:
        hostile = "[~accountid:123]{color:red}x!p.png!https://evil.example"
        where = dataclasses.replace(MAIN, ref_name=hostile, workflow="*wf* [~admin]", run_url="http://evil.example")
        text = issue_description("aikido-gate-0", FAILED, where, Action("create_issue"))
        links = re.findall(r"(?<!\\)\[[^\]]*\|([^\]]*)\]", text)
        assert links == [LINK]  # the only link is Aikido's: no run link over http
        assert re.findall(r"\[~|\{color|!p\.png!|https://evil", unescaped(text)) == []
        assert closing_comment(where) == "Resolved in commit {{c0ffeec0ffee}}: the gate found nothing this rule tracks."

    def test_a_secret_in_the_reason_never_reaches_jira(self) -> None:
        add_secrets(["s3cr3t-value-0123456789"])
        verdict = dataclasses.replace(FAILED, reason="key s3cr3t-value-0123456789 refused")
        assert "s3cr3t" not in issue_description("aikido-gate-0", verdict, MAIN, Action("create_issue"))

    def test_the_comments(self) -> None:
        assert closing_comment(MAIN) == (
            "Resolved in commit {{c0ffeec0ffee}} ([run|https://github.com/o/r/actions/runs/7]): the gate found "
            "nothing this rule tracks."
        )
        assert duplicate_comment("SEC-12") == "Duplicate of SEC-12, opened by a run that raced it."
        assert duplicate_comment("[~admin]") == "Duplicate of \\[\\~admin\\], opened by a run that raced it."

    def test_a_huge_reason_is_cut_below_jiras_limit(self) -> None:
        verdict = dataclasses.replace(FAILED, reason="x" * 100_000)
        assert len(issue_description("aikido-gate-0", verdict, MAIN, Action("create_issue"))) <= 30_000


class TestWrittenDigest:
    """written_digest: the record of a summary and description as sent"""

    def test_the_same_texts_give_the_same_digest_and_any_change_another(self) -> None:
        digest = written_digest("Aikido: 1 new issue on main", "h3. (x) failed\n")
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
        assert digest == written_digest("Aikido: 1 new issue on main", "h3. (x) failed\n")
        assert (
            len(
                {
                    digest,
                    written_digest("Aikido: 2 new issues on main", "h3. (x) failed\n"),
                    written_digest("Aikido: 1 new issue on main", "h3. (x) failed \n"),
                    written_digest("Aikido: 1 new issue on main\n", "h3. (x) failed"),  # no text runs into the other
                }
            )
            == 4
        )
