"""The exclusive lock a writer holds on an activation's state for the whole run."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO

from hoist.errors import StateLockedError
from hoist.state.modes import private_folder

__all__ = ["acquire_lock", "release_lock"]


def acquire_lock(path: Path) -> IO[str]:
    """Lock `<path>.lock` (creating private folders as needed) and write our pid into it.

    A second writer fails at once, naming the holder's pid: two runs of one activation would
    send the same changes twice and race on state.
    """
    private_folder(path.parent)
    lock = path.with_name(path.name + ".lock")
    # Created 0600 (the umask can only take rights away); an older lock file is made so too.
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(descriptor, 0o600)
    handle = os.fdopen(descriptor, "a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise StateLockedError(
            f"another run of this activation is in progress (pid {holder}); "
            f"wait for it to finish (lock: {path.name}.lock)"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def release_lock(lock: IO[str] | None) -> None:
    """Release a lock taken by `acquire_lock` (None: nothing to release)."""
    if lock is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        lock.close()
