"""One run, wired: the settings, the plan and the policy file, every collaborator built once, and the flow run.

The one place the layers are put together, and the one place a failure becomes the verdict: every
client and adapter of a run is built here and nowhere else, then `gate.flow.run` reaches the
verdict and `gate.flow.after` does what follows it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gate import ISSUES
from gate.aikido.client import AikidoClient, build_http_client
from gate.boot.errors import InputsWrong, RunStopped
from gate.boot.settings import Inputs, Runner, instance_variables, load_inputs, load_runner, raw_secrets, run_plan
from gate.chat.webhook import Webhook
from gate.core import sanitize
from gate.core.chat import webhook_message
from gate.core.clock import Deadline
from gate.core.errors import GateError, PolicyError
from gate.core.event import pull_request_number
from gate.core.plan import RunPlan
from gate.core.plugins import DEFAULT_PORT, DONE_TRANSITION, EMAIL, JIRA, PLUGINS, SLACK, TEAMS, WEBHOOK, url_problem
from gate.core.precedence import idle_input
from gate.core.verdict import Problems, Verdict, error
from gate.flow import ports
from gate.flow.after import after_the_verdict, debug_traceback, wants_pr_comments
from gate.flow.policy import Applied, apply_policy
from gate.flow.report import POLICY_TITLE, TITLE, report
from gate.flow.run import Collaborators, reach_verdict
from gate.flow.state import RunState
from gate.github.lookups import GitHubLookups, build_github_client
from gate.net.http import WRITER_ATTEMPTS, Retrier
from gate.net.tls import Tls
from gate.runner import cancel
from gate.runner.payload import load_payload
from gate.runner.workflow import AtomicFiles, Workflow
from gate.uploads.workspace import WorkspaceUploads

if TYPE_CHECKING:
    # For the annotations only: the policy model loads on the runs with a policy file.
    from gate.core.policy import Instance

# Builds the port of one instance from its secrets (by option key: urlEnv, tokenEnv…) within the
# after-verdict budget; or says why it cannot be used.
Builder = Callable[["Instance", Mapping[str, str], Deadline], Any]
# Reading the policy file gets at most this long of timeout-seconds: it is a few lines from GitHub.
POLICY_BUDGET_SECONDS = 60


def main() -> int:
    """Run the gate once; returns the step's exit code."""
    # The runner reads UTF-8 whatever the locale or PYTHONIOENCODING says; never fail on a symbol.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
    secrets = raw_secrets()
    with sanitize.using(sanitize.Secrets(secrets)), contextlib.ExitStack() as closing:
        return _run(secrets, closing)


def _run(secrets: list[str], closing: contextlib.ExitStack) -> int:
    """The run, with its secrets in force for every sink; `closing` closes its clients at the end."""
    workflow = Workflow(sys.stdout)
    for secret in secrets:
        workflow.mask(secret)
    # First, so that a cancellation during anything after it says what is true.
    state = RunState(started=time.monotonic())
    cancel.install(state)
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
    wiring = Wiring(runner, workflow, state, Tls(os.environ), closing)
    verdict, prepared = wiring.decide()
    # The verdict is written (outputs, summary, annotation) before anything else is tried, so a
    # cancellation or a hung GitHub afterwards loses nothing.
    state.reporting = True
    code = state.exit_code = report(verdict, workflow)
    state.reported = verdict
    if prepared is None:
        return code
    return after_the_verdict(
        verdict, code, prepared.plan, prepared.payload, applied=prepared.applied, collaborators=prepared.collaborators
    )


@dataclass(frozen=True)
class Prepared:
    """A run ready for its flow: the plan the policy file made, the event payload, and its collaborators."""

    plan: RunPlan
    payload: dict[str, Any]
    applied: Applied
    collaborators: Collaborators


