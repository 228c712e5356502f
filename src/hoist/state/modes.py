"""State is private to its owner: a folder hoist creates for it is 0700, its files 0600.

State holds every company's synced values and the run history; the lock names a pid. Other
users of the machine have no business reading either, whatever the umask says.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["private_file", "private_folder"]


def private_folder(folder: Path) -> None:
    """Create `folder` (and its parents) if missing; the folders created here are 0700.

    A folder that already exists keeps its mode: it is the user's, not hoist's.
    """
    missing = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for created in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            created.mkdir(mode=0o700)
        os.chmod(created, 0o700)  # mkdir's mode passes through the umask


def private_file(path: Path) -> None:
    """Make `path` (and its DuckDB write-ahead log, if any) readable by its owner only."""
    for file in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(file, 0o600)
