"""The command line for people who write policy files: `policy check FILE` and `policy explain FILE --event EVENT …`.

entrypoint.py hands over the arguments the image was given (GitHub runs the action with none).
It reads no `INPUT_*` or `GITHUB_*` variable and sends no request: the file is read from the
disk, checked by the action's own parser with the action's limits (gate.github.policy), and what
it does to a run is said by gate.core.explain. Exit codes: 0 the file is fine, 1 it is not (each
problem a line, as the action reports them), 2 the command line is wrong (one line saying why).
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn, TextIO

from gate.boot.errors import UsageError
from gate.core.errors import PolicyError
from gate.core.explain import USAGE_CHECK, USAGE_EXPLAIN, Asked, checked, explain, problem_lines, where_problem
from gate.core.policy import EVENTS
from gate.core.sanitize import clean
from gate.github.policy import FAR_LARGER, decoded, parse_policy
from gate.net.http import MAX_ANSWER_BYTES

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
USAGE = f"""\
usage: {USAGE_CHECK}
       {USAGE_EXPLAIN}

Without arguments, the action's run (as GitHub runs it). With them, for people who write policy files,
offline and with no input: `check` validates FILE as the action does (its messages, its limits) and exits
0, or 1 with each problem on a line; `explain` says what FILE does to a run of EVENT: the profile chosen
and why, every setting and where it comes from, the automation rules in scope and the actions each event
would run, with the instance or input each uses.

  --event EVENT   the run's event: {", ".join(EVENTS)}
  --branch NAME   a pull request's or merge group's base branch, the pushed branch, or the branch a
                  workflow_dispatch or schedule run is on
  --tag NAME      the pushed tag (push), the release's tag (release), or the tag a workflow_dispatch run is on
  --profile NAME  the profile to follow, as the policy-profile input names one
"""


@dataclass(frozen=True)
class Command:
    """What the command line asks: `check` or `explain` FILE (with the run asked about), or `help`."""

    name: str
    file: str = ""
    asked: Asked | None = None


class _Parser(argparse.ArgumentParser):
    """argparse, its errors one line of ours (argparse prints its usage and exits)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (usage: {self.usage})")


def _parser(name: str, usage: str) -> _Parser:
    parser = _Parser(prog=f"policy {name}", usage=usage, add_help=False)
    parser.add_argument("file", metavar="FILE")
    return parser


def parse(argv: Sequence[str]) -> Command:
    """The command in `argv` (the arguments after the program's name); UsageError saying what is wrong."""
    if argv and argv[0] in ("-h", "--help", "help"):
        return Command("help")
    both = f"(usage: {USAGE_CHECK}, or {USAGE_EXPLAIN})"
    if not argv or argv[0] != "policy":
        what = f"unknown command {argv[0]!r}" if argv else "no command"
        raise UsageError(f"{what}: the action's run takes no arguments; give policy check or policy explain {both}")
    rest = list(argv[1:])
    if "-h" in rest or "--help" in rest:
        return Command("help")
    if not rest or rest[0] not in ("check", "explain"):
        what = f"unknown command {rest[0]!r}" if rest else "no command"
        raise UsageError(f"policy: {what}; give check or explain {both}")
    if rest[0] == "check":
        return Command("check", _parser("check", USAGE_CHECK).parse_args(rest[1:]).file)
    parser = _parser("explain", USAGE_EXPLAIN)
    parser.add_argument("--event", required=True)
    parser.add_argument("--branch")
    parser.add_argument("--tag")
    parser.add_argument("--profile")
    args = parser.parse_args(rest[1:])
    if problem := where_problem(args.event, args.branch, args.tag):
        raise UsageError(f"policy explain: {problem} (usage: {USAGE_EXPLAIN})")
    return Command("explain", args.file, Asked(args.event, args.branch, args.tag, args.profile or None))


def read(path: str) -> str:
    """The file's text, refused as the action refuses a file it reads (far too large, not UTF-8): PolicyError; a
    file that cannot be read at all is a wrong command line: UsageError."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_ANSWER_BYTES + 1)
    except OSError as error:
        raise UsageError(f"cannot read {path} ({error.strerror or type(error).__name__})") from None
    if len(data) > MAX_ANSWER_BYTES:
        raise PolicyError(FAR_LARGER.format(where=path))
    return decoded(data, path)


def run(command: Command) -> tuple[int, list[str]]:
    """The exit code and the lines to print for a command; UsageError for a file that cannot be read."""
    if command.name == "help":
        return EXIT_OK, USAGE.splitlines()
    try:
        policy = parse_policy(read(command.file), command.file)
        if command.asked is None:
            return EXIT_OK, [checked(policy)]
        return EXIT_OK, explain(policy, command.asked)
    except PolicyError as wrong:
        return EXIT_PROBLEMS, problem_lines(wrong)


def main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command in `argv`; returns its exit code. Every line printed is cleaned as the action's messages are."""
    out, err = out or sys.stdout, err or sys.stderr
    for stream in (out, err):
        # A terminal or a pipe in any locale: never fail on a symbol of the file.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    try:
        code, lines = run(parse(argv))
    except UsageError as wrong:
        err.write(clean(str(wrong)) + "\n")
        return EXIT_USAGE
    out.write("".join(clean(line) + "\n" for line in lines))
    return code
