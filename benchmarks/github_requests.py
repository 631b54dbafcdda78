"""GitHub REST requests and writes per run: this action, and Aikido's own action's approach, against one fake GitHub.

Each run of the action is a whole run as the runner makes it (`entrypoint.py` against the Aikido
emulator), counted at the fake GitHub (emulator/github.py): every request, the writes among them (POST,
PATCH, DELETE; GraphQL's viewer query only reads), and the notifications they send (each comment, review
or issue created: an edit notifies no one). Aikido's action (AikidoSec/github-actions-workflow,
src/postMessage.ts and src/postReviewComment.ts) is modelled by the requests it sends: the first page
of the issue comments, then its status comment created or updated on every run; the first page of the
review comments, then one `POST …/pulls/{n}/comments` per finding not on a line it has commented on
(each its own review); nothing on a push. Every write counts against GitHub's secondary limit on
content creation (80 a minute, 500 an hour), which every workflow using one `GITHUB_TOKEN` shares.

    .venv/bin/python -m benchmarks.github_requests [--before DIR]

`--before` adds another checkout of this project (its `entrypoint.py`), run against the same fake.
The exit code is 1 when this action misses the targets of issue #29: a pull request with 30 findings
in at most 6 requests and 2 writes, a repeated run in none.
"""

from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from emulator.aikido import EMULATOR_KEY, AikidoEmulator, Scenario
from emulator.github import REPO, FakeGitHub, added_patch
from emulator.runner import ENTRYPOINT, ROOT, prepare_run

SAMPLES = ROOT / "tests" / "samples"
POLICY_PATH = ".github/aikido-gate.yml"
# A rule that keeps one tracking issue while the pushed branch has findings.
TRACKING = """\
version: 1
automations:
  - name: Track open issues on main
    events:
      - eventType: vulnerability_found
        actions:
          - actionType: create_issue
"""
FILES = ("src/app.py", "src/api.py", "src/db.py")
FINDINGS = 30
SCAN_URL = "https://app.aikido.dev/featurebranch/scan/1"
TARGETS = {"findings": (6, 2), "repeated": (None, 0)}  # (requests, writes) at most, per the issue


