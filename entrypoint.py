"""The container's entry point: load settings, build the clients, run the gate, exit with its code."""

from __future__ import annotations

import gc

from gate.boot import startup

# Only when run as the action: a test importing this module keeps its collector and modules.
# Start-up allocates tens of thousands of objects that live as long as the run: collecting
# them while importing only costs time (~10 ms); main() freezes them and turns it back on.
# Modules the run never uses are not imported (gate.boot.startup says which, and why that is safe).
if __name__ == "__main__":
    gc.disable()
    startup.trim()

from gate.boot import prefetch
from gate.flow.state import RunState
from gate.runner import cancel

# Run as the action, the signal handlers come first: a cancellation during anything after them
# (expanding the upload patterns, a hung request) ends the step at once, saying what is true.
# Then validation of the files to upload starts before the imports below (0.2 s of one core),
# on the other cores; gate.boot.prefetch says why that is safe.
STATE = RunState()
if __name__ == "__main__":
    cancel.install(STATE)
PREFETCH = prefetch.start() if __name__ == "__main__" else None

import dataclasses  # noqa: E402
import functools  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from gate import ISSUES  # noqa: E402
from gate.core import sanitize  # noqa: E402
from gate.core.clock import Deadline  # noqa: E402
from gate.core.errors import GateError  # noqa: E402
from gate.core.event import Lookups, load_payload  # noqa: E402
from gate.net.http import Retrier  # noqa: E402

# Run as the action, the TLS context is built on another core while pydantic-settings is
# imported below (gate.boot.prefetch.warm_tls).
if __name__ == "__main__":
    prefetch.warm_tls()

from gate.boot.settings import Inputs, Runner, load_inputs, load_runner, raw_secrets, run_plan  # noqa: E402
from gate.core.plan import RunPlan  # noqa: E402
from gate.core.precedence import PolicyReport  # noqa: E402
from gate.core.verdict import Verdict, error  # noqa: E402
from gate.flow import ports  # noqa: E402
from gate.flow.ports import Scanner, Uploads  # noqa: E402
from gate.flow.report import COMMENT_TITLE, TITLE, report  # noqa: E402
from gate.flow.run import (  # noqa: E402
    POST_VERDICT_SECONDS,
    SARIF_TITLE,
    Collaborators,
    export_sarif,
    once,
    post_pr_comments,
    reach_verdict,
)
from gate.runner.workflow import AtomicFiles, Workflow  # noqa: E402

if TYPE_CHECKING:
    from gate.core.policy import Automation
    from gate.flow import automations as flow_automations
    from gate.flow import policy as flow_policy
    from gate.flow.comment import PullRequest


def _debug_traceback(workflow: ports.Workflow, failure: BaseException) -> None:
    workflow.debug("".join(traceback.format_exception(failure)))


def _guarded(workflow: ports.Workflow, what: str, title: str, step: Callable[[], None]) -> None:
    """Run a step after the verdict: whatever it meets is a warning, never a change of the verdict."""
    try:
        step()
    except Exception as failure:  # noqa: BLE001 -- the last line of defence after the verdict
        _debug_traceback(workflow, failure)
        workflow.warning(f"could not {what} (internal error {type(failure).__name__})", title=title)


def _retrier(deadline: Deadline, workflow: Workflow) -> Retrier:
    def on_retry(reason: str, delay: float) -> None:
        workflow.log(f"transient fault ({reason}); retrying in {delay:.1f} s")

    return Retrier(deadline, sleep=time.sleep, on_retry=on_retry)


