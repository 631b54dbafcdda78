"""gate/core/sanitize.py: no secret in any form and no control text reaches any sink."""

from __future__ import annotations

import contextvars
import io
from pathlib import Path

import pytest

from emulator.runner import parse_outputs
from gate.core.comment import render_review, render_status
from gate.core.models import SastIssue, ScanStatus
from gate.core.sanitize import Secrets, add_secrets, clean, redact, using, valid_unicode
from gate.core.summary import render
from gate.core.verdict import decide
from gate.runner.workflow import Workflow
from tests.support.leak import as_read, disguises

KEY = "AIK_CI_Secret123"
TOKEN = "ghs_Token/with+odd=chars"
# The spellings a hostile answer may use to slip a secret past an exact match.
FORMS = {
    "exact": KEY,
    "lower case": KEY.lower(),
    "upper case": KEY.upper(),
    "all percent-encoded": "".join(f"%{b:02x}" for b in KEY.encode()),
    "partly percent-encoded, upper hex": "%41IK%5FCI_Secret%31%323",
    "token exact": TOKEN,
    "token percent-encoded": "ghs_Token%2Fwith%2Bodd%3Dchars",
    **{f"key with {name}": form for name, form in disguises(KEY).items()},
    **{f"token with {name}": form for name, form in disguises(TOKEN).items()},
}
SECRETISH = ("secret123", "%53", "%73ecret", "token/with", "token%2f")


def leaks(text: str) -> list[str]:
    """The pieces of a secret in `text` as a person reads it (disguises undone)."""
    lower = as_read(text)
    return [part for part in SECRETISH if part in lower]


@pytest.fixture(autouse=True)
def secrets() -> None:
    add_secrets([KEY, TOKEN])


class TestClean:
    """clean"""

    @pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
    def test_every_spelling_of_a_secret_is_removed(self, form: str) -> None:
        assert clean(f"before {form} after") == "before *** after"

    @pytest.mark.parametrize(
        ("text", "want"),
        [
            ("\x1b[31mred\x1b[0m", "red"),  # colour
            ("a\x1b[2J\x1b[Hb", "ab"),  # clear screen, cursor home
            ("\x1b]8;;https://evil.example\x07click\x1b]8;;\x07", "click"),  # OSC 8 hyperlink
            ("\x1b]0;title\x1b\\x", "x"),  # OSC ended by ST
            ("bell\x07", "bell<U+0007>"),
            ("\u202eexe.txt", "<U+202E>exe.txt"),  # right-to-left override
            ("a\u2066b\u2069c\u200fd", "a<U+2066>b<U+2069>c<U+200F>d"),
            ("c1\x85\x9b31m", "c1<U+0085>"),  # NEL, and a C1 CSI sequence
            ("cut \ud83d", "cut \ufffd"),  # a lone surrogate
            ("tab\tand\r\nlines", "tab and lines"),
            ("\x00nul", "<U+0000>nul"),
        ],
    )
    def test_control_text_is_removed_or_shown(self, text: str, want: str) -> None:
        assert clean(text) == want

    def test_multiline_keeps_newlines_only(self) -> None:
        assert clean("one\r\ntwo\rthree\x0bfour", multiline=True) == "one\ntwo\nthree<U+000B>four"

    def test_a_secret_split_by_an_escape_is_still_found(self) -> None:
        assert clean("AIK_CI_\x1b[0mSecret123") == "***"

    def test_emoji_and_text_survive(self) -> None:
        assert clean("✅ passed — 日本語 👍🏽") == "✅ passed — 日本語 👍🏽"


class TestHelpers:
    """redact, valid_unicode"""

    def test_redact_leaves_other_text(self) -> None:
        assert redact("x AIK_CI_Secret124 y") == "x AIK_CI_Secret124 y"

    def test_valid_unicode_encodes(self) -> None:
        assert valid_unicode("a\udc80b").encode() == "a\ufffdb".encode()


def _hostile_status(form: str) -> ScanStatus:
    return ScanStatus(
        final=True,
        gate_passed=False,
        counts={"new_issues_found": 1},
        diff_url=f"https://app.aikido.dev/featurebranch/scan/1?k={form}",
        issue_links=(f"https://app.aikido.dev/issue?k={form}",),
        message=f"**echo** {form} \x1b[31mred\x1b[0m \u202e",
    )


class TestEverySink:
    """Each secret spelling, through each sink: log line, annotation, output, summary, status and review comments."""

    @pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
    def test_no_sink_carries_the_secret(self, form: str, tmp_path: Path) -> None:
        stream = io.StringIO()
        out, summary = tmp_path / "out", tmp_path / "summary.md"
        flow = Workflow(stream, output_path=out, summary_path=summary, debug=True)
        flow.log(f"log {form}")
        flow.debug(f"debug {form}\nline two {form}")
        flow.warning(f"warning {form}", title=f"title {form}")
        flow.error(f"error {form}")
        with flow.group(f"group {form}"):
            flow.notice(f"notice {form}")
        verdict = decide(_hostile_status(form), scan_id=1, report_only=False)
        flow.set_outputs({"plain": form, "multi": f"a\n{form}\nb"})
        flow.add_summary(render(verdict))
        issue = SastIssue("src/a.py", 1, 1, f"title {form}", f"description {form}", f"remediation {form}")
        sinks = {
            "log": stream.getvalue(),
            "outputs": "\n".join(parse_outputs(out.read_text()).values()),
            "summary": summary.read_text(),
            "status comment": render_status(verdict, marker="<!-- m -->", head_commit=None, leftovers=[issue], job="j"),
            "review comment": render_review(issue, verdict.status.diff_url if verdict.status else None),
        }
        for sink, text in sinks.items():
            assert leaks(text) == [], f"{sink}: {text}"
            assert "***" in text, sink
            assert "\x1b" not in text, sink
            assert "\u202e" not in text, sink


class TestSecretsInForce:
    """Secrets and using: one run's registry, in force for its context only"""

    def test_a_registry_in_force_only_inside_its_block(self) -> None:
        with using(Secrets(["AIK_CI_inner"])):
            assert clean("x AIK_CI_inner") == "x ***"
        assert clean("x AIK_CI_inner") == "x AIK_CI_inner"  # the test's own registry never had it

    def test_registering_without_a_registry_is_a_bug_not_a_silent_global(self) -> None:
        context = contextvars.Context()
        with pytest.raises(RuntimeError, match="no secret registry in force"):
            context.run(add_secrets, ["AIK_CI_x"])
