"""`scripts/demo [--policy FILE] [--event EVENT] [--branch NAME | --tag NAME] [SCENARIO]`: one run of the action.

Starts the Aikido emulator (in SCENARIO) and a fake GitHub on free loopback ports, runs `entrypoint.py`
with the runner's environment in a scratch workspace (a pull_request, or the event a scenario or
--event is about, its payload from tests/samples), and shows what the step printed and left behind.
With --policy, the fake GitHub serves FILE as the repository's policy file where the action reads it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from emulator.aikido import EMULATOR_KEY, AikidoEmulator
from emulator.chat import ChatWebhook
from emulator.github import REPO, FakeGitHub
from emulator.jira import BOT_EMAIL as JIRA_USER
from emulator.jira import TOKEN as JIRA_TOKEN
from emulator.jira import FakeJira
from emulator.runner import ROOT, prepare_run, run_action
from emulator.smtp import Received, SmtpRelay
from emulator.tls import Certificate

SAMPLES = ROOT / "tests" / "samples"
# What each scenario shows, and the exit code it ends with (tests/test_demo.py checks each claim against a run).
SHOWS = {
    "pass": "a passing gate: SUCCEEDED, exit 0",
    "fail": "a failing gate: 4 new issues (2 dependency, 2 SAST), FAILED, exit 10; the 2 SAST findings in the "
    "SARIF file",
    "slow": "sub-scans finishing one a poll: a progress line each (4), SUCCEEDED, exit 0",
    "flaky": "a 503 on the start and 502/500 on polls, retried without a second scan: SUCCEEDED, exit 0",
    "timeout": "a scan that never finishes: TIMED_OUT at timeout-seconds (8 s here), exit 1",
    "default-branch": "the default-branch answer: 2 open issues and their links, FAILED, exit 10",
    "html-login": "an HTML login page instead of JSON: ERROR with the likely causes, exit 1",
    "hostile": "an answer echoing the key in disguise, escapes, bidi and foreign links: none reaches any output; "
    "FAILED, exit 10",
    "hostile-link": "the hostile answer with the key and chat markup in Aikido's own link: inert in every output; "
    "FAILED, exit 10",
    "drip": "each poll answered one byte every half second: still TIMED_OUT on time, exit 1",
    "release-fail": "a release gate (release event, release-gating: true) blocked by 3 open issues: FAILED, exit 10",
    "sast-odd": "SAST findings with odd paths, columns and long texts: 2 in the SARIF file, 2 left out; SUCCEEDED "
    "(SAST findings fail no gate by default), exit 0",
    "policy": "the fail scenario under the demo's policy file, read from a local fake GitHub: the summary's policy "
    "section (--policy FILE tries yours), FAILED, exit 10",
    "automations": "a push to main that fails, then one that passes: a tracking issue opened, then closed; exit 10, "
    "the first push's",
    "plugins": "the same two pushes under a policy file with a Jira, an e-mail and a Teams instance (local fakes; the "
    "mail over STARTTLS with a login): a Jira issue opened, then moved to Done with a comment; a mail each push, the "
    "report attached; a Teams card each push; exit 10, the first push's",
}
# The event a scenario is about, and inputs it needs (a policy file's runs get none a profile can set).
SCENARIO_EVENTS = {"release-fail": "release"}
SCENARIO_INPUTS = {"release-fail": {"release-gating": "true"}}
# Scenarios of the demo alone: the emulator's scenario they run.
DEMO_ONLY = {"policy": "fail", "automations": "fail", "plugins": "fail"}
# Scenarios of two pushes of their own: no option applies to them.
TWO_PUSHES = ("automations", "plugins")
# The events the action supports (gate.core.event.SUPPORTED_EVENTS; the emulator imports nothing of the gate).
EVENTS = (
    "pull_request", "pull_request_target", "merge_group", "push", "workflow_dispatch", "schedule", "release",
)  # fmt: skip
PULL_REQUESTS = ("pull_request", "pull_request_target")
# The samples' commits: a pull request's base and head, a push's before and after. Runs of other events are
# on the head, whose parent (the fake GitHub's commits API says) is the base.
BASE, HEAD = "9049f1265b7d61be4a8904a9a27120d2064dab3b", "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
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
# The plugins scenario's file: the issue tracker, the mail relay and the chat are local fakes ({jira}, {port}).
PLUGINS = """\
version: 1
instances:
  - instanceId: jira-prod
    pluginId: jira
    name: Production Jira (a local fake)
    jira: {{url: {jira}, project: SEC, issueType: Bug, user: {jira_user}, tokenEnv: JIRA_API_TOKEN,
           doneTransition: Done}}
  - instanceId: security-mail
    pluginId: email
    email: {{host: 127.0.0.1, port: {port}, security: starttls, from: aikido-gate@acme.example,
            to: [appsec@acme.example], user: aikido-gate, passwordEnv: SMTP_PASSWORD}}
  - instanceId: appsec-teams
    pluginId: teams
    teams: {{urlEnv: TEAMS_WEBHOOK_URL}}
