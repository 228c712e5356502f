"""State is private to its owner: the `.hoist` folder hoist makes is 0700; state, lock and
moved-aside files are 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from hoist.state import StateStore
from hoist.state.reset import move_state_aside


def mode(path: Path) -> int:
    """The permission bits of `path`."""
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """A umask that lets everyone read new files (a common default is 022)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_state_and_its_lock_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    """A first run makes .hoist 0700 and the state and lock files 0600."""
    path = tmp_path / ".hoist" / "companies.duckdb"
    with StateStore.open(path):
        assert mode(path.with_name("companies.duckdb.lock")) == 0o600
    assert mode(tmp_path / ".hoist") == 0o700
    assert mode(path) == 0o600


def test_a_folder_the_user_made_keeps_its_mode(tmp_path: Path) -> None:
    """State in a folder that already exists leaves that folder as it is; the files are 0600."""
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    path = folder / "companies.duckdb"
    with StateStore.open(path):
        pass
    assert mode(folder) == 0o755
    assert mode(path) == 0o600


def test_state_moved_aside_stays_private(tmp_path: Path) -> None:
    """`--reset-state` moves the old state to a file that is 0600 too."""
    path = tmp_path / ".hoist" / "companies.duckdb"
    with StateStore.open(path):
        pass
    os.chmod(path, 0o644)  # as an older hoist left it
    moved = move_state_aside(path)
    assert moved is not None
    assert mode(moved) == 0o600
