"""`python -m emulator.contract --image IMAGE`: the built image against the emulator, run as the runner runs it.

Each case starts the emulator on loopback, runs `docker run` with the runner's mounts,
`--workdir /github/workspace` and every input with its hyphens kept (see
`emulator.runner.prepare_run`), and checks the exit code, the step outputs and the job
summary: pass, fail, an SBOM upload into the scan, a SARIF file for the later steps, a gate over
https trusting the emulator's certificate through SSL_CERT_FILE (skipped where the `cryptography`
package is missing to make one), and SIGTERM while polling. Two more run the image as people and plugins meet it:
`policy check` and `policy explain` as docs/policy.md gives them (`docker run -v DIR:/src:ro -w /src IMAGE policy
…`, here with no network), and a push whose policy file has the action open a Jira issue, mail a relay over
STARTTLS with a login and post a Teams card, each a server on loopback (skipped without the `aiosmtpd` and
`cryptography` packages: run it with PYTHON=.venv/bin/python).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from emulator.aikido import EMULATOR_KEY, AikidoEmulator
from emulator.chat import ChatWebhook
from emulator.github import REPO, FakeGitHub
from emulator.jira import BOT_EMAIL, TOKEN, FakeJira
from emulator.runner import CONTAINER_PATHS, ROOT, ActionRun, prepare_run, run_action
from emulator.tls import Certificate

PAYLOAD = json.loads((ROOT / "tests" / "samples" / "pull_request.json").read_text())
SBOM = ROOT / "tests" / "samples" / "uploads" / "syft-image.json"
POLICY_OK = """\
version: 1
cicdProfiles:
  - name: Pull requests
    when: {events: [pull_request, merge_group], branches: [main]}
    failConditions: {vulnerabilitySeverityConditions: high_or_critical, scanTypes: [dependency, sast]}
  - name: Main
    when: {events: [push], branches: [main]}
    failConditions: {failTheBuild: do_not_fail_build}
    timeoutSeconds: 600
"""
# Four problems the action reports on their lines: a YAML boolean, an Invicti-style severity, a duration, an event.
POLICY_BROKEN = """\
version: 1
cicdProfiles:
  - name: PRs
    failConditions:
      failTheBuild: no
      vulnerabilitySeverityConditions: medium
    timeoutSeconds: 1:00:00
automations:
  - name: Tell
    events:
      - eventType: scan_finished
        actions: [{actionType: create_issue}]