automations:
  - name: Main to Jira, mail and Teams
    events:
      - eventType: vulnerability_found
        actions:
          - actionType: create_issue
            createIssueOptions: {{instanceId: jira-prod}}
      - eventType: report_created
        actions:
          - actionType: send_email
            sendEmailOptions: {{instanceId: security-mail}}
      - eventType: scan_done
        actions:
          - actionType: send_to_communicator
            sendToCommunicatorOptions: {{instanceId: appsec-teams}}
"""
SMTP_PASSWORD = "demo-smtp-password"  # noqa: S105 -- the demo relay's own
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


OPTIONS = """\
  --policy FILE   serve FILE as the repository's policy file, .github/aikido-gate.yml, at the commit the action
                  reads it at (a pull request's or merge group's base, a push's pushed commit, else the run's
                  commit), and run with policy-file pointing at it: the summary's policy section shows the
                  profile chosen and where each setting came from. The demo then gives no input a profile can
                  set (timeout-seconds, release-gating, ...): the file decides, else the action's defaults
{event}
  --branch NAME   a pull request's or merge group's base branch, the pushed branch, or the branch a
                  workflow_dispatch or schedule run is on (default: main)
  --tag NAME      the pushed tag (push), the release's tag (release), or the tag a workflow_dispatch run is on
  -h, --help      show this text
"""


def usage() -> str:
    width = max(map(len, SHOWS))
    rows = "\n".join(
        textwrap.fill(what, 112, initial_indent=f"  {name:<{width}}  ", subsequent_indent=" " * (width + 4))
        for name, what in SHOWS.items()
    )
    event = textwrap.fill(
        f"the run's event, its payload from tests/samples: {', '.join(EVENTS)} (default: pull_request; release "
        "for release-fail)",
        112,
        initial_indent="  --event EVENT   ",
        subsequent_indent=" " * 18,
    )
    return (
        "usage: scripts/demo [--policy FILE] [--event EVENT] [--branch NAME | --tag NAME] [SCENARIO]\n\n"
        "Runs entrypoint.py as GitHub's runner does, against a local Aikido emulator answering as SCENARIO\n"
        "(default: pass) and a local fake GitHub; prints the log, the outputs, the job summary and the SARIF\n"
        "file, and exits with the action's exit code.\n\n"
        f"options:\n{OPTIONS.format(event=event)}\nscenarios:\n{rows}\n\n"
        "example: scripts/demo --policy .github/aikido-gate.yml --event push --branch main fail; echo $?\n"
    )


class UsageError(Exception):
    """Arguments the demo cannot run: one line for stderr, then the usage."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _event(text: str) -> str:
    if text not in EVENTS:
        raise argparse.ArgumentTypeError(f"unknown event {text!r}: give one of {', '.join(EVENTS)}")
    return text


@dataclass(frozen=True)
class Options:
    scenario: str
    event: str
    branch: str | None
    tag: str | None
    policy: tuple[str, bytes] | None  # as the user named it, and its bytes


