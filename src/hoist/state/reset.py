"""`hoist run --reset-state`: move an activation's state aside (never delete it) to start over.

Used when state belongs to another workspace than the one the activation now syncs (see
`hoist.pipeline.binding`). The old file keeps its history and can be moved back by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hoist.state.lock import acquire_lock, release_lock
from hoist.state.modes import private_file

__all__ = ["move_state_aside"]


def move_state_aside(path: Path, *, now: datetime | None = None) -> Path | None:
    """Rename the state file (and its write-ahead log) to `<stem>.replaced-<UTC time><suffix>`.

    Returns the new path, or None when there was no state yet. Takes the activation's lock
    first, so a run in progress is never pulled from under it (`StateLockedError`).
    """
    if not path.exists():
        return None
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.replaced-{stamp}{path.suffix}")
    lock = acquire_lock(path)
    try:
        path.rename(target)
        wal = path.with_name(path.name + ".wal")
        if wal.exists():
            wal.rename(target.with_name(target.name + ".wal"))
        private_file(target)  # the old state holds the same data as the live one
    finally:
        release_lock(lock)
    return target
