"""One run's choices, read once from the inputs and the runner: the flow decides from this plan and reads neither.

Pure and frozen; `gate.boot.settings.run_plan` makes it. The secrets stay with the inputs: the
plan only knows whether they were given.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gate.core.comment import CommentMode
from gate.core.event import Overrides
from gate.core.models import GateOptions
from gate.core.precedence import Effective, Settings

if TYPE_CHECKING:
    from gate.core.policy import Location


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
    # The run's page: {server_url}/{repository}/actions/runs/{run_id}.
    server_url: str = "https://github.com"
    run_id: str = ""


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
    # The policy settings the workflow gave, the policy file and the profile it names (gate.core.policy).
    given: Settings = field(default_factory=Settings)
    policy_file: Location | None = None
    policy_profile: str | None = None
    # owner/name, for the policy file of this repository.
    repository: str = ""
    # A chat webhook was given (communicator-webhook-url), for the automations' send_to_communicator.
    communicator_given: bool = False
    # Where each policy setting came from: input, profile or default.
    sources: tuple[tuple[str, str], ...] = ()
    # Inputs given that only a policy file would use, when policy-file is empty (gate.core.precedence.idle_input).
    idle_inputs: tuple[str, ...] = ()

    @property
    def fails_on_nothing(self) -> bool:
        return self.options.fails_on_nothing

    @property
    def sast_blocks(self) -> bool:
        """SAST findings fail the step: so the SARIF results are errors, not warnings."""
        return self.options.fail_on_sast_scan and not self.report_only


def with_settings(plan: RunPlan, chosen: Effective) -> RunPlan:
    """The plan following the effective policy settings (input > profile > default)."""
    settings = chosen.settings
    return dataclasses.replace(
        plan,
        options=GateOptions(
            settings.minimum_severity or "CRITICAL",
            bool(settings.fail_on_dependency_scan),
            bool(settings.fail_on_sast_scan),
            bool(settings.fail_on_iac_scan),
            bool(settings.fail_on_secrets_scan),
        ),
        release_gating=bool(settings.release_gating),
        timeout_seconds=settings.timeout_seconds or 0,
        fail_on_timeout=bool(settings.fail_on_timeout),
        report_only=bool(settings.report_only),
        sources=tuple(chosen.sources.items()),
    )