def parse(argv: list[str]) -> Options:
    """The demo's options; UsageError saying what is wrong with them."""
    parser = _Parser(prog="scripts/demo", add_help=False)
    parser.add_argument("--policy", metavar="FILE")
    parser.add_argument("--event", type=_event)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--branch", metavar="NAME")
    where.add_argument("--tag", metavar="NAME")
    parser.add_argument("scenario", nargs="?", default="pass")
    args = parser.parse_args(argv)
    if args.scenario not in SHOWS:
        raise UsageError(f"unknown scenario {args.scenario!r}")
    given = [f"--{name}" for name in ("policy", "event", "branch", "tag") if getattr(args, name) is not None]
    if args.scenario in TWO_PUSHES and given:
        raise UsageError(f"{given[0]}: the {args.scenario} scenario runs two pushes to main of its own")
    if args.scenario == "policy" and args.policy is not None:
        raise UsageError("--policy: the policy scenario serves a file of its own; give --policy with another scenario")
    for name, value in (("--branch", args.branch), ("--tag", args.tag)):
        if value is not None and not value.strip():
            raise UsageError(f"{name}: give a name")
    policy = None
    if args.policy is not None:
        try:
            policy = (args.policy, Path(args.policy).read_bytes())
        except OSError as error:
            raise UsageError(f"--policy: cannot read {args.policy} ({error.strerror})") from None
    elif args.scenario == "policy":
        policy = ("the demo's policy file", POLICY.encode())
    event = args.event or SCENARIO_EVENTS.get(args.scenario, "pull_request")
    return Options(args.scenario, event, args.branch, args.tag, policy)


@dataclass(frozen=True)
class EventRun:
    """A run of one event: its payload, the runner's variables to match, and where the policy file is read."""

    event: str
    about: str  # e.g. "push, branch main"
    payload: dict[str, Any]
    env: dict[str, str]
    # The commits the policy file is served at: the first is where the action reads it; on a pull request
    # the head's copy is read too, only to tell whether the change edits the file.
    read_at: tuple[str, ...]
    where: str


def _sample(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text())
    return payload


def event_run(event: str, branch: str | None, tag: str | None) -> EventRun:
    """The sample payload of `event` with the branch or tag put where GitHub puts it; UsageError if it has none."""
    if tag is not None and event not in ("push", "release", "workflow_dispatch"):
        raise UsageError(f"--tag: a {event} run is about a branch, not a tag; give --branch")
    if branch is not None and event == "release":
        raise UsageError("--branch: a release is of a tag; give --tag")
    if event in PULL_REQUESTS:
        return _pull_request(event, branch)
    if event == "merge_group":
        return _merge_group(branch)
    if event == "push":
        return _push(branch, tag)
    return _commit_run(event, branch, tag)


def _pull_request(event: str, branch: str | None) -> EventRun:
    payload = _sample(event)
    base, head = payload["pull_request"]["base"], payload["pull_request"]["head"]
    if branch is not None:
        base["ref"], base["label"] = branch, f"{REPO.partition('/')[0]}:{branch}"
    env = {"GITHUB_REF": f"refs/pull/{payload['number']}/merge"}
    about = f"{event}, base branch {base['ref']}"
    return EventRun(event, about, payload, env, (base["sha"], head["sha"]), "the pull request's base")


def _merge_group(branch: str | None) -> EventRun:
    payload = _sample("merge_group")
    group = payload["merge_group"]
    if branch is not None:
        group["base_ref"] = f"refs/heads/{branch}"
        group["head_ref"] = f"refs/heads/gh-readonly-queue/{branch}/pr-42-{group['base_sha']}"
    env = {"GITHUB_REF": group["head_ref"], "GITHUB_SHA": group["head_sha"]}
    about = f"merge_group, base branch {group['base_ref'].removeprefix('refs/heads/')}"
    return EventRun(
        "merge_group", about, payload, env, (group["base_sha"], group["head_sha"]), "the merge group's base"
    )


def _push(branch: str | None, tag: str | None) -> EventRun:
    # A tag's push has no `before` (all zeros): the action asks the commits API for the pushed commit's parent.
    payload = _sample("push_tag" if tag is not None else "push")
    payload["ref"] = f"refs/tags/{tag}" if tag is not None else f"refs/heads/{branch or 'main'}"
    env = {"GITHUB_REF": payload["ref"], "GITHUB_SHA": payload["after"]}
    return EventRun("push", f"push, {_named(branch, tag)}", payload, env, (payload["after"],), "the pushed commit")