"""

Check = Callable[[ActionRun, AikidoEmulator, Path], list[str]]


def _inputs(emulator: AikidoEmulator, **more: str) -> dict[str, str]:
    return {
        "secret-key": EMULATOR_KEY,
        "api-base-url": emulator.url,
        "poll-interval-seconds": "1",
        "timeout-seconds": "30",
        **more,
    }


def _expect(run: ActionRun, code: int, outcome: str, headline: str) -> list[str]:
    problems = []
    if run.returncode != code:
        problems.append(f"exit code {run.returncode}, expected {code}")
    if run.outputs.get("outcome") != outcome:
        problems.append(f"output outcome={run.outputs.get('outcome')!r}, expected {outcome}")
    if not run.outputs.get("scan-id", "").isdigit():
        problems.append(f"output scan-id={run.outputs.get('scan-id')!r} is not a scan id")
    if headline not in run.summary:
        problems.append(f"the job summary lacks {headline!r}")
    return problems + _leaks(run, secret_key=EMULATOR_KEY)


def _leaks(run: ActionRun, **secrets: str) -> list[str]:
    """Each secret that appears in the log, outputs or summary; only ::add-mask::, which asks the runner to hide
    it, may carry one."""
    log = "".join(line for line in run.stdout.splitlines(keepends=True) if not line.startswith("::add-mask::"))
    seen = log + run.stderr + run.summary + json.dumps(run.outputs)
    return [
        f"the {name.replace('_', ' ')} appears in the log, outputs or summary"
        for name, value in secrets.items()
        if value in seen
    ]


class Skipped(Exception):
    """A case that cannot run on this machine, and why."""


def _output(run: ActionRun, name: str, expected: str) -> list[str]:
    value = run.outputs.get(name)
    return [] if value == expected else [f"output {name}={value!r}, expected {expected}"]


def _run_case(
    image: str,
    scenario: str,
    inputs: Callable[[AikidoEmulator], dict[str, str]],
    check: Check,
    *,
    https: bool = False,
) -> list[str]:
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        (workdir / "workspace" / "build").mkdir(parents=True)
        shutil.copy(SBOM, workdir / "workspace" / "build" / "web.syft.json")
        extra_env, tls = {}, None
        if https:
            try:
                certificate = Certificate.make(workdir / "workspace")
            except ImportError as missing:
                raise Skipped(f"needs the {missing.name} package to make a certificate") from None
            # The workspace is mounted at /github/workspace, where the container finds the file.
            extra_env["SSL_CERT_FILE"] = f"{CONTAINER_PATHS['workspace']}/{certificate.ca.name}"
            tls = certificate.server()
        with AikidoEmulator(scenario, tls=tls) as emulator:
            run = run_action(
                workdir,
                event_name="pull_request",
                payload=PAYLOAD,
                inputs=inputs(emulator),
                image=image,
                extra_env=extra_env,
            )
        problems = check(run, emulator, workdir / "workspace")
        if problems:
            print(run.stdout, run.stderr, sep="\n", file=sys.stderr)
        return problems


def case_pass(image: str) -> list[str]:
    def check(run: ActionRun, emulator: AikidoEmulator, workspace: Path) -> list[str]:
        return _expect(run, 0, "SUCCEEDED", "## ✅ Aikido security gate passed") + _output(run, "gate-passed", "true")

    return _run_case(image, "pass", _inputs, check)


def case_fail(image: str) -> list[str]:
    def check(run: ActionRun, emulator: AikidoEmulator, workspace: Path) -> list[str]:
        return _expect(run, 10, "FAILED", "## ❌ Aikido security gate failed") + _output(run, "new-issues-found", "4")

    return _run_case(image, "fail", _inputs, check)


def case_upload(image: str) -> list[str]:
    def check(run: ActionRun, emulator: AikidoEmulator, workspace: Path) -> list[str]:
        problems = _expect(run, 0, "SUCCEEDED", "| `build/web.syft.json` | json-sbom |")
        problems += _output(run, "uploaded-files", "1")
        uploads = [upload for scan in emulator.scans.values() for upload in scan.uploads]
        if [upload.payload for upload in uploads] != [json.loads(SBOM.read_text())]:
            problems.append("the emulator did not receive the SBOM, whole and unchanged, into the scan")
        return problems

    return _run_case(image, "pass", lambda emulator: _inputs(emulator, **{"sbom-files": "build/web.syft.json"}), check)


def case_sarif(image: str) -> list[str]:
    def check(run: ActionRun, emulator: AikidoEmulator, workspace: Path) -> list[str]:
        problems = _expect(run, 10, "FAILED", "## ❌ Aikido security gate failed")
        path = workspace / "results" / "aikido.sarif"
        if run.outputs.get("sarif-file") != "results/aikido.sarif" or not path.is_file():
            return [*problems, "no SARIF file at results/aikido.sarif, or output sarif-file does not name it"]
        # Written by the container's root, read by the job's later steps as the runner's user.
        if stat.S_IMODE(path.stat().st_mode) != 0o644:
            problems.append(f"the SARIF file has mode {stat.S_IMODE(path.stat().st_mode):o}, not 644")
        results = json.loads(path.read_text())["runs"][0]["results"]
        if len(results) != 2:
            problems.append(f"the SARIF file has {len(results)} results, expected the scenario's 2")
        return problems

    return _run_case(image, "fail", lambda emulator: _inputs(emulator, **{"sarif-file": "results/aikido.sarif"}), check)


def case_https(image: str) -> list[str]:
    """As against Aikido: TLS to the emulator, its certificate trusted through SSL_CERT_FILE (a corporate CA's way)."""

    def check(run: ActionRun, emulator: AikidoEmulator, workspace: Path) -> list[str]:
        problems = _expect(run, 0, "SUCCEEDED", "## ✅ Aikido security gate passed")
        if not emulator.url.startswith("https://") or not emulator.requests:
            problems.append("no request reached the emulator over https")
        return problems

    return _run_case(image, "pass", _inputs, check, https=True)


def case_sigterm(image: str) -> list[str]:
    """SIGTERM mid-poll (as `docker stop` sends on cancellation): PID 1 must exit at once, naming the scan."""
    name = f"aikido-gate-contract-{uuid.uuid4().hex[:12]}"
    with AikidoEmulator("timeout") as emulator, tempfile.TemporaryDirectory() as scratch:
        prepared = prepare_run(
            Path(scratch),
            event_name="pull_request",
            payload=PAYLOAD,
            inputs=_inputs(emulator, **{"timeout-seconds": "120"}),
            image=image,
            container_name=name,
        )
        process = subprocess.Popen(  # noqa: S603 -- docker with our own arguments
            prepared.argv, cwd=prepared.cwd, env=prepared.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        lines: list[str] = []
        polling = threading.Event()

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line)
                if "Waiting for Aikido scan" in line:
                    polling.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        if not polling.wait(60):
            process.kill()
            return ["the container never started polling"]
        time.sleep(1.5)
        sent = time.monotonic()
        subprocess.run(["docker", "kill", "--signal", "TERM", name], check=True, capture_output=True)  # noqa: S603, S607 -- docker from PATH, our own arguments
        try:
            code = process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            return ["the container did not exit within 15 s of SIGTERM"]
        reader.join(5)
        took = time.monotonic() - sent
        log = "".join(lines)
    problems = []
    if code != 1:
        problems.append(f"exit code {code} after SIGTERM, expected 1")
    if "cancelled (SIGTERM); Aikido scan 1 was started" not in log:
        problems.append("no cancellation warning naming scan 1")
    if took > 5:
        problems.append(f"exit took {took:.1f} s after SIGTERM")
    if problems:
        print(log, file=sys.stderr)
    return problems


def _policy_command(image: str, directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command docs/policy.md gives (`docker run --rm -v "$PWD:/src:ro" -w /src IMAGE policy …`), with no
    network: it reads the file and sends nothing."""
    argv = ["docker", "run", "--rm", "--network", "none", "--volume", f"{directory}:/src:ro", "--workdir", "/src"]
    return subprocess.run(  # noqa: S603 -- docker with our own arguments
        [*argv, image, "policy", *args], capture_output=True, text=True, timeout=60, check=False
    )


def _said(done: subprocess.CompletedProcess[str], what: str, code: int) -> list[str]:
    problems = [f"{what}: exit code {done.returncode}, expected {code}"] if done.returncode != code else []
    if done.stderr:
        problems.append(f"{what}: wrote to stderr: {done.stderr.strip()[-300:]!r}")
    return problems


def case_policy_check(image: str) -> list[str]:
    """`policy check` a good file (its OK line) and a broken one (each problem on its line), `policy explain` a push."""
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        (directory / "ok.yml").write_text(POLICY_OK)
        (directory / "broken.yml").write_text(POLICY_BROKEN)
        good = _policy_command(image, directory, "check", "ok.yml")
        bad = _policy_command(image, directory, "check", "broken.yml")
        explained = _policy_command(image, directory, "explain", "ok.yml", "--event", "push", "--branch", "main")
    problems = _said(good, "check ok.yml", 0) + _said(bad, "check broken.yml", 1) + _said(explained, "explain", 0)
    if good.stdout != "OK: ok.yml: 2 profiles, 0 rules, 0 instances\n":
        problems.append(f"check ok.yml printed {good.stdout!r}, not its OK line")
    head, *lines = bad.stdout.splitlines() or [""]
    numbers = [line.split(":", 1)[0] for line in lines]
    if head != "broken.yml has 4 problems:" or numbers != ["  line 5", "  line 6", "  line 7", "  line 11"]:
        problems.append(f"check broken.yml printed {bad.stdout!r}, not its four problems by line")
    if "Profile: Main\n  the first profile for event push, branch main" not in explained.stdout:
        problems.append(f"explain does not name profile Main: {explained.stdout!r}")
    if not re.search(r"^  timeout-seconds +600 +profile$", explained.stdout, re.MULTILINE):
        problems.append("explain does not give timeout-seconds 600 from the profile")
    if any("Traceback" in done.stdout + done.stderr for done in (good, bad, explained)):
        problems.append("a traceback")
    if problems:
        print(good.stdout, bad.stdout, explained.stdout, sep="\n", file=sys.stderr)
    return problems


def case_plugins(image: str) -> list[str]:
    """A push whose policy file, served by a fake GitHub, has the action open a Jira issue, mail a relay over STARTTLS
    with a login (the relay's certificate trusted through SSL_CERT_FILE) and post a Teams card (emulator.demo's)."""
    try:
        from emulator.demo import PLUGINS, POLICY_PATH, SMTP_PASSWORD  # noqa: PLC0415 -- aiosmtpd, only here
        from emulator.smtp import SmtpRelay  # noqa: PLC0415 -- aiosmtpd, only here
    except ImportError as missing:
        raise Skipped(f"needs the {missing.name} package for its SMTP relay") from None
    payload = json.loads((ROOT / "tests" / "samples" / "push.json").read_text())
    with tempfile.TemporaryDirectory() as scratch, FakeGitHub() as github, FakeJira() as jira, ChatWebhook() as teams:
        workdir = Path(scratch)
        (workdir / "workspace").mkdir()
        try:
            certificate = Certificate.make(workdir / "workspace")
        except ImportError as missing:
            raise Skipped(f"needs the {missing.name} package to make a certificate") from None
        env = {
            "GITHUB_API_URL": github.api_url,
            "JIRA_API_TOKEN": TOKEN,
            "SMTP_PASSWORD": SMTP_PASSWORD,
            "TEAMS_WEBHOOK_URL": teams.url,
            "SSL_CERT_FILE": f"{CONTAINER_PATHS['workspace']}/{certificate.ca.name}",
        }
        with (
            SmtpRelay(certificate, user="aikido-gate", password=SMTP_PASSWORD) as relay,
            AikidoEmulator("fail") as emulator,
        ):
            policy = PLUGINS.format(jira=jira.url, jira_user=BOT_EMAIL, port=relay.port)
            github.files[(REPO, POLICY_PATH, payload["after"])] = policy
            inputs = _inputs(emulator, **{"policy-file": POLICY_PATH})
            run = run_action(workdir, event_name="push", payload=payload, inputs=inputs, image=image, extra_env=env)
        problems = _expect(run, 10, "FAILED", "## ❌ Aikido security gate failed")
        problems += _leaks(run, jira_token=TOKEN, smtp_password=SMTP_PASSWORD, teams_webhook_url=teams.url)
        if not jira.issues or any(issue["fields"]["project"]["key"] != "SEC" for issue in jira.issues):
            problems.append(f"Jira holds {len(jira.issues)} issues, expected the run's in project SEC")
        mails = [(mail.recipients, mail.login) for mail in relay.received]
        if mails != [(("appsec@acme.example",), "aikido-gate")]:
            problems.append(f"the relay took {mails}, expected one mail to appsec@acme.example after a login")
        if len(teams.bodies) != 1 or not isinstance(teams.bodies[0], dict):
            problems.append(f"the Teams webhook took {len(teams.bodies)} bodies, expected one card")
        received = json.dumps([jira.issues, teams.bodies]) + "".join(
            mail.data.decode(errors="replace") for mail in relay.received
        )
        if EMULATOR_KEY in received:
            problems.append("the secret key reached Jira, the mail or the card")
    if problems:
        print(run.stdout, run.stderr, sep="\n", file=sys.stderr)
    return problems


CASES = {
    "pass": case_pass,
    "fail": case_fail,
    "upload": case_upload,
    "sarif": case_sarif,
    "https": case_https,
    "sigterm": case_sigterm,
    "policy-check": case_policy_check,
    "plugins": case_plugins,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", required=True, help="the image to run, e.g. aikido-gate:test")
    parser.add_argument("cases", nargs="*", metavar="CASE", help=f"some of {', '.join(CASES)} (default: all)")
    args = parser.parse_args(argv)
    if unknown := [case for case in args.cases if case not in CASES]:
        parser.error(f"unknown case {', '.join(unknown)}; choose from {', '.join(CASES)}")
    failed = skipped = 0
    for case in args.cases or list(CASES):
        started = time.monotonic()
        try:
            problems = CASES[case](args.image)
        except Skipped as why:
            print(f"skip {case} ({why})")
            skipped += 1
            continue
        took = time.monotonic() - started
        print(f"{'FAIL' if problems else 'ok  '} {case} ({took:.1f} s)" + "".join(f"\n     {p}" for p in problems))
        failed += bool(problems)
    ran = len(args.cases or CASES) - skipped
    print(f"{ran - failed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
