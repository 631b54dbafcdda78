"""One run, wired: settings, the plan, the collaborators, the verdict and what follows it.

The one place the layers are put together: every client and adapter of a run is built here
(`wire`) and nowhere else. entrypoint.py imports this module after the boot sequence, so
pydantic-settings, which loads here, loads with the collector paused and while the upload
workers and the TLS context are at work; the adapters load in the functions that first need them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import io
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from gate import ISSUES
from gate.boot.sequence import Booted
from gate.boot.settings import Inputs, InputsWrong, Runner, load_inputs, load_runner, raw_secrets, run_plan
from gate.core import sanitize
from gate.core.clock import Deadline
from gate.core.errors import ConfigError, GateError, PolicyError
from gate.core.plan import RunPlan
from gate.core.precedence import PolicyReport, idle_input
from gate.core.verdict import EXIT_ERROR, Problems, Verdict, error
from gate.flow import ports
from gate.flow.after import POST_VERDICT_SECONDS, SARIF_TITLE, export_sarif, once, post_pr_comments
from gate.flow.ports import Lookups, Scanner, Uploads
from gate.flow.report import COMMENT_TITLE, POLICY_TITLE, TITLE, report, report_head_policy
from gate.flow.run import Collaborators, reach_verdict
from gate.flow.state import RunState
from gate.net.http import Retrier
from gate.net.tls import Tls
from gate.runner import cancel
from gate.runner.payload import load_payload
from gate.runner.workflow import AtomicFiles, Workflow

if TYPE_CHECKING:
    from gate.core.policy import Automation
    from gate.flow.policy import HeadVersion
    from gate.flow.ports import Chat, IssueTracker, PullRequest


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


def wire(
    plan: RunPlan, inputs: Inputs, runner: Runner, workflow: Workflow, state: RunState, *, booted: Booted
) -> Collaborators:
    """Every collaborator of one run, built here and nowhere else; clients are made when first needed.

    The one deadline counts from the run's start (`state.started`), whatever the policy file took.
    """
    deadline = Deadline(state.started + plan.timeout_seconds)
    retrier = _retrier(deadline, workflow)
    tls = booted.tls
    secret = inputs.secret_key.get_secret_value()
    token = inputs.github_token.get_secret_value()

    @functools.cache
    def scanner() -> Scanner:
        from gate.aikido.client import AikidoClient, build_http_client  # noqa: PLC0415 -- not needed on a skip

        return AikidoClient(build_http_client(inputs.aikido_url, secret, tls), retrier, environ=os.environ)

    def lookups() -> Lookups:
        from gate.github.lookups import GitHubLookups, build_github_client  # noqa: PLC0415 -- rarely needed

        return GitHubLookups(build_github_client(runner.api_url, token, tls), retrier, runner.repository)

    def pull_request(number: int, budget: Deadline) -> PullRequest:
        from gate.github.comments import PyGithubPullRequest  # noqa: PLC0415 -- PyGithub is heavy

        return PyGithubPullRequest(
            runner.api_url, token, runner.repository, number, deadline=budget, environ=os.environ
        )

    def uploads() -> Uploads:
        from gate.uploads.workspace import WorkspaceUploads  # noqa: PLC0415 -- ijson only when there are files

        return WorkspaceUploads(booted.prefetch.inspect if booted.prefetch else None)

    return Collaborators(
        scanner, lookups, pull_request, deadline, time.sleep, workflow, state, uploads, files=AtomicFiles()
    )


# Reading the policy file gets at most this long of timeout-seconds: it is a few lines from GitHub.
POLICY_BUDGET_SECONDS = 60


@contextlib.contextmanager
def policy_files(
    inputs: Inputs, runner: Runner, workflow: Workflow, booted: Booted, budget: Deadline
) -> Iterator[ports.PolicyFiles]:
    """The policy file's reader: policy-token, else github-token, within `budget`; its connections closed after."""
    from gate.github.lookups import build_github_client  # noqa: PLC0415 -- only with a policy file
    from gate.github.policy import PolicyFiles  # noqa: PLC0415 -- PyYAML only with a policy file

    own = inputs.policy_token.get_secret_value()
    token = own or inputs.github_token.get_secret_value()
    with build_github_client(runner.api_url, token, booted.tls) as client:
        yield PolicyFiles(client, _retrier(budget, workflow), "policy-token" if own else "github-token")


class _Stopped(ConfigError):
    """What stops the run before any scan, its problems grouped (inputs, policy file) to list one per line."""

    def __init__(self, message: str, problems: tuple[Problems, ...]) -> None:
        super().__init__(message)
        self.problems = problems


