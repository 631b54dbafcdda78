"""gate.core.diff: the head's lines a pull request's diff shows, read from its hunks, and where a comment goes."""

from __future__ import annotations

from gate.core.diff import Span, place, right_hunks


def patch(*lines: str) -> str:
    """A file's `patch` as GitHub's files listing gives it: the hunks only, no trailing newline."""
    return "\n".join(lines)


TWO_HUNKS = patch(
    "@@ -1,4 +1,5 @@",
    " import os",
    "+import subprocess",
    " ",
    " def run(cmd):",
    "-    return os.system(cmd)",
    "+    return subprocess.run(cmd, shell=True)",
    "@@ -20,3 +21,4 @@ def main():",
    "     args = parse()",
    "     run(args.cmd)",
    "+    log(args.cmd)",
    "     return 0",
)


class TestRightHunks:
    """right_hunks: the head's (RIGHT) lines of each hunk, added or context"""

    def test_two_hunks_each_with_its_added_and_context_lines(self) -> None:
        assert right_hunks(TWO_HUNKS) == (range(1, 6), range(21, 25))

    def test_deleted_lines_are_on_the_left_only(self) -> None:
        # Lines 11 and 12 of the base are gone: the head's line 12 is not in this diff.
        hunks = right_hunks(patch("@@ -10,3 +10,2 @@", " keep", "-gone = 1", "-gone = 2", "+new = 3"))
        assert hunks == (range(10, 12),)
        assert 12 not in hunks[0]

    def test_no_newline_at_end_of_file_takes_no_line(self) -> None:
        text = patch(
            "@@ -1,2 +1,2 @@",
            " a = 1",
            "-b = 2",
            "\\ No newline at end of file",
            "+b = 3",
            "\\ No newline at end of file",
        )
        assert right_hunks(text) == (range(1, 3),)

    def test_a_new_file(self) -> None:
        assert right_hunks(patch("@@ -0,0 +1,3 @@", "+a", "+b", "+c")) == (range(1, 4),)

    def test_a_deleted_file_has_no_line_on_the_head(self) -> None:
        assert right_hunks(patch("@@ -1,3 +0,0 @@", "-a", "-b", "-c")) == (range(0, 0),)

    def test_counts_left_out_are_one(self) -> None:
        assert right_hunks(patch("@@ -3 +3 @@", "-x = 1", "+x = 2")) == (range(3, 4),)

    def test_a_trailing_newline_is_not_a_context_line(self) -> None:
        assert right_hunks("@@ -1 +1 @@\n-a\n+b\n") == (range(1, 2),)

    def test_an_empty_line_is_context_where_a_tool_dropped_its_space(self) -> None:
        assert right_hunks(patch("@@ -1,3 +1,4 @@", " a", "", "+b", " c")) == (range(1, 5),)

    def test_a_binary_file_or_a_diff_too_large_has_no_patch(self) -> None:
        assert (right_hunks(None), right_hunks("")) == ((), ())

    def test_a_line_that_looks_like_a_header_inside_a_hunk_is_content(self) -> None:
        # "+@@ ..." is an added line whose text starts with @@, not a new hunk.
        assert right_hunks(patch("@@ -1,1 +1,2 @@", " a", "+@@ -9,9 +9,9 @@")) == (range(1, 3),)


class TestPlace:
    """place: the finding's lines within the last hunk that shows any of them, or nowhere"""

    hunks = right_hunks(TWO_HUNKS)

    def test_a_line_of_a_hunk(self) -> None:
        assert place(22, 22, self.hunks) == Span(22, 22)

    def test_a_multi_line_finding_inside_one_hunk(self) -> None:
        assert place(2, 5, self.hunks) == Span(2, 5)

    def test_both_lines_end_in_the_same_hunk(self) -> None:
        # Lines 3 to 22 span two hunks: GitHub wants start_line in the hunk of line.
        assert place(3, 22, self.hunks) == Span(21, 22)

    def test_a_finding_that_starts_before_its_hunk_is_cut_to_the_hunk(self) -> None:
        assert place(18, 21, self.hunks) == Span(21, 21)

    def test_a_finding_that_ends_after_its_hunk_keeps_the_part_in_it(self) -> None:
        assert place(4, 9, self.hunks) == Span(4, 5)

    def test_lines_between_hunks_or_past_them_are_nowhere(self) -> None:
        assert (place(6, 20, self.hunks), place(30, 30, self.hunks), place(1, 1, ())) == (None, None, None)

    def test_reversed_lines_are_read_in_order(self) -> None:
        assert place(5, 2, self.hunks) == Span(2, 5)
