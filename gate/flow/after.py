"""After the verdict, in one fixed budget: the pull request's policy file, the SARIF file, the PR comments, the rules.

The one after-verdict flow. The verdict is already written (outputs, summary, annotation); each
step here may only warn, never change it. Only a pull request's broken policy file fails the step
(its exit code, not its outputs): it must not merge green.
"""

from __future__ import annotations

import dataclasses
import json
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from gate.core import sarif
from gate.core.comment import CommentMode, CommentPlan, status_marker
from gate.core.errors import ConfigError, GateError
from gate.core.event import PULL_REQUEST_EVENTS, pull_request_number
from gate.core.models import SastIssue
from gate.core.plan import RunPlan
from gate.core.summary import RunReport
from gate.core.verdict import EXIT_ERROR, Problems, Verdict
from gate.flow.comment import post_comments
from gate.flow.policy import Applied, check_head
from gate.flow.ports import Workflow
from gate.flow.report import (
    AUTOMATION_TITLE,
    COMMENT_TITLE,
    POLICY_TITLE,
    SARIF_TITLE,
    head_policy_markdown,
    report_head_policy,
    summary_markdown,
)
from gate.flow.run import Collaborators, sarif_target

# The steps after the verdict get this long together, however many findings there are: the verdict
# is already written, and a step must not run a minute past timeout-seconds for its comments.
POST_VERDICT_SECONDS = 30.0


def debug_traceback(workflow: Workflow, failure: BaseException) -> None:
    workflow.debug("".join(traceback.format_exception(failure)))


def guarded(workflow: Workflow, what: str, title: str, step: Callable[[], None]) -> None:
    """Run a step after the verdict: whatever it meets is a warning, never a change of the verdict."""
    try:
        step()
    except Exception as failure:  # noqa: BLE001 -- the last line of defence after the verdict
        debug_traceback(workflow, failure)
        workflow.warning(f"could not {what} (internal error {type(failure).__name__})", title=title)


def after_the_verdict(
    verdict: Verdict,
    code: int,
    plan: RunPlan,
    payload: dict[str, Any],
    *,
    applied: Applied,
    collaborators: Collaborators,
) -> int:
    """Everything after the written verdict, each step guarded; returns the step's exit code."""
    collaborators.after.restart(POST_VERDICT_SECONDS)
    workflow = collaborators.workflow
    verdict, code = _check_head(verdict, code, applied, collaborators)
    # Fetched once, for the SARIF file and the review comments alike.
    sast_issues = once(lambda: collaborators.scanner.introduced_sast_issues(verdict.scan_id or 0))
    sarif_written: list[str] = []
    guarded(
        workflow,
        "write the SARIF file",
        SARIF_TITLE,
        lambda: sarif_written.extend(export_sarif(verdict, plan, sast_issues=sast_issues, collaborators=collaborators)),
    )
    guarded(
        workflow,
        "post the PR comment",
        COMMENT_TITLE,
        lambda: post_pr_comments(verdict, plan, payload, sast_issues=sast_issues, collaborators=collaborators),
    )
    if applied.rules:
        guarded(
            workflow,
            "run the automations",
            AUTOMATION_TITLE,
            lambda: run_rules(
                verdict,
                plan,
                payload,
                applied=applied,
                collaborators=collaborators,
                report=run_report(verdict, plan, sarif_written),
            ),
        )
    return code


def run_report(verdict: Verdict, plan: RunPlan, sarif_written: list[str]) -> RunReport:
    """What this run wrote as its report, as plain values: the job summary's Markdown as `report` and
    `report_head_policy` wrote it, and the SARIF file's text when `export_sarif` wrote one."""
    summary = summary_markdown(verdict)
    if verdict.head_policy is not None:
        summary += head_policy_markdown(verdict.head_policy)
    if not sarif_written:
        return RunReport(summary)
    return RunReport(summary, plan.sarif_file, sarif_written[0])


def run_rules(
    verdict: Verdict,
    plan: RunPlan,
    payload: dict[str, Any],
    *,
    applied: Applied,
    collaborators: Collaborators,
    report: RunReport,
) -> None:
    """The policy file's automation rules, writing to the tracker, the default chat and the file's instances."""
    # The rules' handlers and the policy model load only on the runs whose policy file has rules.
    from gate.flow.automations import Writers, automate  # noqa: PLC0415 -- see above

    instances = {instance.id: instance for instance in applied.instances}
    writers = Writers(
        collaborators.issues, collaborators.chat, instances, collaborators.by_instance, collaborators.unusable
    )
    automate(verdict, plan, payload, applied.rules, writers=writers, workflow=collaborators.workflow, report=report)


