"""The gate's one flow: read the event, start the scan, wait for it, decide."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from gate.errors import ConfigError, GateError
from gate.event import Lookups, Overrides, read_event, resolve_target
from gate.http import Deadline, Sleep
from gate.models import GateOptions, ScanStatus, start_body
from gate.poll import wait_for_scan
from gate.settings import Inputs, Runner
from gate.verdict import Verdict, decide, error, skipped, timed_out
from gate.workflow import Workflow

NO_KEY_HELP = (
    "input secret-key is empty: pass the Aikido CI token, e.g. `secret-key: ${{ secrets.AIKIDO_SECRET_KEY }}`, "
    "and check that the secret exists in this repository or organization"
)


class Scanner(Protocol):
    def start_scan(self, body: dict[str, Any]) -> int: ...
    def scan_status(self, scan_id: int) -> ScanStatus: ...


@dataclass
class RunState:
    """What a cancellation needs to know: the scan started so far, if any."""

    scan_id: int | None = None


def _skip_reason_without_secret(event: str, is_fork: bool, is_dependabot: bool) -> str | None:
    # GitHub gives no secrets to these runs; pull_request_target runs do get them.
    if event == "pull_request" and is_fork:
        return "no secret-key on a pull request from a fork (GitHub gives forks no secrets); skipping the Aikido scan"
    if is_dependabot:
        return (
            "no secret-key on a Dependabot run (GitHub gives Dependabot no Actions secrets); skipping the Aikido scan"
        )
    return None


def run_gate(
    inputs: Inputs,
    runner: Runner,
    payload: dict[str, Any],
    *,
    scanner: Callable[[], Scanner],
    lookups: Callable[[], Lookups],
    deadline: Deadline,
    sleep: Sleep,
    workflow: Workflow,
    state: RunState,
) -> Verdict:
    """Run the gate and return its verdict; a failure after the scan started keeps the scan id."""
    try:
        return _run(
            inputs,
            runner,
            payload,
            scanner=scanner,
            lookups=lookups,
            deadline=deadline,
            sleep=sleep,
            workflow=workflow,
            state=state,
        )
    except GateError as failure:
        return error(str(failure), scan_id=state.scan_id)


def _run(
    inputs: Inputs,
    runner: Runner,
    payload: dict[str, Any],
    *,
    scanner: Callable[[], Scanner],
    lookups: Callable[[], Lookups],
    deadline: Deadline,
    sleep: Sleep,
    workflow: Workflow,
    state: RunState,
) -> Verdict:
    facts = read_event(runner.event_name, payload, sha=runner.sha, ref=runner.ref, actor=runner.actor)
    if facts.deleted:
        return skipped("the push deleted a branch or tag: there is nothing to scan")
    if not inputs.secret_key.get_secret_value():
        reason = _skip_reason_without_secret(facts.event, facts.is_fork, facts.is_dependabot)
        if reason is None:
            raise ConfigError(NO_KEY_HELP)
        return skipped(reason)
    if inputs.fails_on_nothing:
        workflow.warning(
            "all four fail-on-* inputs are false: nothing can fail this gate", title="Aikido gate fails on nothing"
        )

    overrides = Overrides(inputs.repository_id, inputs.base_commit, inputs.head_commit, inputs.branch_name)
    target = resolve_target(facts, overrides, lookups)
    options = GateOptions(
        inputs.minimum_severity,
        inputs.fail_on_dependency_scan,
        inputs.fail_on_sast_scan,
        inputs.fail_on_iac_scan,
        inputs.fail_on_secrets_scan,
    )
    workflow.log(
        f"Starting an Aikido scan of branch {target.branch}: {target.base_commit[:12]}..{target.head_commit[:12]} "
        f"(repository {target.repository_id}, minimum severity {inputs.minimum_severity})"
    )
    client = scanner()
    state.scan_id = client.start_scan(start_body(target, options))
    workflow.log(f"Aikido scan {state.scan_id} started")
    status = wait_for_scan(
        client, state.scan_id, interval=inputs.poll_interval_seconds, deadline=deadline, sleep=sleep, workflow=workflow
    )
    if not status.final:
        return timed_out(
            scan_id=state.scan_id, seconds=inputs.timeout_seconds, fail_on_timeout=inputs.fail_on_timeout, status=status
        )
    return decide(status, scan_id=state.scan_id, report_only=inputs.report_only)
