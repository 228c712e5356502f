"""The project's files as the UI reads and writes them: the same YAML a team keeps in Git.

A definition is saved where it already lives (``hoist.yml`` or its own file). New segments and
activations get their own file, ``segments/NAME.yml`` and ``activations/NAME.yml``; new
destinations and sources go under their section of ``hoist.yml``. Files are edited in place
with round-trip YAML, so comments, key order and keys the UI does not show are kept.

A name typed into a form becomes a file name only once checked (`UnsafeNameError`, answered
with 400): no ``..``, no absolute path, nothing outside the project. A file the UI rewrites
keeps its permissions.

Each edit page carries the fingerprint of the file it will write, taken when the page was
shown. A save finding the file changed on disk since then raises `ChangedOnDiskError`, and the page
asks whether to reload or to overwrite: nothing is overwritten blindly.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from hoist.project import PROJECT_FILE, Definition
from hoist.project.discovery import read_definitions

__all__ = ["ABSENT", "ChangedOnDiskError", "ProjectFiles", "UnsafeNameError", "fingerprint"]

#: The fingerprint of a file that does not exist (yet).
ABSENT = "absent"
_OWN_FILES = ("segments", "activations")
#: A name that can be a file name in a folder of the project (as `forms.valid_name` asks).
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class UnsafeNameError(ValueError):
    """A name that cannot be a file of the project: `..`, a path, or an absolute name."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"{name!r} cannot be the name of a definition: use letters, digits, '_', '.' and "
            "'-' only (no '..', no '/'); a definition is a file inside the project"
        )


class ChangedOnDiskError(Exception):
    """The file changed on disk since the page was shown; saving would lose those changes."""

    def __init__(self, file: Path) -> None:
        self.file = file
        super().__init__(f"{file} changed on disk since this page was opened")


def fingerprint(file: Path) -> str:
    """A digest of the file's bytes (`ABSENT` when there is no file)."""
    try:
        return hashlib.sha256(file.read_bytes()).hexdigest()[:16]
    except FileNotFoundError:
        return ABSENT


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments and order survive a load and a dump
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    return yaml


class ProjectFiles:
    """The definition files of the project in `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def definitions(self) -> dict[str, dict[str, Definition]]:
        """Every definition by kind and name (raises `ProjectError` for unreadable files)."""
        return read_definitions(self.root)

    def raw(self, kind: str, name: str) -> dict[str, Any]:
        """The definition as written (empty when there is none)."""
        found = self.definitions()[kind].get(name)
        return dict(found.data) if found is not None else {}

    def target(self, kind: str, name: str) -> Path:
        """The file a save of definition `name` writes: where it lives, else its default.

        Raises `UnsafeNameError` before touching any file when `name` could leave the project.
        """
        found = self.definitions()[kind].get(name)
        if found is not None:
            return found.file
        if not _SAFE_NAME.fullmatch(name) or ".." in name:
            raise UnsafeNameError(name)
        if kind in _OWN_FILES:
            file = self.root / kind / f"{name}.yml"
            folder = os.path.normpath(self.root / kind)
            if os.path.dirname(os.path.normpath(file)) != folder:  # pragma: no cover - guard
                raise UnsafeNameError(name)
            return file
        return self.root / PROJECT_FILE

    def shown(self, kind: str, name: str, placeholder: str = "NAME") -> Path:
        """The file a page names for a definition being typed: `target`, or the file of
        `placeholder` while the name is not a usable one yet."""
        try:
            return self.target(kind, name or placeholder)
        except UnsafeNameError:
            return self.target(kind, placeholder)

    def save(self, kind: str, name: str, data: Mapping[str, Any], *, expected: str) -> Path:
        """Write the definition; `expected` is the target's fingerprint when the page was shown.

        Raises `ChangedOnDiskError` when the file no longer has that fingerprint.
        """
        file = self.target(kind, name)
        if fingerprint(file) != expected:
            raise ChangedOnDiskError(file)
        yaml = _yaml()
        document = yaml.load(file.read_text(encoding="utf-8")) if file.exists() else None
        if not isinstance(document, CommentedMap):
            document = CommentedMap()
        if file.name == PROJECT_FILE and file.parent == self.root:
            section = document.get(kind)
            if not isinstance(section, CommentedMap):
                section = document[kind] = CommentedMap()
            entry = section.get(name)
            section[name] = _merged(entry if isinstance(entry, CommentedMap) else None, data)
        else:
            document = _merged(document, data)
        _write(file, yaml, document)
        return file


def _merged(target: CommentedMap | None, data: Mapping[str, Any]) -> CommentedMap:
    """`target` updated to hold exactly `data`, keeping the comments of what stays."""
    merged = target if target is not None else CommentedMap()
    for key in [k for k in merged if k not in data]:
        del merged[key]
    for key, value in data.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, CommentedMap):
            merged[key] = _merged(current, value)
        elif current != value:
            merged[key] = value
    return merged


def _write(file: Path, yaml: YAML, document: Any) -> None:
    """Replace `file` atomically: a reader never sees half a file."""
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    file.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(file.stat().st_mode) if file.exists() else 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(buffer.getvalue())
    # mkstemp makes the file 0600: keep the mode the file had (or a new file's usual one).
    os.chmod(temporary, mode)
    os.replace(temporary, file)


def _umask() -> int:
    """The process's umask, read without changing it (os.umask would, for every thread)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:  # pragma: no cover - not Linux
        pass
    return 0o022  # pragma: no cover
