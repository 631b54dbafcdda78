"""The container's entry point: load settings, build the clients, run the gate, exit with its code."""

from __future__ import annotations

import gc

# Start-up allocates tens of thousands of objects that live as long as the run: collecting
# them while importing only costs time (~10 ms). main() freezes them and turns it back on.
gc.disable()

from gate import prefetch  # noqa: E402

# Run as the action, validation of the files to upload starts before the imports below (0.2 s
# of one core), on the other cores; gate.prefetch says why that is safe.
PREFETCH = prefetch.start() if __name__ == "__main__" else None

import functools  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Callable  # noqa: E402

from gate import ISSUES, cancel, sanitize  # noqa: E402
from gate.clock import Deadline  # noqa: E402
from gate.errors import GateError  # noqa: E402
from gate.event import Lookups, load_payload  # noqa: E402
from gate.http import Retrier  # noqa: E402
from gate.report import COMMENT_TITLE, TITLE, report  # noqa: E402
from gate.run import SARIF_TITLE, Scanner, export_sarif, once, post_pr_comments, run_gate  # noqa: E402
from gate.settings import Inputs, Runner, load_inputs, load_runner, raw_secrets  # noqa: E402
from gate.state import RunState  # noqa: E402
from gate.verdict import Verdict, error  # noqa: E402
from gate.workflow import Workflow  # noqa: E402


def _debug_traceback(workflow: Workflow, failure: BaseException) -> None:
    workflow.debug("".join(traceback.format_exception(failure)))


def _guarded(workflow: Workflow, what: str, title: str, step: Callable[[], None]) -> None:
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


def _gate(inputs: Inputs, runner: Runner, workflow: Workflow, state: RunState) -> tuple[Verdict, Callable[[], None]]:
    """The verdict, and what comes after it is reported: the SARIF file, then the PR comments."""
    deadline = Deadline.after(inputs.timeout_seconds)
    retrier = _retrier(deadline, workflow)
    secret = inputs.secret_key.get_secret_value()
    token = inputs.github_token.get_secret_value()

    @functools.cache
    def scanner() -> Scanner:
        from gate.aikido import AikidoClient, build_http_client  # noqa: PLC0415 -- not needed on a skip

        return AikidoClient(build_http_client(inputs.aikido_url, secret), retrier)

    def lookups() -> Lookups:
        from gate.github_lookups import GitHubLookups, build_github_client  # noqa: PLC0415 -- rarely needed

        http = build_github_client(runner.api_url, token)
        return GitHubLookups(http, retrier, runner.repository)

    try:
        payload = load_payload(runner.event_path)
    except GateError as failure:
        # Still an "after": a sarif-file asked for gets its empty run, so a later upload step does not fail.
        payload, verdict = {}, error(str(failure))
    else:
        verdict = run_gate(
            inputs,
            runner,
            payload,
            scanner=scanner,
            lookups=lookups,
            deadline=deadline,
            sleep=time.sleep,
            workflow=workflow,
            state=state,
            inspect=PREFETCH.inspect if PREFETCH else None,
        )
    # Fetched once, for the SARIF file and the review comments alike.
    sast_issues = once(lambda: scanner().introduced_sast_issues(verdict.scan_id or 0))

    def after() -> None:
        sarif = functools.partial(export_sarif, verdict, inputs, runner, sast_issues=sast_issues, workflow=workflow)
        _guarded(workflow, "write the SARIF file", SARIF_TITLE, sarif)
        comments = functools.partial(
            post_pr_comments,
            verdict,
            inputs,
            runner,
            payload,
            sast_issues=sast_issues,
            deadline=deadline,
            workflow=workflow,
            state=state,
        )
        _guarded(workflow, "post the PR comment", COMMENT_TITLE, comments)

    return verdict, after


def main() -> int:
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
    state = RunState()
    cancel.install(state)
    try:
        runner = load_runner()
    except GateError as failure:
        workflow.error(str(failure), title=TITLE)
        return 1
    # Built again now that the runner's files are known: the first could only print.
    workflow = state.workflow = Workflow(
        sys.stdout,
        output_path=runner.output,
        summary_path=runner.step_summary,
        debug=runner.runner_debug,
    )
    after: Callable[[], None] | None = None
    try:
        verdict, after = _gate(load_inputs(), runner, workflow, state)
    except GateError as failure:
        verdict = error(str(failure), scan_id=state.scan_id)
    except Exception as failure:  # noqa: BLE001 -- the last line of defence: one line, never a traceback
        _debug_traceback(workflow, failure)
        verdict = error(
            f"internal error ({type(failure).__name__}); please report it at {ISSUES} with the step's log from a run "
            "with debug logging on (re-run with 'Enable debug logging', or set the secret RUNNER_DEBUG to 1); the "
            "key is masked in it",
            scan_id=state.scan_id,
        )
    # The verdict is written (outputs, summary, annotation) before any comment is tried, so a
    # cancellation or a hung GitHub during the comments loses nothing.
    code = state.exit_code = report(verdict, workflow)
    state.reported = verdict
    if after is not None:
        after()
    return code


def _exit(code: int) -> None:
    """End now: everything is written and closed, and the interpreter's teardown would cost 50-80 ms."""
    if PREFETCH:
        PREFETCH.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit(main())
