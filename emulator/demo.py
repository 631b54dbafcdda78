"""`python -m emulator.demo [scenario]`: one run of the action against the emulator.

Starts the emulator on a free loopback port, runs `entrypoint.py` with the runner's
environment in a scratch workspace (a pull_request, or the event a scenario is about), and
shows what the step printed and left behind.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from emulator.aikido import EMULATOR_KEY, AikidoEmulator
from emulator.chat import ChatWebhook
from emulator.github import REPO, FakeGitHub
from emulator.runner import ROOT, run_action

SAMPLES = ROOT / "tests" / "samples"
# What each scenario shows, and the event and inputs that show it (default: a pull request gate).
SHOWS = {
    "pass": "a passing gate: SUCCEEDED, exit 0",
    "fail": "a failing gate with two SAST findings: FAILED, exit 10, the findings in the SARIF file",
    "slow": "several polls before the answer, with progress lines",
    "flaky": "a 503 on the start and 502/500 on polls, retried without a second scan",
    "timeout": "a scan that never finishes: TIMED_OUT at timeout-seconds (8 s here), exit 1",
    "default-branch": "the default-branch answer: open issues and their links",
    "html-login": "an HTML login page instead of JSON: ERROR with the likely causes",
    "hostile": "an answer echoing the key in disguise, escapes, bidi and foreign links: none reaches any output",
    "hostile-link": "the hostile answer with the key and chat markup in Aikido's own link: inert in every output",
    "drip": "each poll answered one byte every half second: still TIMED_OUT on time",
    "release-fail": "a release gate (release event, release-gating: true) blocked by three open issues",
    "sast-odd": "SAST findings with odd paths, columns and long texts: two in the SARIF file, two left out",
    "policy": "the fail scenario under a policy file read from a local fake GitHub: the summary's policy section",
    "automations": "a push to main that fails, then one that passes: a tracking issue opened, then closed",
}
EVENTS = {"release-fail": ("release", {"release-gating": "true"})}
# Scenarios of the demo alone: the emulator's scenario they run, and a policy file the fake GitHub serves.
DEMO_ONLY = {"policy": "fail", "automations": "fail"}
AUTOMATIONS = """\
version: 1
automations:
  - name: Track open issues on main
    events:
      - eventType: vulnerability_found
        actions:
          - actionType: create_issue
            createIssueOptions:
              labels: [security]
      - eventType: scan_done
        actions:
          - actionType: send_to_communicator
"""
POLICY_PATH = ".github/aikido-gate.yml"
POLICY = """\
version: 1
cicdProfiles:
  - name: Pull requests
    when:
      events: [pull_request, merge_group]
      branches: [main]
    failConditions:
      vulnerabilitySeverityConditions: high_or_critical
      scanTypes: [dependency, sast]
    timeoutSeconds: 8
  - name: Everything else
    failConditions:
      failTheBuild: do_not_fail_build
"""


def usage() -> str:
    width = max(map(len, SHOWS))
    rows = "\n".join(f"  {name:<{width}}  {what}" for name, what in SHOWS.items())
    return f"usage: scripts/demo [SCENARIO]   (default: pass)\n\nscenarios:\n{rows}\n"


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(usage(), end="")
        return 0
    scenario = argv[0] if argv else "pass"
    if scenario not in SHOWS or len(argv) > 1:
        print(f"unknown scenario {' '.join(argv)!r}\n\n{usage()}", end="", file=sys.stderr)
        return 2
    if scenario == "automations":
        return automations()
    event, extra = EVENTS.get(scenario, ("pull_request", {}))
    payload = json.loads((SAMPLES / f"{event}.json").read_text())
    with (
        AikidoEmulator(DEMO_ONLY.get(scenario, scenario)) as emulator,
        FakeGitHub() as github,
        tempfile.TemporaryDirectory() as scratch,
    ):
        inputs = {
            "secret-key": EMULATOR_KEY,
            "api-base-url": emulator.url,
            "poll-interval-seconds": "1",
            "timeout-seconds": "8",
            "sarif-file": "aikido.sarif",
            **extra,
        }
        env = {}
        if scenario == "policy":
            # Served at the pull request's base commit, where the action reads it (and unchanged at its head).
            for commit in (payload["pull_request"]["base"]["sha"], payload["pull_request"]["head"]["sha"]):
                github.files[(REPO, POLICY_PATH, commit)] = POLICY
            inputs |= {"policy-file": POLICY_PATH, "timeout-seconds": ""}
            env = {"GITHUB_API_URL": github.api_url}
            print(f"== {POLICY_PATH} at the pull request's base, served by a fake GitHub at {github.api_url}:")
            print(POLICY)
        print(
            f"== scenario {scenario} ({event}): Aikido emulator at {emulator.url}; "
            "running entrypoint.py as the runner would\n"
        )
        run = run_action(Path(scratch), event_name=event, payload=payload, inputs=inputs, extra_env=env)
        sarif = Path(scratch) / "workspace" / "aikido.sarif"
        sarif_text = sarif.read_text() if sarif.is_file() else "(not written)\n"
    print(run.stdout, end="")
    print(run.stderr, end="", file=sys.stderr)
    print(f"\n== exit code {run.returncode}\n== outputs")
    for name, value in run.outputs.items():
        print(f"  {name}={value}")
    print("== job summary\n" + run.summary)
    print("== aikido.sarif (sarif-file, for github/codeql-action/upload-sarif)\n" + sarif_text)
    # The action's own exit code, so `scripts/demo fail; echo $?` shows what the step would do.
    return run.returncode


def automations() -> int:
    """Two pushes to main against the emulator and a fake GitHub: what the rules write, printed."""
    payload = json.loads((SAMPLES / "push.json").read_text())
    with FakeGitHub() as github, ChatWebhook() as chat, tempfile.TemporaryDirectory() as scratch:
        github.files[(REPO, POLICY_PATH, payload["after"])] = AUTOMATIONS
        print(f"== {POLICY_PATH} at the pushed commit, served by a fake GitHub at {github.api_url}:\n{AUTOMATIONS}")
        code = 0
        for number, scenario in enumerate(("fail", "pass"), 1):
            with AikidoEmulator(scenario) as emulator:
                inputs = {
                    "secret-key": EMULATOR_KEY,
                    "api-base-url": emulator.url,
                    "poll-interval-seconds": "1",
                    "policy-file": POLICY_PATH,
                    "communicator-webhook-url": chat.url,
                }
                env = {"GITHUB_API_URL": github.api_url}
                run = run_action(
                    Path(scratch) / str(number), event_name="push", payload=payload, inputs=inputs, extra_env=env
                )
            print(f"== push {number}: scenario {scenario}, exit code {run.returncode}\n{run.stdout}")
            code = code or run.returncode
            for issue in github.issues:
                print(f"== issue #{issue['number']} ({issue['state']}): {issue['title']}\n{issue['body']}")
                for comment in issue["comments_list"]:
                    print(f"   comment: {comment['body']}")
            print("== chat lines so far:\n" + "\n".join(f"  {body['text']}" for body in chat.bodies) + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
