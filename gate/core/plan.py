"""One run's choices, read once from the inputs and the runner: the flow decides from this plan and reads neither.

Pure and frozen; `gate.boot.settings.run_plan` makes it. The secrets stay with the inputs: the
plan only knows whether they were given.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from gate.core.comment import CommentMode
from gate.core.event import Overrides
from gate.core.models import UploadKind
from gate.core.precedence import Effective, Given, Settings, effective

_REMOTE = re.compile(r"(?P<owner>[^/@\s]+)/(?P<repo>[^/@\s]+)/(?P<path>[^@]+)@(?P<ref>[^@\s]+)")
_NAMES = {"OWNER": re.compile(r"[A-Za-z0-9-]+"), "REPO": re.compile(r"[A-Za-z0-9._-]+")}
_EXAMPLE = "e.g. my-org/policy/gate.yml@v1"


@dataclass(frozen=True)
class Location:
    """Where the policy file is, as the policy-file input names it: `path` in this repository (`repository` None,
    read at a trusted commit) or in another repository at `ref`."""

    path: str
    repository: str | None = None
    ref: str | None = None

    @property
    def shown(self) -> str:
        return f"{self.repository}/{self.path}@{self.ref}" if self.repository else self.path


def parse_location(text: str) -> Location:
    """The policy-file input: a path in this repository, or OWNER/REPO/PATH@REF; ValueError saying what is wrong."""
    text = text.strip()
    if re.search(r"[\x00-\x1f\x7f\\]", text) or len(text) > 512:
        raise ValueError("must be one line: a path such as .github/aikido-gate.yml, or OWNER/REPO/PATH@REF")
    remote = _REMOTE.fullmatch(text) if "@" in text else None
    if "@" in text and remote is None:
        raise ValueError(f"must be OWNER/REPO/PATH@REF for a file in another repository, {_EXAMPLE}")
    path = remote["path"] if remote else text
    parts = path.split("/")
    if path.startswith("/") or ".." in parts or "" in parts:
        raise ValueError("must be a path relative to the repository root, without .. or empty parts")
    if remote is None:
        return Location(path)
    for part, name in (("OWNER", remote["owner"]), ("REPO", remote["repo"])):
        # "." and ".." pass the REPO pattern, but in the contents API's URL they climb out of the repository.
        if name in (".", "..") or not _NAMES[part].fullmatch(name):
            raise ValueError(
                f"has {json.dumps(name)} as {part}: must be OWNER/REPO/PATH@REF naming a repository, {_EXAMPLE}"
            )
    return Location(path, f"{remote['owner']}/{remote['repo']}", remote["ref"])


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

    overrides: Overrides
    secret_given: bool
    github_token_given: bool
    # Each upload kind and its input's text (the files or patterns it names, as given).
    uploads: tuple[tuple[UploadKind, str], ...]
    upload_only: bool
    base_branch: str | None
    poll_interval_seconds: int
    sarif_file: str
    comment_mode: CommentMode
    review_comments: bool
    comment_key: str
    job: Job = Job()
    # The policy settings the run follows and where each came from (input, profile or default); the ones the
    # workflow gave; where the policy file is, and the profile it names (gate.core.policy).
    settings: Effective = field(default_factory=lambda: effective({}, None))
    given: Given = field(default_factory=dict)
    policy_file: Location | None = None
    policy_profile: str | None = None
    # owner/name, for the policy file of this repository.
    repository: str = ""
    # A chat webhook was given (communicator-webhook-url), for the automations' send_to_communicator.
    communicator_given: bool = False
    # Inputs given that only a policy file would use, when policy-file is empty (gate.core.precedence.idle_input).
    idle_inputs: tuple[str, ...] = ()

    @property
    def chosen(self) -> Settings:
        """The policy settings this run follows."""
        return self.settings.settings

    @property
    def sast_blocks(self) -> bool:
        """SAST findings fail the step: so the SARIF results are errors, not warnings."""
        return self.chosen.fail_on_sast_scan and not self.chosen.report_only
