"""`hoist serve`: the web UI and the schedules, or the schedules alone (--no-ui, --once)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hoist.cli.exits import exit_code_for, guarded
from hoist.cli.options import project_option
from hoist.cli.targets import resolve_targets

if TYPE_CHECKING:
    from hoist.config import ActivationConfig
    from hoist.observe.jsonlog import LogFormat
    from hoist.observe.opsserver import OpsListen

__all__ = ["serve_command"]


@click.command("serve")
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
    configs = guarded(lambda: _serve_targets(names, project), as_json=False)
    follow = None if names or once else guarded(lambda: _project_root(project), as_json=False)
    reports = guarded(
        lambda: serve(configs, once=once, follow=follow, listen=listen), as_json=False
    )
    if once:
        click.echo(f"ran {len(reports)} due activation(s): {', '.join(reports) or 'none'}")
        for name, report in reports.items():
            click.echo(f"  {name}: {report.status if report else 'skipped (state in use)'}")
        # Like `hoist run`: the worst outcome decides (a failed run is 2), so cron tells.
        codes = [2 if r.status == "failed" else exit_code_for(r) for r in reports.values() if r]
        sys.exit(max(codes, default=0))


def _project_root(project: Path | None) -> Path:
    """The folder of the project `hoist serve` schedules, whose files it follows."""
    from hoist.cli.targets import current_project

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
    guarded(lambda: check_bind(host, password), as_json=False)
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
    from hoist.cli.targets import current_project
    from hoist.ui import serve_ui
    from hoist.ui.security import check_bind

    guarded(lambda: check_bind(host, password), as_json=False)
    root = guarded(lambda: current_project(project).root, as_json=False)
    configs = guarded(lambda: _ui_targets(names, project), as_json=False)
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
    from hoist.cli.targets import current_project

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
