"""Which activations a command means.

`hoist run NAME` finds the project from the current folder upwards (or `--project DIR`, also
read from ``HOIST_PROJECT``); a path to a single activation file keeps working as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import click

from hoist.errors import ConfigError

if TYPE_CHECKING:  # imported when a command needs them: `hoist emulator` stays light
    from hoist.config import ActivationConfig
    from hoist.project import Project

__all__ = ["Target", "current_project", "project_dir", "resolve_targets"]

#: What a command runs: an activation of a project, or a single activation file.
Target: TypeAlias = "ActivationConfig | Path"


def project_dir(project: Path | None) -> Path | None:
    """`--project` of the command, else of the `hoist` group (``hoist --project DIR run``)."""
    if project is not None:
        return project
    root = click.get_current_context().find_root()
    given: Path | None = root.params.get("project")
    return given


def current_project(project: Path | None) -> Project:
    """The project named by `--project`, else the one found from the current folder upwards."""
    from hoist.project import load_project

    return load_project(project_dir(project))


def resolve_targets(
    name: str | None,
    project: Path | None,
    every: bool,
    *,
    secrets: bool = True,
    command: str = "run",
) -> list[Target]:
    """The activations a `run`/`plan`/`runs`/`verify` invocation means (`every`: ``--all``).

    Without `secrets` (reading history needs none), unset variables do not stop loading.
    `command` names the command in messages; only run and plan take ``--all``.
    """
    from hoist.project import AnyVariable, load_project

    if every and name is not None:
        raise ConfigError(f"give an activation name or --all, not both (got {name!r})")
    folder = project_dir(project)
    if folder is None and name is not None and _is_file_name(name):
        return [_file_target(Path(name))]
    loaded = load_project(folder, environ=None if secrets else AnyVariable.for_project(folder))
    if every:
        return _every_activation(loaded)
    if name is None:
        names = ", ".join(loaded.activations) or "(none yet)"
        alternative = ", or --all" if command in ("run", "plan") else ""
        raise ConfigError(f"name the activation to {command}{alternative}; the project's: {names}")
    return [loaded.activation(name)]


def _every_activation(project: Project) -> list[Target]:
    """Every activation of `project`; if any has problems, all of them, before anything runs."""
    from hoist.project import Problem, ProjectError

    targets: list[Target] = []
    problems: list[Problem] = []
    for name in project.activations:
        try:
            targets.append(project.activations[name])
        except ProjectError as exc:
            problems += exc.problems
    if problems:
        raise ProjectError(problems)
    return targets


def _is_file_name(name: str) -> bool:
    path = Path(name)
    return path.is_file() or path.suffix in (".yml", ".yaml") or len(path.parts) > 1


def _file_target(path: Path) -> Target:
    """A file inside a project's activations/ folder is that project's activation."""
    from hoist.project import PROJECT_FILE, load_project

    file = path.expanduser().absolute()
    root = file.parent.parent
    if file.parent.name == "activations" and (root / PROJECT_FILE).is_file():
        return load_project(root).activation(file.stem)
    return file