def _check_head(verdict: Verdict, code: int, applied: Applied, collaborators: Collaborators) -> tuple[Verdict, int]:
    """The pull request's own policy file: the verdict with its problems, and the exit code (the verdict's if it
    fails the step, else 1 when there are problems)."""
    version, files = applied.head, collaborators.policy_files
    if version is None or files is None:
        return verdict, code
    workflow, state = collaborators.workflow, collaborators.state
    found: list[str] = []
    guarded(
        workflow,
        "check this pull request's version of the policy file",
        POLICY_TITLE,
        lambda: found.extend(check_head(version, files, workflow)),
    )
    if not found:
        return verdict, code
    problems = Problems(version.location.shown, tuple(found), version.head)
    verdict = dataclasses.replace(verdict, head_policy=problems)
    # Before anything is written: a cancellation from here on ends the step failed too.
    code = state.exit_code = code or EXIT_ERROR
    state.reported = verdict
    report_head_policy(problems, workflow)
    return verdict, code


def wants_pr_comments(plan: RunPlan, payload: dict[str, Any]) -> bool:
    """The inputs ask for PR comments and this run is a pull request's (comments belong to pull requests only)."""
    if plan.comment_mode is CommentMode.OFF and not plan.review_comments:
        return False
    return plan.job.event_name in PULL_REQUEST_EVENTS and pull_request_number(payload) is not None


def post_pr_comments(
    verdict: Verdict,
    plan: RunPlan,
    payload: dict[str, Any],
    *,
    sast_issues: Callable[[], list[SastIssue]],
    collaborators: Collaborators,
) -> None:
    """Post the PR comments the inputs ask for; failures become warnings."""
    workflow = collaborators.workflow
    if not wants_pr_comments(plan, payload):
        return
    if not plan.github_token_given:
        workflow.warning("no github-token: cannot post the PR comment", title=COMMENT_TITLE)
        return
    pr = collaborators.pull_request
    if pr is None:
        return
    state = collaborators.state
    comments = CommentPlan(
        mode=plan.comment_mode,
        sast=plan.review_comments,
        marker=status_marker(plan.job.workflow, plan.job.job, plan.comment_key),
        job=plan.job.job,
        head_commit=state.target.head_commit if state.target else None,
    )
    post_comments(verdict, comments, pr, sast_issues, workflow)


T = TypeVar("T")


def once(compute: Callable[[], T]) -> Callable[[], T]:
    """`compute` run at most once: later calls get its result, or raise its exception, again."""
    done: list[T] = []
    failed: list[BaseException] = []

    def get() -> T:
        if not done and not failed:
            try:
                done.append(compute())
            except GateError as failure:
                failed.append(failure)
        if failed:
            raise failed[0]
        return done[0]

    return get


def export_sarif(
    verdict: Verdict,
    plan: RunPlan,
    *,
    sast_issues: Callable[[], list[SastIssue]],
    collaborators: Collaborators,
) -> list[str]:
    """Write `sarif-file`: the scan's introduced SAST issues, or an empty run when there is no final result.

    Returns the text written (one item), or nothing when no file was written.
    """
    if not plan.sarif_file:
        return []
    workflow = collaborators.workflow
    try:
        target = sarif_target(plan.sarif_file, plan.job.workspace, collaborators.files)
    except ConfigError as refused:
        workflow.warning(str(refused), title=SARIF_TITLE)
        return []
    status = verdict.status
    issues: list[SastIssue] = []
    if verdict.scan_id is not None and status is not None and status.final:
        try:
            issues = sast_issues()
        except GateError as failure:
            workflow.warning(
                f"could not read the scan's SAST issues ({failure}); {plan.sarif_file} lists none", title=SARIF_TITLE
            )
    automation = sarif.automation_id(plan.job.workflow, plan.job.job, plan.comment_key)
    document, dropped = sarif.render(
        issues, blocking=plan.sast_blocks, scan_url=status.diff_url if status else None, automation_id=automation
    )
    for file in dropped:
        workflow.warning(
            f"a SAST finding's file {file} leads outside the repository; left out of {plan.sarif_file}",
            title=SARIF_TITLE,
        )
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        collaborators.files.write(target, text)
    except OSError as error:
        workflow.warning(f"could not write {plan.sarif_file} ({error.strerror})", title=SARIF_TITLE)
        return []
    results = len(document["runs"][0]["results"])
    workflow.log(f"wrote {results} SAST finding(s) to {plan.sarif_file} (SARIF 2.1.0)")
    workflow.set_outputs({"sarif-file": plan.sarif_file})
    return [text]
