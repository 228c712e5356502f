"""How the command line ends: exit codes decided in one place, errors printed (and given as
JSON) before the process exits.

0 success, 1 finished with rejected or failed companies (verify: drift or missing companies
left), 2 the run could not proceed (config, source, state, auth, another workspace), 130 stopped
by Ctrl-C.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

import click

from hoist.errors import HoistError
from hoist.report import RunReport, render_report

if TYPE_CHECKING:
    from hoist.verify import VerifyReport

__all__ = ["exit_code_for", "fail", "guarded", "print_report"]

T = TypeVar("T")


def guarded(action: Callable[[], T], as_json: bool) -> T:
    """Run `action`; an error that stops the run is printed and exits with its code."""
    try:
        return action()
    except KeyboardInterrupt:
        # Ctrl-C before sending began: nothing was written, nothing to commit.
        click.echo("interrupted before anything was sent", err=True)
        sys.exit(130)
    except HoistError as exc:
        code = exit_code_for(exc)
        if as_json:
            payload = {"status": "failed", "error": type(exc).__name__, "message": str(exc)}
            click.echo(json.dumps(payload))
        click.echo(f"error: {exc}", err=True)
        sys.exit(code)


def fail(message: str, as_json: bool) -> NoReturn:
    """Stop before any work with exit status 2 (a usage problem)."""
    if as_json:
        click.echo(json.dumps({"status": "failed", "error": "UsageError", "message": message}))
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def print_report(report: RunReport, as_json: bool) -> None:
    """The run's report on stdout: one JSON object, or the console summary."""
    if as_json:
        click.echo(json.dumps(report.to_json()))
    else:
        click.echo(render_report(report))


def exit_code_for(outcome: RunReport | VerifyReport | BaseException) -> int:
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