def sast_issues() -> tuple[dict[str, Any], ...]:
    """30 findings on the lines the pull request adds, ten a file, every third over two lines."""
    return tuple(
        {
            "file": FILES[n % 3],
            "start_line": 3 * (n // 3) + 1,
            "end_line": 3 * (n // 3) + 1 + (n % 3 == 0),
            "title": f"Finding {n}",
            "description": "User input reaches a sink.",
            "remediation": "Validate it.",
            "snippet_hash": f"{n:04x}",
        }
        for n in range(FINDINGS)
    )


@dataclass(frozen=True)
class Count:
    """What one run sent to GitHub."""

    requests: int
    writes: int
    notifications: int


def created(github: FakeGitHub) -> int:
    """Everything that notified someone: comments, reviews (one per single review comment too), issues."""
    return len(github.issue_comments) + len(github.reviews) + len(github.issues)


def counted(github: FakeGitHub, run: Callable[[], None]) -> Count:
    requests, writes, made = len(github.requests), len(github.writes()), created(github)
    run()
    return Count(len(github.requests) - requests, len(github.writes()) - writes, created(github) - made)


@dataclass(frozen=True)
class Case:
    """One kind of run: the event, the scan's findings, what the fake GitHub holds first."""

    name: str
    event: str
    scenario: Scenario
    inputs: dict[str, str]
    runs: tuple[str, ...]  # the rows: the first run, then the same run repeated

    def github(self) -> FakeGitHub:
        github = FakeGitHub()
        for path in FILES:
            github.change(path, added_patch(range(1, 31)))
        push = json.loads((SAMPLES / "push.json").read_text())
        github.files[(REPO, POLICY_PATH, push["after"])] = TRACKING
        return github


FAILED_SAST = Scenario("findings", new_issues={"sast": FINDINGS}, sast_issues=sast_issues(), message="30 new issues")
COMMENTS = {"post-scan-status-comment": "on", "post-sast-review-comments": "on"}
CASES = (
    Case("a passing pull request", "pull_request", Scenario("pass"), COMMENTS, ("passing",)),
    Case("a pull request, 30 findings on its diff", "pull_request", FAILED_SAST, COMMENTS, ("findings", "repeated")),
    Case(
        "a push with a tracking issue",
        "push",
        FAILED_SAST,
        {"policy-file": POLICY_PATH},
        ("tracking", "tracking again"),
    ),
)
ROWS = {
    "passing": "a passing pull request",
    "findings": "a pull request, 30 findings on its diff",
    "repeated": "the same run repeated",
    "tracking": "a push with a tracking issue",
    "tracking again": "the same push repeated",
}


def run_entrypoint(case: Case, github: FakeGitHub, scratch: Path, entrypoint: Path) -> None:
    """One whole run of a checkout's entrypoint.py, as the runner makes it."""
    payload = json.loads((SAMPLES / f"{case.event}.json").read_text())
    with AikidoEmulator(case.scenario) as emulator:
        inputs = {"secret-key": EMULATOR_KEY, "api-base-url": emulator.url, "poll-interval-seconds": "1", **case.inputs}
        run = prepare_run(
            scratch, event_name=case.event, payload=payload, inputs=inputs, extra_env={"GITHUB_API_URL": github.api_url}
        )
        argv = [run.argv[0], str(entrypoint)]  # this checkout's or another's (it imports its own gate/)
        done = subprocess.run(argv, cwd=run.cwd, env=run.env, capture_output=True, text=True, timeout=120, check=False)
    if done.stderr or done.returncode not in (0, 10):
        raise SystemExit(f"{entrypoint} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def aikido_approach(case: Case, github: FakeGitHub) -> None:
    """The requests Aikido's action sends for this run (see the module's docstring)."""
    if case.event != "pull_request":
        return  # no pull request: it writes nothing, and it keeps no tracking issues
    findings = case.scenario.sast_issues
    pull = f"/repos/{REPO}/pulls/42"
    with httpx.Client(base_url=github.api_url) as http:  # the fake GitHub takes any token, or none
        comments = http.get(f"/repos/{REPO}/issues/42/comments").json()
        mine = [c for c in comments if c["user"]["type"] == "Bot" and SCAN_URL in c["body"].lower()]
        body = {"body": f"{'failed' if findings else 'passed'}: {SCAN_URL}"}
        if mine:
            http.patch(f"/repos/{REPO}/issues/comments/{mine[0]['id']}", json=body)
        else:
            http.post(f"/repos/{REPO}/issues/42/comments", json=body)
        if not findings:
            return
        done = {(c["path"], c["line"]) for c in http.get(f"{pull}/comments").json() if c["user"]["type"] == "Bot"}
        head = json.loads((SAMPLES / "pull_request.json").read_text())["pull_request"]["head"]["sha"]
        for finding in findings:
            if (finding["file"], finding["end_line"]) in done:
                continue
            span = {"start_line": finding["start_line"]} if finding["start_line"] != finding["end_line"] else {}
            comment = {"commit_id": head, "path": finding["file"], "line": finding["end_line"], "body": "x", **span}
            http.post(f"{pull}/comments", json=comment)


def measure(entrypoints: dict[str, Path], scratch: Path) -> dict[str, dict[str, Count | None]]:
    """Every row for every contender: each contender gets a fake GitHub of its own for each case."""
    table: dict[str, dict[str, Count | None]] = {row: {} for row in ROWS}
    for case in CASES:
        for name, entrypoint in entrypoints.items():
            with case.github() as github:
                for attempt, row in enumerate(case.runs):
                    where = scratch / f"{name}-{row}-{attempt}".replace(" ", "-")
                    table[row][name] = counted(
                        github, functools.partial(run_entrypoint, case, github, where, entrypoint)
                    )
        with case.github() as github:
            for row in case.runs:
                table[row]["Aikido's approach"] = (
                    counted(github, functools.partial(aikido_approach, case, github))
                    if case.event == "pull_request"
                    else None
                )
    return table


def render(table: dict[str, dict[str, Count | None]]) -> str:
    names = list(next(iter(table.values())))
    head = "| run | " + " | ".join(f"{name}: requests / writes / notifications" for name in names) + " |"
    lines = [head, "|---|" + "---|" * len(names)]
    for row, counts in table.items():
        cells = [
            "— (no tracking issues)"
            if (count := counts[name]) is None
            else f"{count.requests} / {count.writes} / {count.notifications}"
            for name in names
        ]
        lines.append(f"| {ROWS[row]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def missed(table: dict[str, dict[str, Count | None]]) -> list[str]:
    """The targets this action misses, each said in a line."""
    found = []
    for row, (requests, writes) in TARGETS.items():
        count = table[row]["this action"]
        if count is None:
            raise SystemExit(f"{ROWS[row]}: not measured")
        if requests is not None and count.requests > requests:
            found.append(f"{ROWS[row]}: {count.requests} requests, the target is at most {requests}")
        if count.writes > writes:
            found.append(f"{ROWS[row]}: {count.writes} writes, the target is at most {writes}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, help="another checkout of this project, run the same way")
    args = parser.parse_args()
    entrypoints = {"this action": ENTRYPOINT}
    if args.before is not None:
        entrypoints["before"] = args.before.resolve() / "entrypoint.py"
    with tempfile.TemporaryDirectory() as scratch:
        table = measure(entrypoints, Path(scratch))
    print(render(table))
    if problems := missed(table):
        print("\n".join(["", "missed:", *problems]))
        sys.exit(1)
    print("\ntargets met: 30 findings in at most 6 requests and 2 writes; a repeated run writes nothing")


if __name__ == "__main__":
    main()
