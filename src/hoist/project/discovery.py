"""Finding a project and reading its files into raw definitions, each with where it came from.

A project is a folder holding ``hoist.yml``; definitions may also live one per file in
``activations/NAME.yml`` and ``segments/NAME.yml``. Nothing is validated here beyond the shape
every file must have; a name defined twice is a problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from hoist.config import PROJECT_FILE, read_yaml_file, yaml_problem
from hoist.project._problems import Problem, ProjectError
from hoist.suggest import did_you_mean

__all__ = ["KINDS", "PROJECT_FILE", "SETTINGS", "Definition", "find_project", "read_definitions"]

#: The top-level keys of hoist.yml, each a mapping from a name to a definition.
KINDS: Final = ("destinations", "sources", "segments", "activations")
#: The top-level keys of hoist.yml that hold one setting of the project, not named definitions;
#: `read_definitions` returns them under the kind ``settings``.
SETTINGS: Final = ("owner",)
#: The kinds that may also be written one per file, in a folder of the same name.
_FOLDERS: Final = ("activations", "segments")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Definition:
    """One definition as written: its kind, its name, its YAML data and its file."""

    kind: str
    name: str
    data: Any
    file: Path

    @property
    def key(self) -> str:
        """Where it is reported: ``activations.NAME`` (a setting: its own key, ``owner``)."""
        return self.name if self.kind == "settings" else f"{self.kind}.{self.name}"


def find_project(start: str | Path | None = None) -> Path | None:
    """The folder of the nearest ``hoist.yml`` at `start` (default: the cwd) or above it."""
    here = Path.cwd() if start is None else Path(start).expanduser().absolute()
    for folder in (here, *here.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def read_definitions(root: Path) -> dict[str, dict[str, Definition]]:
    """Every definition of the project in `root`, by kind and name.

    Raises `ProjectError` listing every file that cannot be read, every entry that is not a
    mapping, every bad name and every name defined twice.
    """
    problems: list[Problem] = []
    found: dict[str, dict[str, Definition]] = {kind: {} for kind in (*KINDS, "settings")}
    for definition in [*_from_project_file(root, problems), *_from_folders(root, problems)]:
        if definition.kind == "settings":
            found["settings"][definition.name] = definition
        else:
            _add(found, definition, problems)
    if problems:
        raise ProjectError(problems)
    return found


def _from_project_file(root: Path, problems: list[Problem]) -> list[Definition]:
    file = root / PROJECT_FILE
    data = _read_yaml(file, problems)
    if data is None:
        return []
    if not isinstance(data, Mapping):
        problems.append(Problem(file, "", f"must be a mapping with the keys {', '.join(KINDS)}"))
        return []
    definitions = []
    for kind, section in data.items():
        if kind in SETTINGS:
            definitions.append(Definition("settings", str(kind), section, file))
        elif kind not in KINDS:
            problems.append(Problem(file, str(kind), _unknown_section(str(kind))))
        elif section is not None and not isinstance(section, Mapping):
            message = f"must map names to {kind}, e.g. {kind}: {{NAME: ...}}"
            problems.append(Problem(file, kind, message))
        else:
            definitions += [Definition(kind, str(n), d, file) for n, d in (section or {}).items()]
    return definitions


def _from_folders(root: Path, problems: list[Problem]) -> list[Definition]:
    definitions = []
    for kind in _FOLDERS:
        folder = root / kind
        files = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]) if folder.is_dir() else []
        for file in files:
            data = _read_yaml(file, problems)
            if data is not None or file.stat().st_size == 0:
                definitions.append(Definition(kind, file.stem, data, file))
    return definitions


def _read_yaml(file: Path, problems: list[Problem]) -> Any:
    try:
        return read_yaml_file(file)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(file, "", f"cannot read the file: {exc}"))
    except yaml.YAMLError as exc:
        problems.append(Problem(file, "", f"not valid YAML: {yaml_problem(exc)}"))
    return None


def _add(
    found: dict[str, dict[str, Definition]], definition: Definition, problems: list[Problem]
) -> None:
    # Keys read the same wherever a definition lives: segments.NAME.where... also in its own file.
    key = definition.key
    if not _NAME.fullmatch(definition.name):
        problems.append(Problem(definition.file, key, _bad_name(definition)))
    elif not isinstance(definition.data, Mapping):
        message = f"must be a mapping of keys, the definition of one of {definition.kind}"
        problems.append(Problem(definition.file, key, message))
    elif definition.name in found[definition.kind]:
        first = found[definition.kind][definition.name].file
        message = f"{definition.key} is also defined in {first}; keep one of them"
        problems.append(Problem(definition.file, key, message))
    else:
        found[definition.kind][definition.name] = definition


def _bad_name(definition: Definition) -> str:
    return (
        f"{definition.name!r} is not a valid name; start with a letter or digit and use only "
        "letters, digits, '_', '.' and '-' (e.g. paying-eu)"
    )


def _unknown_section(kind: str) -> str:
    keys = (*KINDS, *SETTINGS)
    return f"unknown key;{did_you_mean(kind, keys)} hoist.yml holds {', '.join(keys)}"