def _internal_error(workflow: ports.Workflow, failure: Exception, state: RunState) -> Verdict:
    _debug_traceback(workflow, failure)
    return error(
        f"internal error ({type(failure).__name__}); please report it at {ISSUES} with the step's log from a run "
        "with debug logging on (re-run with 'Enable debug logging', or set the secret RUNNER_DEBUG to 1); the "
        "key is masked in it",
        scan_id=state.scan_id,
    )


def main(booted: Booted | None = None) -> int:
    """Run the gate once. `booted`: what the boot sequence prepared (a test's in-process run has none)."""
    # Everything loaded lives as long as the run: frozen, the collector never scans it again.
    gc.freeze()
    gc.enable()
    # The runner reads UTF-8 whatever the locale or PYTHONIOENCODING says; never fail on a symbol.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")

    secrets = raw_secrets()
    with sanitize.using(sanitize.Secrets(secrets)):
        return _run(secrets, booted)


def _run(secrets: list[str], booted: Booted | None) -> int:
    """The run, with its secrets in force for every sink."""
    workflow = Workflow(sys.stdout)
    for secret in secrets:
        workflow.mask(secret)
    state = booted.state if booted else _installed(RunState())
    try:
        runner = load_runner()
    except GateError as failure:
        workflow.error(str(failure), title=TITLE)
        return 1
    # Built again now that the runner's files are known: the first, made before they could be
    # read, could only mask the secrets and print.
    workflow = state.workflow = Workflow(
        sys.stdout, output_path=runner.output, summary_path=runner.step_summary, debug=runner.runner_debug
    )
    if booted is None:
        booted = Booted(state, None, Tls(os.environ))
    run = Run(runner, workflow, state, booted)
    verdict = run.decide()
    # The verdict is written (outputs, summary, annotation) before anything else is tried, so a
    # cancellation or a hung GitHub afterwards loses nothing.
    state.reporting = True
    code = state.exit_code = report(verdict, workflow)
    state.reported = verdict
    # The policy check, the comments and the automations share one fixed budget after the verdict. A
    # cancellation during the check exits with the verdict's code: the job ends cancelled, which no required
    # check counts as a pass.
    budget = Deadline.after(POST_VERDICT_SECONDS)
    verdict, code = run.check_head(verdict, code, budget)
    run.after(verdict, budget)
    return code


def _installed(state: RunState) -> RunState:
    cancel.install(state)
    return state