@dataclass(frozen=True, eq=False)  # one run's wiring, compared as itself
class Wiring:
    """Builds one run's collaborators from its settings, and turns whatever stops the run into its verdict."""

    runner: Runner
    workflow: Workflow
    state: RunState
    tls: Tls
    closing: contextlib.ExitStack

    def decide(self) -> tuple[Verdict, Prepared | None]:
        """The verdict (ERROR with one line for whatever stops the run, never a traceback), and the run prepared."""
        prepared = None
        try:
            inputs, payload, applied = self._prepare()
            plan = applied.plan
            prepared = Prepared(plan, payload, applied, self._collaborators(inputs, plan, payload, applied))
            verdict = reach_verdict(plan, payload, prepared.collaborators)
        except GateError as failure:
            listed = failure.problems if isinstance(failure, RunStopped) else ()
            verdict = error(str(failure), scan_id=self.state.scan_id, problems=listed)
            verdict = dataclasses.replace(verdict, uploads=tuple(self.state.uploaded))
        except Exception as failure:  # noqa: BLE001 -- the last line of defence: one line, never a traceback
            debug_traceback(self.workflow, failure)
            verdict = error(
                f"internal error ({type(failure).__name__}); please report it at {ISSUES} with the step's log from a "
                "run with debug logging on (re-run with 'Enable debug logging', or set the secret RUNNER_DEBUG to 1); "
                "the key is masked in it",
                scan_id=self.state.scan_id,
            )
        return dataclasses.replace(verdict, policy=prepared.applied.report if prepared else None), prepared

    def _prepare(self) -> tuple[Inputs, dict[str, Any], Applied]:
        """The inputs, the event payload, and the plan as the policy file made it."""
        try:
            inputs = load_inputs()
        except InputsWrong as wrong:
            raise self._and_the_policy(wrong) from None
        plan = run_plan(inputs, self.runner)
        for name in plan.idle_inputs:
            self.workflow.warning(idle_input(name), title=POLICY_TITLE)
        payload = load_payload(self.runner.event_path)
        # Without a key the run is skipped or refused: no policy to read (a fork has no policy-token).
        if plan.policy_file is None or not plan.secret_given:
            return inputs, payload, Applied(plan)
        return inputs, payload, self._policy(inputs, plan, payload)

    def _policy(self, inputs: Inputs, plan: RunPlan, payload: dict[str, Any]) -> Applied:
        """The policy file's trusted version, read within its own budget and applied to the plan."""
        budget = Deadline(self.state.started + min(plan.chosen.timeout_seconds, POLICY_BUDGET_SECONDS))
        try:
            return apply_policy(plan, payload, self._policy_files(inputs, budget), self.workflow)
        except PolicyError as wrong:
            source = plan.policy_file.shown if plan.policy_file else None
            raise RunStopped(str(wrong), (Problems(source, wrong.problems),)) from None

    def _and_the_policy(self, wrong: InputsWrong[Inputs]) -> RunStopped:
        """The error for wrong inputs, with the policy file's problems too when it can be read (the rest are right)."""
        found = (Problems(None, wrong.problems),)
        rest = wrong.rest
        if rest is None or not rest.secret_key.get_secret_value():
            return RunStopped(str(wrong), found)
        try:
            plan = run_plan(rest, self.runner)
            if plan.policy_file is not None:
                self._policy(rest, plan, load_payload(self.runner.event_path))
        except RunStopped as stopped:
            return RunStopped(f"{wrong}; and {stopped}", (*found, *stopped.problems))
        except GateError as failure:
            if plan.policy_file is None:
                return RunStopped(str(wrong), found)
            return RunStopped(f"{wrong}; and {failure}", (*found, Problems(plan.policy_file.shown, (str(failure),))))
        return RunStopped(str(wrong), found)

    def _retrier(self, deadline: Deadline, attempts: int | None = None) -> Retrier:
        """A retrier within `deadline`; `attempts` bounds each request's tries (the writers': WRITER_ATTEMPTS)."""

        def on_retry(reason: str, delay: float) -> None:
            self.workflow.log(f"transient fault ({reason}); retrying in {delay:.1f} s")

        return Retrier(deadline, sleep=time.sleep, on_retry=on_retry, attempts=attempts)

    def _policy_files(self, inputs: Inputs, budget: Deadline) -> ports.PolicyFiles:
        """The policy file's reader: policy-token, else github-token, within `budget`."""
        from gate.github.policy import PolicyFiles  # noqa: PLC0415 -- PyYAML loads only on the runs with a policy file

        own = inputs.policy_token.get_secret_value()
        token = own or inputs.github_token.get_secret_value()
        client = self.closing.enter_context(build_github_client(self.runner.api_url, token, self.tls))
        return PolicyFiles(client, self._retrier(budget), "policy-token" if own else "github-token")

    def _instances(self, applied: Applied, after: Deadline) -> tuple[dict[str, Any], dict[str, ports.Unusable]]:
        """The port of each instance of the policy file the run uses, and why each other cannot be used.

        Every variable an instance names is masked at once, for the runner's log and every sink of
        ours, before anything could print it; only then is it checked and used.
        """
        values = instance_variables(name for instance in applied.instances for name in instance.variables.values())
        sanitize.add_secrets(values.values())
        for value in values.values():
            self.workflow.mask(value)
        built: dict[str, Any] = {}
        unusable: dict[str, ports.Unusable] = {}
        if not applied.rules:
            return built, unusable
        for instance in applied.instances:
            build = self._builders().get(instance.plugin)
            if build is None:
                continue
            port = build(instance, {key: values.get(name, "") for key, name in instance.variables.items()}, after)
            if isinstance(port, ports.Unusable):
                unusable[instance.id] = port
            else:
                built[instance.id] = port
        return built, unusable

    def _builders(self) -> dict[str, Builder]:
        """How the port of each plugin's instance is built (gate.core.plugins), by pluginId."""
        return {
            SLACK.id: self._webhook,
            TEAMS.id: self._webhook,
            WEBHOOK.id: self._webhook,
            JIRA.id: self._jira,
            EMAIL.id: self._mailer,
        }

    def _webhook(self, instance: Instance, secrets: Mapping[str, str], after: Deadline) -> Any:
        """A slack, teams or webhook instance: its Chat, over the URL in the variable its urlEnv names."""
        name, url = instance.variables["urlEnv"], secrets["urlEnv"]
        problem = url_problem(url) if url else "is empty or not set"
        if problem:
            return ports.Unusable(name, problem)
        plugin = PLUGINS[instance.plugin]
        return Webhook(
            url,
            self._retrier(after, WRITER_ATTEMPTS),
            self.tls,
            source=f"the variable {name} (instance {instance.id})",
            render=plugin.render or webhook_message,
            kind=plugin.does,
        )

    def _jira(self, instance: Instance, secrets: Mapping[str, str], after: Deadline) -> Any:
        """A jira instance: its IssueTracker, with the token in the variable its tokenEnv names (masked already)."""
        from gate.jira.client import JiraIssues, Site, authorization  # noqa: PLC0415 -- only on runs that use Jira

        name, token = instance.variables["tokenEnv"], secrets["tokenEnv"]
        if not token:
            return ports.Unusable(name, "is empty or not set")
        options = instance.options
        user = options.get("user")
        credentials = authorization(user, token)
        # The header's value holds the token in base64: a secret of its own, masked before any request.
        secret = credentials.partition(" ")[2]
        sanitize.add_secrets([credentials, secret])
        self.workflow.mask(secret)
        done = options.get("doneTransition", DONE_TRANSITION)
        site = Site(options["url"], options["project"], options["issueType"], done, instance.id, name, user)
        issues = JiraIssues(site, credentials, self._retrier(after, WRITER_ATTEMPTS), self.tls)
        self.closing.callback(issues.close_client)
        return issues

    def _mailer(self, instance: Instance, secrets: Mapping[str, str], after: Deadline) -> Any:
        """An email instance: its Mailer, logging in with the password in the variable its passwordEnv names."""
        from gate.mail.smtp import SmtpMailer  # noqa: PLC0415 -- smtplib and email load only on runs that mail

        options = instance.options
        variable = instance.variables.get("passwordEnv")
        if variable is not None and not secrets["passwordEnv"]:
            return ports.Unusable(variable, "is empty or not set")
        security = options.get("security", "starttls")
        return SmtpMailer(
            host=options["host"],
            port=options.get("port", DEFAULT_PORT[security]),
            security=security,
            sender=options["from"],
            recipients=tuple(options["to"]),
            tls=self.tls,
            deadline=after,
            user=options.get("user"),
            password=secrets.get("passwordEnv", ""),
            variable=variable or "",
        )

    def _collaborators(self, inputs: Inputs, plan: RunPlan, payload: dict[str, Any], applied: Applied) -> Collaborators:
        """Every collaborator of the run, each built once; what writes after the verdict only where it will.

        The one deadline counts from the run's start (`state.started`), whatever the policy file took.
        """
        runner, state = self.runner, self.state
        deadline = Deadline(state.started + plan.chosen.timeout_seconds)
        retrier = self._retrier(deadline)
        token = inputs.github_token.get_secret_value()
        after = Deadline.pending()
        aikido = self.closing.enter_context(
            build_http_client(inputs.aikido_url, inputs.secret_key.get_secret_value(), self.tls)
        )
        github = functools.partial(build_github_client, runner.api_url, token, self.tls)
        lookups = GitHubLookups(github, retrier, runner.repository)
        self.closing.callback(lookups.close)
        number = pull_request_number(payload)
        pull_request, issues = None, None
        # PyGithub loads only on the runs that write to GitHub after the verdict.
        if number is not None and token and wants_pr_comments(plan, payload):
            from gate.github.comments import PyGithubPullRequest  # noqa: PLC0415 -- see above

            pull_request = PyGithubPullRequest(
                runner.api_url, token, runner.repository, number, deadline=after, environ=os.environ
            )
        if applied.rules and token:
            from gate.github.issues import PyGithubIssues  # noqa: PLC0415 -- see above

            issues = PyGithubIssues(runner.api_url, token, runner.repository, deadline=after, environ=os.environ)
        webhook = inputs.communicator_webhook_url.get_secret_value()
        chat = Webhook(webhook, self._retrier(after, WRITER_ATTEMPTS), self.tls) if applied.rules and webhook else None
        by_instance, unusable = self._instances(applied, after)
        return Collaborators(
            scanner=AikidoClient(aikido, retrier, environ=os.environ),
            lookups=lookups,
            uploads=WorkspaceUploads(),
            files=AtomicFiles(),
            workflow=self.workflow,
            state=state,
            deadline=deadline,
            sleep=time.sleep,
            after=after,
            pull_request=pull_request,
            issues=issues,
            chat=chat,
            by_instance=by_instance,
            unusable=unusable,
            policy_files=self._policy_files(inputs, after) if applied.head is not None else None,
        )
