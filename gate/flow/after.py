"""After the verdict: the SARIF file and the PR comments, each of which may only warn, never change the verdict."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from gate.core.clock import Deadline
from gate.core.comment import CommentMode, CommentPlan, status_marker
from gate.core.errors import ConfigError, GateError
from gate.core.event import PULL_REQUEST_EVENTS, pull_request_number
from gate.core.models import SastIssue
from gate.core.plan import RunPlan
from gate.core.verdict import Verdict
from gate.flow.report import COMMENT_TITLE
from gate.flow.run import Collaborators, sarif_target

SARIF_TITLE = "Aikido SARIF"

# The comments get this long after the verdict, however many findings there are: the verdict is
# already written, and a step must not run a minute past timeout-seconds for its comments.
POST_VERDICT_SECONDS = 30.0


def post_pr_comments(
    verdict: Verdict,
    plan: RunPlan,
    payload: dict[str, Any],
    *,
    sast_issues: Callable[[], list[SastIssue]],
    wiring: Collaborators,
    budget: Deadline | None = None,
) -> None:
    """Post the PR comments the inputs ask for (their code loads only here); failures become warnings.

    `budget`: the fixed time after the verdict (POST_VERDICT_SECONDS), shared with the automations.
    """
    workflow = wiring.workflow
    if plan.comment_mode is CommentMode.OFF and not plan.review_comments:
        return
    number = pull_request_number(payload)
    if plan.job.event_name not in PULL_REQUEST_EVENTS or number is None:
        return  # comments belong to pull requests only
    if not plan.github_token_given:
        workflow.warning("no github-token: cannot post the PR comment", title=COMMENT_TITLE)
        return
    from gate.flow.comment import post_comments  # noqa: PLC0415 -- off the plain path

    pr = wiring.pull_request(number, budget or Deadline.after(POST_VERDICT_SECONDS, wiring.deadline.clock))
    state = wiring.state
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
    wiring: Collaborators,
) -> None:
    """Write `sarif-file`: the scan's introduced SAST issues, or an empty run when there is no final result."""
    if not plan.sarif_file:
        return
    from gate.core import sarif  # noqa: PLC0415 -- off the plain path

    workflow = wiring.workflow
    try:
        target = sarif_target(plan.sarif_file, plan.job.workspace, wiring.files)
    except ConfigError as refused:
        workflow.warning(str(refused), title=SARIF_TITLE)
        return
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
    try:
        wiring.files.write(target, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    except OSError as error:
        workflow.warning(f"could not write {plan.sarif_file} ({error.strerror})", title=SARIF_TITLE)
        return
    results = len(document["runs"][0]["results"])
    workflow.log(f"wrote {results} SAST finding(s) to {plan.sarif_file} (SARIF 2.1.0)")
    workflow.set_outputs({"sarif-file": plan.sarif_file})
