"""Leave the verdict behind: annotations, step outputs and the job summary."""

from __future__ import annotations

from gate.core.errors import GateError
from gate.core.summary import counts_line, fit_summary, head_policy_error, head_policy_lines, outputs, render
from gate.core.verdict import EXIT_ERROR, Outcome, Problems, Verdict
from gate.flow.ports import Workflow

TITLE = "Aikido security gate"
COMMENT_TITLE = "Aikido PR comment"
POLICY_TITLE = "Aikido policy"
SARIF_TITLE = "Aikido SARIF"
AUTOMATION_TITLE = "Aikido automation"


# GitHub shows at most 10 error annotations per step; the links beyond these are in the summary.
MAX_LINK_ANNOTATIONS = 5


def report(verdict: Verdict, workflow: Workflow) -> int:
    """Annotate, write outputs and the summary; return the verdict's exit code.

    A summary that cannot be written (full disk, a directory in its place) is a warning: the
    step still ends as the verdict says. Outputs that cannot be written fail the step (1).
    """
    status = verdict.status
    details = ". ".join(part for part in (counts_line(status), status.diff_url) if part) if status else ""
    message = verdict.reason + (f". {details}" if details else "")
    if verdict.outcome is Outcome.FAILED:
        annotate = workflow.warning if verdict.report_only else workflow.error
        links = status.issue_links if status else ()
        for link in links[:MAX_LINK_ANNOTATIONS]:
            annotate(f"Open issue: {link}", title="Aikido issue")
        if len(links) > MAX_LINK_ANNOTATIONS:
            annotate(f"… and {len(links) - MAX_LINK_ANNOTATIONS} more open issues: see the job summary")
        annotate(message, title=TITLE)
    elif verdict.outcome in (Outcome.SUCCEEDED, Outcome.SKIPPED):
        workflow.notice(message, title=TITLE)
    elif verdict.passed_step:
        workflow.warning(message, title=TITLE)
    else:
        workflow.error(message, title=TITLE)
    try:
        workflow.set_outputs(outputs(verdict))
    except (GateError, OSError) as failure:
        # Later steps read the verdict from the outputs: without them the step must not pass.
        workflow.error(f"could not write the step outputs: {failure}", title=TITLE)
        return EXIT_ERROR
    try:
        workflow.add_summary(summary_markdown(verdict))
    except OSError as failure:
        workflow.warning(f"could not write the job summary: {failure}", title=TITLE)
    return verdict.exit_code


def summary_markdown(verdict: Verdict) -> str:
    """The job summary's Markdown of a verdict, as `report` writes it."""
    return fit_summary(render(verdict))


def head_policy_markdown(found: Problems) -> str:
    """The summary's section of a pull request's broken policy file, as `report_head_policy` writes it."""
    return fit_summary("\n".join(head_policy_lines(found, "###")))


def report_head_policy(found: Problems, workflow: Workflow) -> None:
    """A pull request's own policy file that would break the gate: an error per problem, and a summary section.

    Written after the verdict, which stands: no output changes, only the step's exit code (the caller's).
    """
    for item in found.items:
        workflow.error(head_policy_error(found, item), title=POLICY_TITLE)
    try:
        workflow.add_summary(head_policy_markdown(found))
    except OSError as failure:
        workflow.warning(f"could not write the job summary: {failure}", title=POLICY_TITLE)
