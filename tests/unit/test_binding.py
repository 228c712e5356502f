"""State bound to one workspace: `check_workspace` lets the same workspace through only."""

from __future__ import annotations

from pathlib import Path

import pytest

from hoist.errors import StateError, WorkspaceMismatchError
from hoist.intercom import WorkspaceIdentity
from hoist.pipeline.binding import check_workspace

STATE = Path(".hoist/acme.duckdb")
OLD = WorkspaceIdentity("oldapp", "US", "Old")
NEW = WorkspaceIdentity("newapp", "US", "New")


def test_unbound_state_accepts_any_workspace() -> None:
    """A state that never confirmed a write is bound to nothing yet."""
    check_workspace(None, NEW, state_path=STATE)


def test_same_workspace_passes_even_if_renamed() -> None:
    """App id and region identify a workspace; a new display name is the same workspace."""
    check_workspace(OLD, WorkspaceIdentity("oldapp", "US", "Renamed"), state_path=STATE)


@pytest.mark.parametrize("current", [NEW, WorkspaceIdentity("oldapp", "EU", "Old")])
def test_another_workspace_names_both_and_the_fix(current: WorkspaceIdentity) -> None:
    """Another app id or region is a state error naming both workspaces, the file and the fix."""
    with pytest.raises(WorkspaceMismatchError) as caught:
        check_workspace(OLD, current, state_path=STATE)
    message = str(caught.value)
    assert isinstance(caught.value, StateError)
    assert str(OLD) in message
    assert str(current) in message
    assert str(STATE) in message
    assert "--reset-state" in message
