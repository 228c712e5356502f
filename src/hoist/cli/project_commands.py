"""The project side of the command line: which activations a command means, and the commands
`validate`, `init`, `segment preview`, `schema` and `dbt exposures`.

`hoist run NAME` finds the project from the current folder upwards (or `--project DIR`, also
read from ``HOIST_PROJECT``); a path to a single activation file keeps working as before.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import click

from hoist.errors import ConfigError, HoistError

if TYPE_CHECKING:  # imported when a command needs them: `hoist emulator` stays light
    from hoist.config import ActivationConfig
    from hoist.project import Project

__all__ = [
    "dbt_group",
    "init_command",
    "project_option",
    "resolve_targets",
    "schema_command",
    "segment_group",
    "validate_command",
]

F = TypeVar("F", bound=Callable[..., Any])
#: What a command runs: an activation of a project, or a single activation file.
Target: TypeAlias = "ActivationConfig | Path"


def project_option(command: F) -> F:
    """Add ``--project DIR`` (the folder holding hoist.yml) to a command."""
    option = click.option(
        "--project",
        "project",
        type=click.Path(file_okay=True, path_type=Path),
        envvar="HOIST_PROJECT",
        default=None,
        help="The project folder (default: found from the current folder upwards).",
    )
    return option(command)


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


T = TypeVar("T")


def guarded(action: Callable[[], T], as_json: bool) -> T:
    """Run `action`; a hoist error is printed (and given as JSON) and exits with status 2."""
    try:
        return action()
    except HoistError as exc:
        if as_json:
            payload = {"status": "failed", "error": type(exc).__name__, "message": str(exc)}
            click.echo(json.dumps(payload))
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")


@click.command("validate")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@project_option
@click.option("--offline", is_flag=True, help="Check the files only; do not open warehouses.")
@_JSON
def validate_command(file: Path | None, project: Path | None, offline: bool, as_json: bool) -> None:
    """Check every definition of the project (or one activation FILE); list every problem.

    Exit status 2 when there is any problem, each shown with its file, key and fix. Warnings
    (a dbt model's SQL file newer than dbt's manifest) are shown without changing the status.
    """
    from hoist.project.dbt_references import dbt_warnings
    from hoist.project.validation import validate_project

    problems: list[Any]
    warnings: list[Any] = []
    if file is not None:
        problems, warnings = guarded(lambda: _file_problems(file, warehouse=not offline), as_json)
        checked = "1 activation file"
    else:
        loaded = _loaded_or_problems(project)
        if isinstance(loaded, list):
            problems, checked = loaded, "the project files"
        else:
            problems = validate_project(loaded, warehouse=not offline)
            warnings = dbt_warnings(loaded)
            checked = _summary(loaded)
    _print_problems(problems, checked, as_json, warnings)
    sys.exit(2 if problems else 0)


def _file_problems(file: Path, *, warehouse: bool) -> tuple[list[Any], list[Any]]:
    """The problems of one activation file, and its warnings (`warehouse`: read the model)."""
    from hoist.config import load_activation
    from hoist.project.dbt_references import (
        activation_references,
        reference_problems,
        reference_warnings,
    )
    from hoist.project.validation import activation_problems

    try:
        config = load_activation(file)
    except ConfigError as exc:
        return [str(exc)], []
    references = list(activation_references(config))
    problems = reference_problems(references)
    if warehouse and not problems:
        problems += list(activation_problems(config))
    return problems, reference_warnings(references)


def _loaded_or_problems(project: Path | None) -> Project | list[Any]:
    from hoist.project import ProjectError

    try:
        return current_project(project)
    except ProjectError as exc:
        return list(exc.problems)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def _summary(project: Project) -> str:
    counts = [f"{len(getattr(project, kind))} {kind}" for kind in ("destinations", "sources")]
    counts += [f"{len(project.segments)} segments", f"{len(project.activations)} activations"]
    return f"{project.root}: " + ", ".join(counts)


def _print_problems(
    problems: list[Any], checked: str, as_json: bool, warnings: Sequence[Any] = ()
) -> None:
    if as_json:
        listed = [p.to_json() if hasattr(p, "to_json") else {"message": str(p)} for p in problems]
        warned = [w.to_json() for w in warnings]
        click.echo(json.dumps({"ok": not problems, "problems": listed, "warnings": warned}))
        return
    for warning in warnings:
        click.echo(f"warning: {warning}")
    for problem in problems:
        click.echo(str(problem))
    if not problems:
        click.echo(f"ok: {checked}")


@click.command("init")
@click.argument("folder", required=False, default=".", type=click.Path(path_type=Path))
@project_option
@click.option(
    "--rows",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Companies in the example warehouse.",
)
def init_command(folder: Path, project: Path | None, rows: int) -> None:
    """Create the example project in FOLDER (default: here): a warehouse, a segment, two
    activations, and a destination pointing at the local emulator."""
    from hoist.project.example import init_project

    written = guarded(lambda: init_project(project or folder, rows=rows), False)
    root = written[0].parent
    for path in written:
        click.echo(f"created {path.relative_to(root)}")
    click.echo(
        "\nnext:\n"
        "  hoist emulator &                                   # a local Intercom\n"
        f"  cd {root}\n"
        "  hoist validate\n"
        "  hoist segment preview paying-customers\n"
        "  INTERCOM_ACCESS_TOKEN=demo-token hoist run --all"
    )


@click.group("segment")
def segment_group() -> None:
    """Look at the project's segments."""


