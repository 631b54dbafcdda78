"""The event payload's file, read: the runner writes the webhook payload to GITHUB_EVENT_PATH for every job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gate.core.errors import EventError
from gate.core.event import PAYLOAD_LIMIT, parse_payload


def load_payload(path: Path | None) -> dict[str, Any]:
    """The payload at `path` (GITHUB_EVENT_PATH), as a JSON object; reads one byte past GitHub's limit at most."""
    if path is None:
        raise EventError("GITHUB_EVENT_PATH is not set: run this action in a GitHub Actions job")
    try:
        with path.open("rb") as handle:
            raw = handle.read(PAYLOAD_LIMIT + 1)
    except OSError as error:
        raise EventError(
            f"cannot read the event payload at GITHUB_EVENT_PATH {json.dumps(str(path))} ({error.strerror}): "
            "the runner writes it for every job; set GITHUB_EVENT_PATH to a webhook payload's file when testing"
        ) from None
    return parse_payload(raw)
