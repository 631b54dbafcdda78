"""The gate's one flow: read the event, start the scan, upload into it, wait for it, decide."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gate import DOCS
from gate.core.clock import Deadline, Sleep
from gate.core.errors import AikidoError, ConfigError
from gate.core.event import EventFacts, read_event
from gate.core.models import ScanTarget, UploadFile, start_body, upload_fields
from gate.core.plan import RunPlan
from gate.core.verdict import ReleaseGate, Verdict, decide, skipped, timed_out, uploaded_only
from gate.flow.poll import wait_for_scan
from gate.flow.ports import (
    Chat,
    Files,
    IssueTracker,
    Lookups,
    PolicyFiles,
    PullRequest,
    Scanner,
    Unusable,
    Uploads,
    Workflow,
)
from gate.flow.state import RunState
from gate.flow.target import resolve_release_target, resolve_repository_id, resolve_target

NO_KEY_HELP = (
    "input secret-key is empty: pass the Aikido CI token, e.g. `secret-key: ${{ secrets.AIKIDO_SECRET_KEY }}`, "
    f"and check that the secret exists in this repository or organization (see {DOCS}#troubleshooting)"
)


@dataclass(frozen=True, eq=False)  # a set of services, compared as itself
class Collaborators:
    """Everything one run works with, each built once by the wiring (gate.boot.wiring); the flow builds nothing."""

    scanner: Scanner
    lookups: Lookups
    uploads: Uploads
    files: Files
    workflow: Workflow
    state: RunState
    # The one deadline of the scan, and the sleep every wait uses.
    deadline: Deadline
    sleep: Sleep
    # What writes after the verdict, within `after`, a budget that starts when the verdict is written
    # (gate.flow.after); None where this run has nothing to write there (no pull request, no token, no rules).
    after: Deadline = field(default_factory=Deadline.pending)
    pull_request: PullRequest | None = None
    issues: IssueTracker | None = None
    chat: Chat | None = None
    # The policy file's instances: the port of each usable one (a Chat, an IssueTracker…), and why each other
    # is not.
    by_instance: Mapping[str, Any] = field(default_factory=dict)
    unusable: Mapping[str, Unusable] = field(default_factory=dict)
    # The pull request's own version of the policy file, read after the verdict.
    policy_files: PolicyFiles | None = None


def _skip_reason_without_secret(facts: EventFacts) -> str | None:
    # GitHub gives no secrets to these runs; pull_request_target runs do get them.
    if facts.event == "pull_request" and facts.is_fork:
        return "no secret-key on a pull request from a fork (GitHub gives forks no secrets); skipping the Aikido scan"
    if facts.is_dependabot:
        return (
            "no secret-key on a Dependabot run (GitHub gives Dependabot no Actions secrets); skipping the Aikido scan"
        )
    return None


def reach_verdict(plan: RunPlan, payload: dict[str, Any], collaborators: Collaborators) -> Verdict:
    """Read the event, start the scan, upload into it, wait for it and decide; raises GateError when it cannot.

    The caller turns a GateError into the ERROR verdict (gate.boot.wiring, the one place that does).
    """
    verdict = _scan_and_decide(plan, payload, collaborators)
    return dataclasses.replace(verdict, uploads=tuple(collaborators.state.uploaded))


def _scan_and_decide(plan: RunPlan, payload: dict[str, Any], collaborators: Collaborators) -> Verdict:
    workflow = collaborators.workflow
    if plan.sarif_file:
        sarif_target(plan.sarif_file, plan.job.workspace, collaborators.files)  # refused before anything starts
    job = plan.job
    facts = read_event(job.event_name, payload, sha=job.sha, ref=job.ref, actor=job.actor)
    if facts.deleted and not plan.upload_only:
        return skipped("the push deleted a branch or tag: there is nothing to scan")
    if not plan.secret_given:
        reason = _skip_reason_without_secret(facts)
        if reason is None:
            raise ConfigError(NO_KEY_HELP)
        return skipped(reason)

    uploads = _collect_uploads(plan, collaborators)
    overrides = plan.overrides
    if plan.upload_only:
        if not uploads:
            inputs = " and ".join(kind.input for kind, _ in plan.uploads)
            raise ConfigError(f"input upload-only is true, but {inputs} name no file")
        repository_id = resolve_repository_id(facts, overrides, collaborators.lookups)
        _upload_all(collaborators.scanner, uploads, collaborators, scan_id=None, repository_id=repository_id)
        return uploaded_only(len(uploads))
    if plan.chosen.fails_on_nothing:
        workflow.warning(
            "all four fail-on-* inputs are false: nothing can fail this gate", title="Aikido gate fails on nothing"
        )

    settings = plan.chosen
    target, release, scope = _target(plan, facts, collaborators)
    collaborators.state.target = target
    workflow.log(
        f"Starting an Aikido {scope} (repository {target.repository_id}, minimum severity {settings.minimum_severity})"
    )
    client = collaborators.scanner
    collaborators.state.start_sent = True
    scan_id = collaborators.state.scan_id = client.start_scan(start_body(target, settings, tuple(uploads)))
    workflow.log(f"Aikido scan {scan_id} started")
    _upload_all(client, uploads, collaborators, scan_id=scan_id, repository_id=None)
    status = wait_for_scan(
        client,
        scan_id,
        interval=plan.poll_interval_seconds,
        deadline=collaborators.deadline,
        sleep=collaborators.sleep,
        workflow=workflow,
    )
    if not status.final:
        verdict = timed_out(
            scan_id=scan_id,
            seconds=settings.timeout_seconds,
            fail_on_timeout=settings.fail_on_timeout,
            status=status,
        )
    else:
        verdict = decide(status, scan_id=scan_id, report_only=settings.report_only)
    return dataclasses.replace(verdict, release=release)


def _target(
    plan: RunPlan, facts: EventFacts, collaborators: Collaborators
) -> tuple[ScanTarget, ReleaseGate | None, str]:
    """What to scan (a release gate's one commit, or a branch's two), and how the log names it."""
    overrides = plan.overrides
    if plan.chosen.release_gating:
        target = resolve_release_target(facts, overrides, collaborators.lookups, base_branch=plan.base_branch)
        release = ReleaseGate(target.head_commit, plan.chosen.minimum_severity, plan.base_branch)
        base = f" (base branch {plan.base_branch})" if plan.base_branch else ""
        return target, release, f"release gate of commit {target.head_commit[:12]}{base}"
    target = resolve_target(facts, overrides, collaborators.lookups)
    commits = f"{(target.base_commit or '')[:12]}..{target.head_commit[:12]}"
    return target, None, f"scan of branch {target.branch}: {commits}"


def _collect_uploads(plan: RunPlan, collaborators: Collaborators) -> list[UploadFile]:
    """Validate every file to upload before anything starts."""
    if not any(text.strip() for _, text in plan.uploads):
        return []
    workflow, clock = collaborators.workflow, collaborators.deadline.clock
    started = clock()
    files, warnings = collaborators.uploads.collect(plan.uploads, plan.job.workspace)
    size = sum(upload.size for upload in files) / 1e6
    workflow.log(f"checked {len(files)} file(s) to upload, {size:.1f} MB, in {clock() - started:.1f} s")
    for warning in warnings:
        workflow.warning(warning, title="Aikido upload")
    return files


def _upload_all(
    client: Scanner,
    uploads: list[UploadFile],
    collaborators: Collaborators,
    *,
    scan_id: int | None,
    repository_id: str | None,
) -> None:
    if not uploads:
        return
    workflow, clock = collaborators.workflow, collaborators.deadline.clock
    for upload in uploads:

        def progress(sent: int, total: int, seconds: float, shown: str = upload.shown) -> None:
            rate = sent / seconds / 1e6 if seconds else 0.0
            workflow.log(f"uploading {shown}: {sent / 1e6:.1f} of {total / 1e6:.1f} MB ({rate:.1f} MB/s)")

        fields = upload_fields(upload, scan_id=scan_id, repository_id=repository_id)
        body = collaborators.uploads.body(upload, fields, progress)
        started = clock()
        collaborators.state.uploading = upload.shown
        try:
            client.upload(body, body.length, upload.shown)
        except AikidoError as failure:
            if scan_id is None:
                raise
            raise AikidoError(
                f"{failure}; scan {scan_id} waits for this upload and cannot complete without it"
            ) from None
        finally:
            collaborators.state.uploading = None
        image = f" for image {upload.image_name}" if upload.image_name else ""
        workflow.log(
            f"uploaded {upload.shown} ({upload.size / 1e6:.1f} MB) as {upload.kind.value}{image} "
            f"in {clock() - started:.1f} s"
        )
        collaborators.state.uploaded.append(upload)


def sarif_target(sarif_file: str, workspace: Path, files: Files) -> Path:
    """Where `sarif-file` is written: inside the workspace, through no symlink that leads out of it."""
    target = files.inside(workspace, sarif_file)
    if target is None:
        raise ConfigError(f"input sarif-file: {sarif_file} leads outside the workspace or names a directory")
    return target