@segment_group.command("preview")
@click.argument("name")
@project_option
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=0))
@_JSON
def preview_command(name: str, project: Path | None, limit: int, as_json: bool) -> None:
    """Show how many rows segment NAME holds, and the first --limit of them."""
    from hoist.segments import preview
    from hoist.sources import open_source

    def look() -> Any:
        segment = current_project(project).segment(name)
        with open_source(segment.source) as source:
            return preview(segment, source, limit=limit)

    shown = guarded(look, as_json)
    if as_json:
        rows = shown.rows.to_pylist()
        click.echo(json.dumps({"segment": name, "count": shown.count, "rows": rows}, default=str))
        return
    click.echo(f"segment {name}: {shown.count:,} rows\n{shown.sql}\n")
    click.echo(_table(shown.rows.column_names, shown.rows.to_pylist()))


def _table(columns: list[str], rows: list[dict[str, Any]]) -> str:
    """Rows as a plain text table, each cell cut to 30 characters."""
    cells = [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    text = "null" if value is None else str(value)
    return text if len(text) <= 30 else text[:29] + "…"


@click.command("schema")
@click.argument(
    "kind",
    required=False,
    default="project",
    type=click.Choice(["project", "activation", "segment"]),
)
@project_option
def schema_command(kind: str, project: Path | None) -> None:
    """Print the JSON Schema of hoist.yml (or of activations/NAME.yml, segments/NAME.yml)."""
    from hoist.project.json_schemas import schema_text

    click.echo(schema_text(kind), nl=False)


@click.group("dbt")
def dbt_group() -> None:
    """hoist and dbt: the project's activations in dbt's lineage."""


@dbt_group.command("exposures")
@project_option
def exposures_command(project: Path | None) -> None:
    """Print dbt exposures (YAML) for every activation that reads a dbt model.

    Save the output in the dbt project (e.g. models/hoist_exposures.yml): dbt's lineage and docs
    then show each activation, with the project's owner, downstream of its models.
    """
    from hoist.dbt import exposures_yaml
    from hoist.project import AnyVariable, load_project

    def render() -> str:
        # Exposures need no secrets: the destinations' tokens may be unset here.
        return exposures_yaml(load_project(project_dir(project), environ=AnyVariable()))

    click.echo(guarded(render, False), nl=False)
