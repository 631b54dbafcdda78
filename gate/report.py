"""Leave the verdict behind: annotations, step outputs and the job summary."""

from __future__ import annotations

from gate.errors import GateError
from gate.summary import counts_line, outputs, render
from gate.verdict import EXIT_ERROR, Outcome, Verdict
from gate.workflow import Workflow

TITLE = "Aikido security gate"
COMMENT_TITLE = "Aikido PR comment"


def report(verdict: Verdict, workflow: Workflow) -> int:
    """Annotate, write outputs and the summary; return the exit code (1 if those cannot be written)."""
    status = verdict.status
    details = ". ".join(part for part in (counts_line(status), status.diff_url) if part) if status else ""
    message = verdict.reason + (f". {details}" if details else "")
    if verdict.outcome is Outcome.FAILED:
        annotate = workflow.warning if verdict.report_only else workflow.error
        for link in status.issue_links if status else ():
            annotate(f"Open issue: {link}", title="Aikido issue")
        annotate(message, title=TITLE)
    elif verdict.outcome in (Outcome.SUCCEEDED, Outcome.SKIPPED):
        workflow.notice(message, title=TITLE)
    elif verdict.passed_step:
        workflow.warning(message, title=TITLE)
    else:
        workflow.error(message, title=TITLE)
    try:
        workflow.set_outputs(outputs(verdict))
        workflow.add_summary(render(verdict))
    except (GateError, OSError) as failure:
        workflow.error(f"could not write the step outputs or summary: {failure}", title=TITLE)
        return EXIT_ERROR
    return verdict.exit_code
