"""The `hoist` command line: run | plan | runs | verify | serve | validate | init |
segment preview | schema | emulator.

Exit codes are decided in one place (`_exit_code_for`): 0 success, 1 finished with rejected or
failed companies (verify: drift or missing companies left), 2 the run could not proceed
(config, source, state, auth, another workspace).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import click

from hoist.cli.project_commands import (
    dbt_group,
    init_command,
    project_option,
    resolve_targets,
    schema_command,
    segment_group,
    validate_command,
)
from hoist.errors import HoistError
from hoist.report import RunReport, render_report

if TYPE_CHECKING:
    from hoist.cli.project_commands import Target
    from hoist.config import ActivationConfig
    from hoist.observe.jsonlog import LogFormat
    from hoist.observe.opsserver import OpsListen
    from hoist.verify import VerifyReport

__all__ = ["main"]


@click.group()
@click.version_option(package_name="hoist")
@project_option
def main(project: Path | None) -> None:
    """hoist keeps Intercom Companies in step with company records in your warehouse."""


main.add_command(validate_command)
main.add_command(init_command)
main.add_command(segment_group)
main.add_command(schema_command)
main.add_command(dbt_group)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to listen on.")
@click.option("--token", default=None, help="The only access token accepted (default: any).")
@click.option("--rate-limit", default=None, type=int, help="Calls allowed per 10-second window.")
@click.option("--latency-ms", default=0.0, type=float, help="Added latency per request.")
@click.option("--fail-rate", default=0.0, type=float, help="Probability of a 5xx before a write.")
@click.option("--seed", default=None, type=int, help="Seed for injected failures.")
@click.option("--app-id", default=None, help="Workspace id for GET /me (default: random).")
@click.option("--region", default="US", show_default=True, help="Region for GET /me.")
@project_option
def emulator(
    project: Path | None,
    host: str,
    port: int,
    token: str | None,
    rate_limit: int | None,
    latency_ms: float,
    fail_rate: float,
    seed: int | None,
    app_id: str | None,
    region: str,
) -> None:
    """Serve a local Intercom REST API (companies, data attributes) for tests and demos."""
    from hoist.emulator import serve

    serve(
        host=host,
        port=port,
        token=token,
        rate_limit=rate_limit,
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        seed=seed,
        app_id=app_id,
        region=region,
    )


_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
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


@main.command("run")
@_NAME
@project_option
@_ALL
@_JSON
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
    from hoist.engine import run
    from hoist.progress import progress_for

    targets = _guarded(lambda: resolve_targets(name, project, every), as_json)
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
    from hoist.engine import reset_state

    if not yes:
        if not sys.stdin.isatty():
            _fail(
                "--reset-state moves the state aside and re-sends every company; "
                "confirm with --yes when not on a terminal",
                as_json,
            )
        label = target if isinstance(target, Path) else target.name
        click.confirm(f"Move the state of {label} aside and send every company again?", abort=True)
    moved = _guarded(lambda: reset_state(target), as_json)
    where = f"the old state was moved to {moved}" if moved else "there was no state yet"
    click.echo(f"reset-state: {where}; starting over", err=True)


@main.command("plan")
@_NAME
@project_option
@_ALL
@_JSON
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
    from hoist.engine import plan

    targets = _guarded(lambda: resolve_targets(name, project, every, command="plan"), as_json)
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
        report = _guarded(lambda: action(targets[0]), as_json)
        _print_report(report, as_json)
        sys.exit(_exit_code_for(report))
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
    sys.exit(max((_exit_code_for(o) for o in outcomes), default=0))


def _print_outcome(outcome: RunReport | HoistError) -> None:
    if isinstance(outcome, RunReport):
        click.echo(render_report(outcome) + "\n")
    else:
        click.echo(f"error: {outcome}\n", err=True)


def _outcome_json(outcome: RunReport | HoistError) -> dict[str, object]:
    if isinstance(outcome, RunReport):
        return outcome.to_json()
    return {"status": "failed", "error": type(outcome).__name__, "message": str(outcome)}


@main.command("runs")
@_NAME
@project_option
@click.option("--json", "as_json", is_flag=True, help="Print the runs as one JSON array.")
@click.option("--limit", default=20, show_default=True, help="How many runs to show.")
def runs_command(name: str | None, project: Path | None, as_json: bool, limit: int) -> None:
    """Show the run history of activation NAME (or an activation file), newest first."""
    from hoist.engine import runs
    from hoist.report import render_history

    targets = _guarded(
        lambda: resolve_targets(name, project, False, secrets=False, command="show the runs of"),
        as_json,
    )
    history = _guarded(lambda: runs(targets[0], limit=limit), as_json)
    if as_json:
        click.echo(json.dumps(history, default=str))
    else:
        click.echo(render_history(history))


@main.command("verify")
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
@_JSON
def verify_command(
    name: str | None, project: Path | None, sample: int | None, repair: bool, as_json: bool
) -> None:
    """Check that Intercom holds what state says activation NAME (or a file) delivered."""
    from hoist.verify import render_verify, verify

    target = _guarded(lambda: resolve_targets(name, project, False, command="verify"), as_json)[0]
    report = _guarded(lambda: verify(target, sample=sample, repair=repair), as_json)
    click.echo(json.dumps(report.to_json()) if as_json else render_verify(report))
    sys.exit(_exit_code_for(report))


@main.command("serve")
@click.argument("names", nargs=-1)
@project_option
@click.option("--once", is_flag=True, help="Run every activation due now, then exit (for cron).")
@click.option("--no-ui", is_flag=True, help="Run the schedules only, without the web UI.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The UI's interface.")
@click.option("--port", default=8600, show_default=True, type=int, help="The UI's port.")
@click.option(
    "--password",
    envvar="HOIST_UI_PASSWORD",
    default=None,
    help="The UI's password (HTTP basic auth); required to listen beyond 127.0.0.1. "
    "Prefer HOIST_UI_PASSWORD: a command line is visible to other users.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="A further host name the UI answers to, e.g. the name of a TLS proxy in front of it "
    "(repeatable). Requests for any other Host get 421.",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one JSON object per line (time, level, activation, run_id, event, counts), "
    "for a log pipeline.",
)
@click.option(
    "--metrics-port",
    type=int,
    default=None,
    metavar="PORT",
    help="With --no-ui: serve /metrics, /healthz and /readyz on --host at PORT (with the UI "
    "they are on the UI's port).",
)
def serve_command(
    names: tuple[str, ...],
    project: Path | None,
    once: bool,
    no_ui: bool,
    host: str,
    port: int,
    password: str | None,
    allowed_hosts: tuple[str, ...],
    log_format: LogFormat,
    metrics_port: int | None,
) -> None:
    """Serve the web UI on 127.0.0.1:8600 and run the schedules of activations NAMES (names or
    activation files; default: every activation of the project) until stopped (SIGTERM or
    Ctrl-C). With --no-ui, the schedules only."""
    from hoist.observe.jsonlog import configure_logging
    from hoist.schedule.serve import serve

    configure_logging(log_format)
    listen = _ops_listen(metrics_port, no_ui, host, password, allowed_hosts)
    if not (once or no_ui):
        _warn_visible_password()
        _serve_with_ui(
            names, project, host=host, port=port, password=password, allowed_hosts=allowed_hosts
        )
        return
    configs = _guarded(lambda: _serve_targets(names, project), as_json=False)
    follow = None if names or once else _guarded(lambda: _project_root(project), as_json=False)
    reports = _guarded(
        lambda: serve(configs, once=once, follow=follow, listen=listen), as_json=False
    )
    if once:
        click.echo(f"ran {len(reports)} due activation(s): {', '.join(reports) or 'none'}")
        for name, report in reports.items():
            click.echo(f"  {name}: {report.status if report else 'skipped (state in use)'}")
        # Like `hoist run`: the worst outcome decides (a failed run is 2), so cron tells.
        codes = [2 if r.status == "failed" else _exit_code_for(r) for r in reports.values() if r]
        sys.exit(max(codes, default=0))


def _project_root(project: Path | None) -> Path:
    """The folder of the project `hoist serve` schedules, whose files it follows."""
    from hoist.cli.project_commands import current_project

    return current_project(project).root


def _ops_listen(
    port: int | None, no_ui: bool, host: str, password: str | None, allowed: tuple[str, ...]
) -> OpsListen | None:
    """Where --no-ui serves /metrics, /healthz and /readyz: --metrics-port on --host, if given."""
    from hoist.observe.opsserver import OpsListen
    from hoist.ui.security import check_bind

    if port is None:
        return None
    if not no_ui:
        raise click.UsageError(
            "--metrics-port is for --no-ui; with the UI, /metrics, /healthz and /readyz are on "
            "the UI's --port"
        )
    _guarded(lambda: check_bind(host, password), as_json=False)
    return OpsListen(port, host, password, allowed)


def _warn_visible_password() -> None:
    """--password on the command line is visible to every user of the machine (ps)."""
    source = click.get_current_context().get_parameter_source("password")
    if source == click.core.ParameterSource.COMMANDLINE:
        click.echo(
            "hoist: warning: --password is visible to other users of this machine (ps, shell "
            "history); set it in the environment variable HOIST_UI_PASSWORD instead",
            err=True,
        )


def _serve_with_ui(
    names: tuple[str, ...],
    project: Path | None,
    *,
    host: str,
    port: int,
    password: str | None,
    allowed_hosts: tuple[str, ...] = (),
) -> None:
    """The UI over the project, and the schedules of the activations that load."""
    from hoist.cli.project_commands import current_project
    from hoist.ui import serve_ui
    from hoist.ui.security import check_bind

    _guarded(lambda: check_bind(host, password), as_json=False)
    root = _guarded(lambda: current_project(project).root, as_json=False)
    configs = _guarded(lambda: _ui_targets(names, project), as_json=False)
    serve_ui(
        root,
        configs,
        host=host,
        port=port,
        password=password,
        allowed_hosts=allowed_hosts,
        follow_files=not names,  # named activations: those alone, as loaded now
    )


def _ui_targets(names: tuple[str, ...], project: Path | None) -> list[ActivationConfig]:
    """The activations to schedule: those named, else every one that loads (the UI shows the
    problems of the others, which can be fixed while it runs)."""
    import logging

    from hoist.project import ProjectError

    if names:
        return _serve_targets(names, project)
    from hoist.cli.project_commands import current_project

    found = current_project(project)
    configs = []
    for name in found.activations:
        try:
            configs.append(found.activations[name])
        except ProjectError as exc:
            logging.getLogger("hoist.ui").warning("%s: not scheduled: %s", name, exc)
    return configs


def _serve_targets(names: tuple[str, ...], project: Path | None) -> list[ActivationConfig]:
    """The activations `hoist serve` was given, or every activation of the project."""
    from hoist.config import ActivationConfig, load_activation

    if names:
        targets = [target for name in names for target in resolve_targets(name, project, False)]
    else:
        targets = resolve_targets(None, project, True)
    return [t if isinstance(t, ActivationConfig) else load_activation(t) for t in targets]


T = TypeVar("T")


def _guarded(action: Callable[[], T], as_json: bool) -> T:
    """Run `action`; an error that stops the run is printed and exits with its code."""
    try:
        return action()
    except KeyboardInterrupt:
        # Ctrl-C before sending began: nothing was written, nothing to commit.
        click.echo("interrupted before anything was sent", err=True)
        sys.exit(130)
    except HoistError as exc:
        code = _exit_code_for(exc)
        if as_json:
            payload = {"status": "failed", "error": type(exc).__name__, "message": str(exc)}
            click.echo(json.dumps(payload))
        click.echo(f"error: {exc}", err=True)
        sys.exit(code)


def _fail(message: str, as_json: bool) -> NoReturn:
    """Stop before any work with exit status 2 (a usage problem)."""
    if as_json:
        click.echo(json.dumps({"status": "failed", "error": "UsageError", "message": message}))
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _print_report(report: RunReport, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_json()))
    else:
        click.echo(render_report(report))


def _exit_code_for(outcome: RunReport | VerifyReport | BaseException) -> int:
    """The one place exit codes are decided."""
    if isinstance(outcome, BaseException):
        return 2
    if not isinstance(outcome, RunReport):
        return 0 if outcome.clean else 1  # verify: drift or missing companies left
    if outcome.status == "success":
        return 0
    if outcome.status == "interrupted":
        return 130
    return 1
