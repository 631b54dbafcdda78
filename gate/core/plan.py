"""One run's choices, read once from the inputs and the runner: the flow decides from this plan and reads neither.

Pure and frozen; `gate.boot.settings.run_plan` makes it. The secrets stay with the inputs: the
plan only knows whether they were given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gate.core.comment_plan import CommentMode
from gate.core.event import Overrides
from gate.core.models import GateOptions


@dataclass(frozen=True)
class Job:
    """Where this run happens, as the runner says: the event, the commit, the workflow's job and its workspace."""

    event_name: str = ""
    sha: str = ""
    ref: str = ""
    actor: str = ""
    workflow: str = ""
    job: str = ""
    # The runner mounts the repository's workspace here (the container's working directory).
    workspace: Path = Path()


@dataclass(frozen=True)
class RunPlan:
    """What to scan, how to decide, what to upload and write, and which comments to post."""

    options: GateOptions
    overrides: Overrides
    secret_given: bool
    github_token_given: bool
    sbom_files: str
    checkov_sarif_files: str
    upload_only: bool
    release_gating: bool
    base_branch: str | None
    poll_interval_seconds: int
    timeout_seconds: int
    fail_on_timeout: bool
    report_only: bool
    sarif_file: str
    comment_mode: CommentMode
    review_comments: bool
    comment_key: str
    job: Job = Job()

    @property
    def fails_on_nothing(self) -> bool:
        return self.options.fails_on_nothing

    @property
    def sast_blocks(self) -> bool:
        """SAST findings fail the step: so the SARIF results are errors, not warnings."""
        return self.options.fail_on_sast_scan and not self.report_only