def _commit_run(event: str, branch: str | None, tag: str | None) -> EventRun:
    """workflow_dispatch, schedule, release: the run's commit is GITHUB_SHA, its parent the base the action looks up."""
    payload = _sample(event)
    if event == "release":
        if tag is not None:
            payload["release"]["tag_name"] = payload["release"]["name"] = tag
        tag = payload["release"]["tag_name"]
    ref = f"refs/tags/{tag}" if tag is not None else f"refs/heads/{branch or 'main'}"
    if event == "workflow_dispatch":
        payload["ref"] = ref
    env = {"GITHUB_REF": ref, "GITHUB_SHA": HEAD}
    return EventRun(event, f"{event}, {_named(branch, tag)}", payload, env, (HEAD,), "the run's commit")


def _named(branch: str | None, tag: str | None) -> str:
    return f"tag {tag}" if tag is not None else f"branch {branch or 'main'}"


def main(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:
        print(usage(), end="")
        return 0
    try:
        options = parse(argv)
        run = event_run(options.event, options.branch, options.tag)
    except UsageError as error:
        print(f"scripts/demo: {error}\n\n{usage()}", end="", file=sys.stderr)
        return 2
    try:
        if options.scenario in TWO_PUSHES:
            return automations() if options.scenario == "automations" else plugins()
        return demo(options, run)
    except KeyboardInterrupt:
        print("\nscripts/demo: interrupted", file=sys.stderr)
        return 130


def demo(options: Options, run: EventRun) -> int:
    """One run of the action against the emulator and the fake GitHub, and what it printed and left behind."""
    scenario = options.scenario
    with (
        AikidoEmulator(DEMO_ONLY.get(scenario, scenario)) as emulator,
        FakeGitHub() as github,
        tempfile.TemporaryDirectory() as scratch,
    ):
        # The history the samples tell: the head's parent is the base (the action asks on runs without a base).
        github.commits[HEAD] = [BASE]
        inputs = {
            "secret-key": EMULATOR_KEY,
            "api-base-url": emulator.url,
            "poll-interval-seconds": "1",
            "sarif-file": "aikido.sarif",
        }
        if options.policy is None:
            inputs |= {"timeout-seconds": "8", **SCENARIO_INPUTS.get(scenario, {})}
        else:
            name, text = options.policy
            for commit in run.read_at:
                github.files[(REPO, POLICY_PATH, commit)] = text
            inputs["policy-file"] = POLICY_PATH
            print(
                f"== {name}, served as {POLICY_PATH} at commit {run.read_at[0][:12]} ({run.where}) "
                f"by a fake GitHub at {github.api_url}:"
            )
            print(text.decode("utf-8", "replace"))
        print(
            f"== scenario {scenario} ({run.about}): Aikido emulator at {emulator.url}; "
            "running entrypoint.py as the runner would\n"
        )
        env = {"GITHUB_API_URL": github.api_url, **run.env}
        prepared = prepare_run(Path(scratch), event_name=run.event, payload=run.payload, inputs=inputs, extra_env=env)
        # The step's log as it comes, as the runner shows it, and no deadline of our own: the action keeps to
        # its timeout-seconds (a policy file's may be long; the default is 300 s).
        sys.stdout.flush()
        ran = subprocess.run(prepared.argv, cwd=prepared.cwd, env=prepared.env, check=False)  # noqa: S603 -- ours
        done = prepared.result(ran.returncode, "", "")
        sarif = Path(scratch) / "workspace" / "aikido.sarif"
        sarif_text = sarif.read_text() if sarif.is_file() else "(not written)\n"
    print(f"\n== exit code {done.returncode}\n== outputs")
    for output, value in done.outputs.items():
        print(f"  {output}={value}")
    print("== job summary\n" + done.summary)
    print("== aikido.sarif (sarif-file, for github/codeql-action/upload-sarif)\n" + sarif_text)
    # The action's own exit code, so `scripts/demo fail; echo $?` shows what the step would do.
    return done.returncode


def automations() -> int:
    """Two pushes to main against the emulator and a fake GitHub: what the rules write, printed."""
    payload = _sample("push")
    with FakeGitHub() as github, ChatWebhook() as chat, tempfile.TemporaryDirectory() as scratch:
        github.files[(REPO, POLICY_PATH, payload["after"])] = AUTOMATIONS
        print(f"== {POLICY_PATH} at the pushed commit, served by a fake GitHub at {github.api_url}:\n{AUTOMATIONS}")

        def show() -> None:
            for issue in github.issues:
                print(f"== issue #{issue['number']} ({issue['state']}): {issue['title']}\n{issue['body']}")
                for comment in issue["comments_list"]:
                    print(f"   comment: {comment['body']}")
            print("== chat lines so far:\n" + "\n".join(f"  {body['text']}" for body in chat.bodies) + "\n")

        inputs = {"communicator-webhook-url": chat.url}
        return _two_pushes(Path(scratch), payload, inputs, {"GITHUB_API_URL": github.api_url}, show)


def plugins() -> int:
    """Two pushes to main under a file whose rules write to a fake Jira, a local SMTP relay and a Teams recorder."""
    payload = _sample("push")
    with (
        tempfile.TemporaryDirectory() as scratch,
        FakeGitHub() as github,
        FakeJira() as jira,
        ChatWebhook() as teams,
    ):
        certificate = Certificate.make(Path(scratch))
        with SmtpRelay(certificate, user="aikido-gate", password=SMTP_PASSWORD) as relay:
            policy = PLUGINS.format(jira=jira.url, jira_user=JIRA_USER, port=relay.port)
            github.files[(REPO, POLICY_PATH, payload["after"])] = policy
            print(f"== {POLICY_PATH} at the pushed commit, served by a fake GitHub at {github.api_url}:\n{policy}")
            env = {
                "GITHUB_API_URL": github.api_url,
                "JIRA_API_TOKEN": JIRA_TOKEN,
                "SMTP_PASSWORD": SMTP_PASSWORD,
                "TEAMS_WEBHOOK_URL": teams.url,
                # The relay's certificate, trusted as a runner with a private CA trusts its own.
                "SSL_CERT_FILE": str(certificate.ca),
            }
            shown = {"mails": 0, "cards": 0}

            def show() -> None:
                _show_plugins(jira, relay.received[shown["mails"] :], teams.bodies[shown["cards"] :])
                shown.update(mails=len(relay.received), cards=len(teams.bodies))

            return _two_pushes(Path(scratch), payload, {}, env, show)


def _two_pushes(
    scratch: Path, payload: dict[str, Any], inputs: dict[str, str], env: dict[str, str], show: Callable[[], None]
) -> int:
    """A failing push to main, then a passing one, under the policy file; after each, `show` what it wrote.
    Returns the first push's exit code."""
    code = 0
    for number, scenario in enumerate(("fail", "pass"), 1):
        with AikidoEmulator(scenario) as emulator:
            given = {
                "secret-key": EMULATOR_KEY,
                "api-base-url": emulator.url,
                "poll-interval-seconds": "1",
                "policy-file": POLICY_PATH,
                **inputs,
            }
            run = run_action(scratch / str(number), event_name="push", payload=payload, inputs=given, extra_env=env)
        print(f"== push {number}: scenario {scenario}, exit code {run.returncode}\n{run.stdout}")
        code = code or run.returncode
        show()
    return code


def _show_plugins(jira: FakeJira, mails: list[Received], cards: list[Any]) -> None:
    """What the Jira fake holds now, and the mails and Teams cards this push sent."""
    for issue in jira.issues:
        fields = issue["fields"]
        print(f"== Jira {issue['key']} ({fields['status']['name']}): {fields['summary']}")
        print(textwrap.indent(fields["description"] or "", "   "))
        for comment in issue["comments"]:
            print(f"   comment: {comment['body']}")
    for received in mails:
        message = received.message
        print(f"== mail from {received.sender} to {', '.join(received.recipients)}")
        print(f"   Subject: {message['Subject']}")
        body = message.get_body(("plain",))
        print(textwrap.indent(body.get_content() if body is not None else "", "   "))
        for part in message.iter_attachments():
            print(f"   attached: {part.get_filename()} ({part.get_content_type()})")
    for card in cards:
        print("== Teams card:\n" + json.dumps(card, indent=1, ensure_ascii=False))
    print()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