def wire(plan: RunPlan, inputs: Inputs, runner: Runner, workflow: Workflow, state: RunState) -> Collaborators:
    """Every collaborator of one run, built here and nowhere else; clients are made when first needed.

    The one deadline counts from the run's start (`state.started`), whatever the policy file took.
    """
    deadline = Deadline(state.started + plan.timeout_seconds)
    retrier = _retrier(deadline, workflow)
    secret = inputs.secret_key.get_secret_value()
    token = inputs.github_token.get_secret_value()

    @functools.cache
    def scanner() -> Scanner:
        from gate.aikido.client import AikidoClient, build_http_client  # noqa: PLC0415 -- not needed on a skip

        return AikidoClient(build_http_client(inputs.aikido_url, secret), retrier)

    def lookups() -> Lookups:
        from gate.github.lookups import GitHubLookups, build_github_client  # noqa: PLC0415 -- rarely needed

        return GitHubLookups(build_github_client(runner.api_url, token), retrier, runner.repository)

    def pull_request(number: int, budget: Deadline) -> PullRequest:
        from gate.github.comments import PyGithubPullRequest  # noqa: PLC0415 -- PyGithub is heavy
        from gate.github.session import trusted_cas  # noqa: PLC0415 -- loaded only when needed

        verify = trusted_cas(os.environ)
        return PyGithubPullRequest(runner.api_url, token, runner.repository, number, deadline=budget, verify=verify)

    def uploads() -> Uploads:
        from gate.uploads.workspace import WorkspaceUploads  # noqa: PLC0415 -- ijson only when there are files

        return WorkspaceUploads(PREFETCH.inspect if PREFETCH else None)

    return Collaborators(
        scanner, lookups, pull_request, deadline, time.sleep, workflow, state, uploads, files=AtomicFiles()
    )


# Reading the policy file gets at most this long of timeout-seconds: it is a few lines from GitHub.
POLICY_BUDGET_SECONDS = 60


def policy_files(
    inputs: Inputs, runner: Runner, workflow: Workflow, plan: RunPlan, state: RunState
) -> flow_policy.PolicyFiles:
    """The policy file's reader: policy-token, else github-token, within a budget of the run's deadline."""
    from gate.github.lookups import build_github_client  # noqa: PLC0415 -- only with a policy file
    from gate.github.policy import PolicyFiles  # noqa: PLC0415 -- PyYAML only with a policy file

    own = inputs.policy_token.get_secret_value()
    token = own or inputs.github_token.get_secret_value()
    budget = Deadline(state.started + min(plan.timeout_seconds, POLICY_BUDGET_SECONDS))
    client = build_github_client(runner.api_url, token)
    return PolicyFiles(client, _retrier(budget, workflow), "policy-token" if own else "github-token")


def _internal_error(workflow: ports.Workflow, failure: Exception, state: RunState) -> Verdict:
    _debug_traceback(workflow, failure)
    return error(
        f"internal error ({type(failure).__name__}); please report it at {ISSUES} with the step's log from a run "
        "with debug logging on (re-run with 'Enable debug logging', or set the secret RUNNER_DEBUG to 1); the "
        "key is masked in it",
        scan_id=state.scan_id,
    )


