"""The commands that send and check: `run`, `plan`, `runs` and `verify`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hoist.cli.exits import exit_code_for, fail, guarded, print_report
from hoist.cli.options import json_option, project_option
from hoist.cli.targets import resolve_targets
from hoist.errors import HoistError
from hoist.report import RunReport, render_report

if TYPE_CHECKING:
    from hoist.cli.targets import Target

__all__ = ["plan_command", "run_command", "runs_command", "verify_command"]

_NAME = click.argument("name", required=False)
_ALL = click.option("--all", "every", is_flag=True, help="Every activation of the project.")
_RECHECK = click.option(
    "--recheck-missing",
    is_flag=True,
    help="Update-only runs: look up again companies not found before, even with unchanged rows.",
)


_FULL_RESYNC = click.option(
    "--full-resync",
    is_flag=True,
    help="Send every mapped attribute of every company, ignoring what state says was delivered.",
)


@click.command("run")
@_NAME
@project_option
@_ALL
@json_option
@_FULL_RESYNC
@_RECHECK
@click.option(
    "--reset-state",
    is_flag=True,
    help="Move the state aside (it is kept, not deleted) and start over, e.g. for a new workspace.",
)
@click.option(
    "--yes", is_flag=True, help="Do not ask before --reset-state (needed off a terminal)."
)
def run_command(
    name: str | None,
    project: Path | None,
    every: bool,
    as_json: bool,
    full_resync: bool,
    reset_state: bool,
    yes: bool,
    recheck_missing: bool,
) -> None:
    """Run activation NAME of the project (or an activation file): send Intercom what changed."""
    from hoist.progress import progress_for
    from hoist.run_api import run

    targets = guarded(lambda: resolve_targets(name, project, every), as_json)
    if reset_state:
        for target in targets:
            _reset_state(target, yes=yes, as_json=as_json)
    _run_each(
        targets,
        lambda t: run(
            t,
            progress=progress_for(),
            full_resync=full_resync,
            recheck_missing=recheck_missing,
        ),
        as_json,
        every,
    )


def _reset_state(target: Target, *, yes: bool, as_json: bool) -> None:
    """Ask (on a terminal) or require --yes, then move the activation's state aside."""
    from hoist.run_api import reset_state

    if not yes:
        if not sys.stdin.isatty():
            fail(
                "--reset-state moves the state aside and re-sends every company; "
                "confirm with --yes when not on a terminal",
                as_json,
            )
        label = target if isinstance(target, Path) else target.name
        click.confirm(f"Move the state of {label} aside and send every company again?", abort=True)
    moved = guarded(lambda: reset_state(target), as_json)
    where = f"the old state was moved to {moved}" if moved else "there was no state yet"
    click.echo(f"reset-state: {where}; starting over", err=True)


@click.command("plan")
@_NAME
@project_option
@_ALL
@json_option
@_FULL_RESYNC
@_RECHECK
def plan_command(
    name: str | None,
    project: Path | None,
    every: bool,
    as_json: bool,
    full_resync: bool,
    recheck_missing: bool,
) -> None:
    """Show what a run of NAME would change and cost, without writing to Intercom or state."""
    from hoist.run_api import plan

    targets = guarded(lambda: resolve_targets(name, project, every, command="plan"), as_json)
    _run_each(
        targets,
        lambda t: plan(t, full_resync=full_resync, recheck_missing=recheck_missing),
        as_json,
        every,
    )


def _run_each(
    targets: list[Target], action: Callable[[Target], RunReport], as_json: bool, every: bool
) -> None:
    """One activation: its report and exit status. --all: each in turn, the worst status."""
    if not every:
        report = guarded(lambda: action(targets[0]), as_json)
        print_report(report, as_json)
        sys.exit(exit_code_for(report))
    outcomes: list[RunReport | HoistError] = []
    for target in targets:
        try:
            outcomes.append(action(target))
        except HoistError as exc:  # one activation failing does not stop the others
            outcomes.append(exc)
        if not as_json:
            _print_outcome(outcomes[-1])
    if as_json:
        click.echo(json.dumps({"runs": [_outcome_json(o) for o in outcomes]}))
    sys.exit(max((exit_code_for(o) for o in outcomes), default=0))


def _print_outcome(outcome: RunReport | HoistError) -> None:
    if isinstance(outcome, RunReport):
        click.echo(render_report(outcome) + "\n")
    else:
        click.echo(f"error: {outcome}\n", err=True)


def _outcome_json(outcome: RunReport | HoistError) -> dict[str, object]:
    if isinstance(outcome, RunReport):
        return outcome.to_json()
    return {"status": "failed", "error": type(outcome).__name__, "message": str(outcome)}


@click.command("runs")
@_NAME
@project_option
@click.option("--json", "as_json", is_flag=True, help="Print the runs as one JSON array.")
@click.option("--limit", default=20, show_default=True, help="How many runs to show.")
def runs_command(name: str | None, project: Path | None, as_json: bool, limit: int) -> None:
    """Show the run history of activation NAME (or an activation file), newest first."""
    from hoist.report import render_history
    from hoist.run_api import runs

    targets = guarded(
        lambda: resolve_targets(name, project, False, secrets=False, command="show the runs of"),
        as_json,
    )
    history = guarded(lambda: runs(targets[0], limit=limit), as_json)
    if as_json:
        click.echo(json.dumps(history, default=str))
    else:
        click.echo(render_history(history))


@click.command("verify")
@_NAME
@project_option
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    default=None,
    help="Look up N random companies instead of scrolling through all of them.",
)
@click.option(
    "--repair",
    is_flag=True,
    help="Send the drifted attributes again and re-create missing companies (insert mode).",
)
@json_option
def verify_command(
    name: str | None, project: Path | None, sample: int | None, repair: bool, as_json: bool
) -> None:
    """Check that Intercom holds what state says activation NAME (or a file) delivered."""
    from hoist.verify import render_verify, verify

    target = guarded(lambda: resolve_targets(name, project, False, command="verify"), as_json)[0]
    report = guarded(lambda: verify(target, sample=sample, repair=repair), as_json)
    click.echo(json.dumps(report.to_json()) if as_json else render_verify(report))
    sys.exit(exit_code_for(report))
