"""`move_state_aside`: the old state is renamed beside itself, never deleted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hoist.errors import StateLockedError
from hoist.state import StateStore
from hoist.state.reset import move_state_aside

NOW = datetime(2026, 11, 28, 18, 30, 5, tzinfo=UTC)


def test_moves_the_file_aside_keeping_its_content(tmp_path: Path) -> None:
    """The state file is renamed with the time in its name; its bytes are unchanged."""
    path = tmp_path / ".hoist" / "acme.duckdb"
    with StateStore.open(path):
        pass
    content = path.read_bytes()
    moved = move_state_aside(path, now=NOW)
    assert moved == tmp_path / ".hoist" / "acme.replaced-20261128T183005Z.duckdb"
    assert not path.exists()
    assert moved.read_bytes() == content


def test_no_state_is_nothing_to_move(tmp_path: Path) -> None:
    """Without a state file there is nothing to move (None)."""
    assert move_state_aside(tmp_path / "none.duckdb") is None


def test_a_running_activation_keeps_its_state(tmp_path: Path) -> None:
    """While a run holds the lock, the state is not moved: StateLockedError."""
    path = tmp_path / "acme.duckdb"
    with StateStore.open(path):
        with pytest.raises(StateLockedError):
            move_state_aside(path, now=NOW)
        assert path.exists()
