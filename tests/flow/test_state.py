"""gate.flow.state: what a cancellation reads of the run so far."""

from __future__ import annotations

from gate.flow.state import RunState


def test_a_fresh_run_has_done_nothing() -> None:
    state = RunState()
    assert (state.start_sent, state.scan_id, state.uploading, state.reported, state.exit_code) == (
        False,
        None,
        None,
        None,
        None,
    )


def test_runs_never_share_their_uploads() -> None:
    first, second = RunState(), RunState()
    first.uploaded.append(object())  # type: ignore[arg-type]  # any object: only the list is looked at
    assert second.uploaded == []
