"""The project commands: `validate`, `init`, `segment preview`, `schema` and `dbt exposures`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from hoist.cli.options import json_option, project_option
from hoist.cli.targets import current_project, project_dir
from hoist.errors import ConfigError, HoistError

if TYPE_CHECKING:
    from hoist.project import Project

__all__ = [
    "dbt_group",
    "init_command",
    "schema_command",
    "segment_group",
    "validate_command",
]


T = TypeVar("T")


def _guarded(action: Callable[[], T], as_json: bool) -> T:
    """Run `action`; a hoist error is printed (and given as JSON) and exits with status 2."""
    try:
        return action()
    except HoistError as exc:
        if as_json:
            payload = {"status": "failed", "error": type(exc).__name__, "message": str(exc)}
            click.echo(json.dumps(payload))
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


@click.command("validate")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@project_option
@click.option("--offline", is_flag=True, help="Check the files only; do not open warehouses.")
@json_option
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
        problems, warnings = _guarded(lambda: _file_problems(file, warehouse=not offline), as_json)
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

    written = _guarded(lambda: init_project(project or folder, rows=rows), False)
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
@json_option
def preview_command(name: str, project: Path | None, limit: int, as_json: bool) -> None:
    """Show how many rows segment NAME holds, and the first --limit of them."""
    from hoist.segments import preview
    from hoist.sources import open_source

    def look() -> Any:
        segment = current_project(project).segment(name)
        with open_source(segment.source) as source:
            return preview(segment, source, limit=limit)

    shown = _guarded(look, as_json)
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

    click.echo(_guarded(render, False), nl=False)