def main(state: RunState | None = None) -> int:
    """Run the gate once; `state` is the one the signal handlers already read, if installed."""
    gc.freeze()
    gc.enable()
    # The runner reads UTF-8 whatever the locale or PYTHONIOENCODING says; never fail on a symbol.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
    secrets = raw_secrets()
    sanitize.add_secrets(secrets)
    workflow = Workflow(sys.stdout)
    for secret in secrets:
        workflow.mask(secret)
    if state is None:
        state = RunState()
        cancel.install(state)
    try:
        runner = load_runner()
    except GateError as failure:
        workflow.error(str(failure), title=TITLE)
        return 1
    # Built again now that the runner's files are known: the first, made before they could be
    # read, could only mask the secrets and print.
    workflow = state.workflow = Workflow(
        sys.stdout,
        output_path=runner.output,
        summary_path=runner.step_summary,
        debug=runner.runner_debug,
    )
    plan: RunPlan | None = None
    wiring: Collaborators | None = None
    payload: dict[str, Any] = {}
    policy: PolicyReport | None = None
    rules: tuple[Automation, ...] = ()
    # The one place a failure becomes the verdict.
    try:
        inputs = load_inputs()
        plan = run_plan(inputs, runner)
        wiring = wire(plan, inputs, runner, workflow, state)
        payload = load_payload(runner.event_path)
        # Without a key the run is skipped or refused: no policy to read (a fork has no policy-token).
        if plan.policy_file is not None and plan.secret_given:
            files = policy_files(inputs, runner, workflow, plan, state)
            from gate.flow.policy import apply_policy  # noqa: PLC0415 -- the policy model only with a policy file

            plan, policy, rules = apply_policy(plan, payload, files, workflow)
            wiring = wire(plan, inputs, runner, workflow, state)
        verdict = reach_verdict(plan, payload, wiring)
    except GateError as failure:
        verdict = dataclasses.replace(error(str(failure), scan_id=state.scan_id), uploads=tuple(state.uploaded))
    except Exception as failure:  # noqa: BLE001 -- the last line of defence: one line, never a traceback
        verdict = _internal_error(workflow, failure, state)
    verdict = dataclasses.replace(verdict, policy=policy)
    # The verdict is written (outputs, summary, annotation) before anything else is tried, so a
    # cancellation or a hung GitHub afterwards loses nothing.
    state.reporting = True
    code = state.exit_code = report(verdict, workflow)
    state.reported = verdict
    if plan is not None and wiring is not None:
        # The comments and the automations share one fixed budget after the verdict.
        budget = Deadline.after(POST_VERDICT_SECONDS)
        after_the_verdict(verdict, plan, payload, wiring, budget)
        if rules:
            rules_run = functools.partial(
                automate, verdict, plan, payload, rules, inputs=inputs, runner=runner, workflow=workflow, budget=budget
            )
            _guarded(workflow, "run the automations", AUTOMATION_TITLE, rules_run)
    return code


AUTOMATION_TITLE = "Aikido automation"


def automate(
    verdict: Verdict,
    plan: RunPlan,
    payload: dict[str, Any],
    rules: tuple[Automation, ...],
    *,
    inputs: Inputs,
    runner: Runner,
    workflow: Workflow,
    budget: Deadline,
) -> None:
    """The policy file's automation rules, with the GitHub issues and the chat webhook they write to."""
    from gate.flow.automations import automate as run_rules  # noqa: PLC0415 -- only with automation rules

    token = inputs.github_token.get_secret_value()

    def tracker() -> flow_automations.IssueTracker:
        from gate.github.issues import PyGithubIssues  # noqa: PLC0415 -- PyGithub is heavy
        from gate.github.session import trusted_cas  # noqa: PLC0415 -- loaded only when needed

        verify = trusted_cas(os.environ)
        return PyGithubIssues(runner.api_url, token, runner.repository, deadline=budget, verify=verify)

    def chat() -> flow_automations.Chat:
        from gate.chat.webhook import Webhook  # noqa: PLC0415 -- only when a rule posts

        return Webhook(inputs.communicator_webhook_url.get_secret_value(), _retrier(budget, workflow))

    run_rules(verdict, plan, payload, rules, tracker=tracker, chat=chat, workflow=workflow)


def after_the_verdict(
    verdict: Verdict, plan: RunPlan, payload: dict[str, Any], wiring: Collaborators, budget: Deadline
) -> None:
    """The SARIF file, then the PR comments: each may only warn, never change the verdict (the one place)."""
    # Fetched once, for the SARIF file and the review comments alike.
    scanner = wiring.scanner
    sast_issues = once(lambda: scanner().introduced_sast_issues(verdict.scan_id or 0))
    workflow = wiring.workflow
    sarif = functools.partial(export_sarif, verdict, plan, sast_issues=sast_issues, wiring=wiring)
    _guarded(workflow, "write the SARIF file", SARIF_TITLE, sarif)
    comments = functools.partial(
        post_pr_comments, verdict, plan, payload, sast_issues=sast_issues, wiring=wiring, budget=budget
    )
    _guarded(workflow, "post the PR comment", COMMENT_TITLE, comments)


def _exit(code: int) -> None:
    """End now: everything is written and closed, and the interpreter's teardown would cost 50-80 ms."""
    if PREFETCH:
        PREFETCH.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit(main(STATE))
