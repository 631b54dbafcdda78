"""Workflow commands and GITHUB_OUTPUT: nothing from the API or payload may become a command or an output."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from emulator.runner import parse_outputs
from gate.core.errors import ConfigError
from gate.core.sanitize import add_secrets
from gate.runner.workflow import (
    AtomicFiles,
    Workflow,
    escape_data,
    escape_property,
    format_command,
    format_output,
)


class TestEscaping:
    """escape_data, escape_property, format_command"""

    def test_data_escapes_percent_and_newlines(self) -> None:
        assert escape_data("50%\r\n::error::x") == "50%25%0D%0A::error::x"

    def test_property_also_escapes_colon_and_comma(self) -> None:
        assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"

    def test_injected_command_stays_on_one_line(self) -> None:
        line = format_command("error", "bad\n::add-mask::leak", title="t,i:t")
        assert line == "::error title=t%2Ci%3At::bad%0A::add-mask::leak"
        assert "\n" not in line


class TestFormatOutput:
    """format_output"""

    def test_plain_token(self) -> None:
        assert format_output("scan-id", "22", "D") == "scan-id=22\n"

    def test_url_stays_plain(self) -> None:
        url = "https://app.aikido.dev/featurebranch/scan/1?groupId=1"
        assert format_output("diff-url", url, "D") == f"diff-url={url}\n"

    def test_value_with_newline_cannot_inject_an_output(self) -> None:
        text = format_output("diff-url", "x\noutcome=SUCCEEDED", "ghadelimiter_1")
        assert parse_outputs(text) == {"diff-url": "x\noutcome=SUCCEEDED"}

    def test_value_containing_the_delimiter_is_refused(self) -> None:
        with pytest.raises(ConfigError, match="diff-url contains the output delimiter"):
            format_output("diff-url", "a\nghadelimiter_1\nb", "ghadelimiter_1")


class TestWorkflow:
    """Workflow"""

    def test_outputs_round_trip_through_the_runner_format(self, tmp_path: Path) -> None:
        path = tmp_path / "out"
        path.write_text("earlier=1\n")
        Workflow(io.StringIO(), output_path=path).set_outputs({"a": "1", "b": "two words", "c": "x\ny"})
        assert parse_outputs(path.read_text()) == {"earlier": "1", "a": "1", "b": "two words", "c": "x\ny"}

    def test_secret_is_redacted_everywhere(self, tmp_path: Path) -> None:
        out, summary, stream = tmp_path / "out", tmp_path / "sum.md", io.StringIO()
        add_secrets(["AIK_CI_xyz"])
        flow = Workflow(stream, output_path=out, summary_path=summary)
        flow.mask("AIK_CI_xyz")
        flow.error("key AIK_CI_xyz refused")
        flow.set_outputs({"x": "AIK_CI_xyz"})
        flow.add_summary("AIK_CI_xyz")
        assert stream.getvalue() == "::add-mask::AIK_CI_xyz\n::error::key *** refused\n"
        assert "AIK_CI_xyz" not in out.read_text() + summary.read_text()

    def test_log_folds_untrusted_text_to_one_line(self) -> None:
        stream = io.StringIO()
        Workflow(stream).log("branch x\n::error::injected")
        assert stream.getvalue() == "branch x ::error::injected\n"

    def test_debug_only_when_runner_debug(self) -> None:
        quiet, loud = io.StringIO(), io.StringIO()
        Workflow(quiet).debug("hidden")
        Workflow(loud, debug=True).debug("shown")
        assert (quiet.getvalue(), loud.getvalue()) == ("", "::debug::shown\n")

    def test_group_closes_on_error(self) -> None:
        stream = io.StringIO()
        with pytest.raises(RuntimeError), Workflow(stream).group("Waiting"):
            raise RuntimeError
        assert stream.getvalue() == "::group::Waiting\n::endgroup::\n"

    def test_mask_each_line_of_a_multiline_secret(self) -> None:
        stream = io.StringIO()
        Workflow(stream).mask("line1\nline2\n")
        assert stream.getvalue() == "::add-mask::line1\n::add-mask::line2\n"


class TestAtomicFiles:
    """AtomicFiles: the flow's Files port, on the real file system"""

    def test_a_name_inside_the_workspace_is_where_it_lands(self, tmp_path: Path) -> None:
        assert AtomicFiles().inside(tmp_path, "results/aikido.sarif") == tmp_path.resolve() / "results/aikido.sarif"

    def test_a_symlink_leading_out_or_a_directory_is_no_place(self, tmp_path: Path) -> None:
        workspace = tmp_path / "workspace"
        (workspace / "results").mkdir(parents=True)
        (workspace / "out").symlink_to(tmp_path)
        assert AtomicFiles().inside(workspace, "out/aikido.sarif") is None
        assert AtomicFiles().inside(workspace, "results") is None

    def test_written_whole_and_readable_by_later_steps(self, tmp_path: Path) -> None:
        target = tmp_path / "results" / "aikido.sarif"
        AtomicFiles().write(target, "{}\n")
        assert (target.read_text(), oct(target.stat().st_mode & 0o777)) == ("{}\n", "0o644")
        assert [path.name for path in target.parent.iterdir()] == ["aikido.sarif"]  # no temp file left