@dataclass(eq=False)  # one run, compared as itself
class Run:
    """One run from the inputs to the verdict, and what follows it; the one place a failure becomes the verdict."""

    runner: Runner
    workflow: Workflow
    state: RunState
    booted: Booted
    inputs: Inputs | None = None
    plan: RunPlan | None = None
    wiring: Collaborators | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    policy: PolicyReport | None = None
    rules: tuple[Automation, ...] = ()
    head: HeadVersion | None = None

    def decide(self) -> Verdict:
        """The verdict: ERROR with one line for whatever stops the run, never a traceback."""
        try:
            verdict = self._scan()
        except GateError as failure:
            verdict = error(str(failure), scan_id=self.state.scan_id, problems=self._listed(failure))
            verdict = dataclasses.replace(verdict, uploads=tuple(self.state.uploaded))
        except Exception as failure:  # noqa: BLE001 -- the last line of defence: one line, never a traceback
            verdict = _internal_error(self.workflow, failure, self.state)
        return dataclasses.replace(verdict, policy=self.policy)

    def _listed(self, failure: GateError) -> tuple[Problems, ...]:
        """What stopped the run, to list one per line: the wrong inputs and the policy file's problems."""
        if isinstance(failure, _Stopped):
            return failure.problems
        location = self.plan.policy_file if self.plan else None
        if location is None:
            return ()
        return (Problems(location.shown, failure.problems),) if isinstance(failure, PolicyError) else ()

    def _inputs(self) -> Inputs:
        """The inputs; when some are wrong, the policy file is read and checked still: one error says it all."""
        try:
            return load_inputs()
        except InputsWrong as wrong:
            raise self._and_the_policy(wrong) from None

    def _and_the_policy(self, wrong: InputsWrong) -> _Stopped:
        """The error for wrong inputs, with the policy file's problems too when it can be read (the rest are right)."""
        found = (Problems(None, wrong.problems),)
        rest = wrong.rest
        if rest is None or not rest.secret_key.get_secret_value():
            return _Stopped(str(wrong), found)
        try:
            plan = run_plan(rest, self.runner)
            payload = load_payload(self.runner.event_path)
        except GateError:
            return _Stopped(str(wrong), found)
        if plan.policy_file is None:
            return _Stopped(str(wrong), found)
        try:
            self._policy(rest, plan, payload)
        except GateError as failure:
            items = failure.problems if isinstance(failure, PolicyError) else (str(failure),)
            return _Stopped(f"{wrong}; and {failure}", (*found, Problems(plan.policy_file.shown, items)))
        return _Stopped(str(wrong), found)

    def _policy(
        self, inputs: Inputs, plan: RunPlan, payload: dict[str, Any]
    ) -> tuple[RunPlan, PolicyReport | None, tuple[Automation, ...], HeadVersion | None]:
        """The policy file's trusted version read within its budget, and applied to the plan (gate.flow.policy)."""
        from gate.flow.policy import apply_policy  # noqa: PLC0415 -- the policy model only with a policy file

        budget = Deadline(self.state.started + min(plan.timeout_seconds, POLICY_BUDGET_SECONDS))
        with policy_files(inputs, self.runner, self.workflow, self.booted, budget) as files:
            return apply_policy(plan, payload, files, self.workflow)

    def _scan(self) -> Verdict:
        inputs = self.inputs = self._inputs()
        plan = self.plan = run_plan(inputs, self.runner)
        for name in plan.idle_inputs:
            self.workflow.warning(idle_input(name), title=POLICY_TITLE)
        self.wiring = wire(plan, inputs, self.runner, self.workflow, self.state, booted=self.booted)
        self.payload = load_payload(self.runner.event_path)
        # Without a key the run is skipped or refused: no policy to read (a fork has no policy-token).
        if plan.policy_file is not None and plan.secret_given:
            plan, self.policy, self.rules, self.head = self._policy(inputs, plan, self.payload)
            self.plan = plan
            self.wiring = wire(plan, inputs, self.runner, self.workflow, self.state, booted=self.booted)
        return reach_verdict(plan, self.payload, self.wiring)

    def check_head(self, verdict: Verdict, code: int, budget: Deadline) -> tuple[Verdict, int]:
        """After the verdict is written, the pull request's own policy file: the verdict with its problems, and the
        exit code (the verdict's if it fails the step, else 1 when there are problems: it must not merge green)."""
        version, inputs = self.head, self.inputs
        if version is None or inputs is None:
            return verdict, code
        from gate.flow.policy import check_head  # noqa: PLC0415 -- the policy model only with a policy file

        found: list[str] = []

        def check() -> None:
            with policy_files(inputs, self.runner, self.workflow, self.booted, budget) as files:
                found.extend(check_head(version, files, self.workflow))

        _guarded(self.workflow, "check this pull request's version of the policy file", POLICY_TITLE, check)
        if not found:
            return verdict, code
        problems = Problems(version.location.shown, tuple(found), version.head)
        verdict = dataclasses.replace(verdict, head_policy=problems)
        # Before anything is written: a cancellation from here on ends the step failed too.
        code = self.state.exit_code = code or EXIT_ERROR
        self.state.reported = verdict
        report_head_policy(problems, self.workflow)
        return verdict, code

    def after(self, verdict: Verdict, budget: Deadline) -> None:
        """The SARIF file, the PR comments and the automations: each may only warn, never change the verdict."""
        if self.plan is None or self.wiring is None or self.inputs is None:
            return
        after_the_verdict(verdict, self.plan, self.payload, self.wiring, budget)
        if self.rules:
            rules_run = functools.partial(
                automate,
                verdict,
                self.plan,
                self.payload,
                self.rules,
                inputs=self.inputs,
                runner=self.runner,
                workflow=self.workflow,
                budget=budget,
                tls=self.booted.tls,
            )
            _guarded(self.workflow, "run the automations", AUTOMATION_TITLE, rules_run)


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
    tls: Tls,
) -> None:
    """The policy file's automation rules, with the GitHub issues and the chat webhook they write to."""
    from gate.flow.automations import automate as run_rules  # noqa: PLC0415 -- only with automation rules

    token = inputs.github_token.get_secret_value()

    def tracker() -> IssueTracker:
        from gate.github.issues import PyGithubIssues  # noqa: PLC0415 -- PyGithub is heavy

        return PyGithubIssues(runner.api_url, token, runner.repository, deadline=budget, environ=os.environ)

    def chat() -> Chat:
        from gate.chat.webhook import Webhook  # noqa: PLC0415 -- only when a rule posts

        return Webhook(inputs.communicator_webhook_url.get_secret_value(), _retrier(budget, workflow), tls)

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


def finish(code: int, booted: Booted) -> NoReturn:
    """End now: everything is written and closed, and the interpreter's teardown is slow and useless."""
    if booted.prefetch:
        booted.prefetch.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
