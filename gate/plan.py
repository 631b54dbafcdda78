"""One run's choices, read once from the inputs: the flow decides from this plan and never reads an input.

Pure and frozen. The secrets stay with the inputs: the plan only knows whether they were given.
"""

from __future__ import annotations

from dataclasses import dataclass

from gate.comment_plan import CommentMode
from gate.event import Overrides
from gate.models import GateOptions
from gate.settings import Inputs


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

    @classmethod
    def from_inputs(cls, inputs: Inputs) -> RunPlan:
        return cls(
            options=GateOptions(
                inputs.minimum_severity,
                inputs.fail_on_dependency_scan,
                inputs.fail_on_sast_scan,
                inputs.fail_on_iac_scan,
                inputs.fail_on_secrets_scan,
            ),
            overrides=Overrides(inputs.repository_id, inputs.base_commit, inputs.head_commit, inputs.branch_name),
            secret_given=bool(inputs.secret_key.get_secret_value()),
            github_token_given=bool(inputs.github_token.get_secret_value()),
            sbom_files=inputs.sbom_files,
            checkov_sarif_files=inputs.checkov_sarif_files,
            upload_only=inputs.upload_only,
            release_gating=inputs.release_gating,
            base_branch=inputs.base_branch,
            poll_interval_seconds=inputs.poll_interval_seconds,
            timeout_seconds=inputs.timeout_seconds,
            fail_on_timeout=inputs.fail_on_timeout,
            report_only=inputs.report_only,
            sarif_file=inputs.sarif_file,
            comment_mode=inputs.post_scan_status_comment,
            review_comments=inputs.post_sast_review_comments,
            comment_key=inputs.comment_key,
        )

    @property
    def fails_on_nothing(self) -> bool:
        return self.options.fails_on_nothing

    @property
    def sast_blocks(self) -> bool:
        """SAST findings fail the step: so the SARIF results are errors, not warnings."""
        return self.options.fail_on_sast_scan and not self.report_only
