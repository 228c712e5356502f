"""The `hoist` command line: run | plan | runs | verify | serve | validate | init |
segment preview | schema | dbt exposures | emulator.

Each command lives in the module of its kind; exit codes are decided in one place
(`hoist.cli.exits`).
"""

from __future__ import annotations

from pathlib import Path

import click

from hoist.cli.emulator_command import emulator
from hoist.cli.options import project_option
from hoist.cli.project_commands import (
    dbt_group,
    init_command,
    schema_command,
    segment_group,
    validate_command,
)
from hoist.cli.serve_command import serve_command
from hoist.cli.sync_commands import plan_command, run_command, runs_command, verify_command

__all__ = ["main"]


@click.group()
@click.version_option(package_name="hoist")
@project_option
def main(project: Path | None) -> None:
    """hoist keeps Intercom Companies in step with company records in your warehouse."""


for _command in (
    run_command,
    plan_command,
    runs_command,
    verify_command,
    serve_command,
    validate_command,
    init_command,
    segment_group,
    schema_command,
    dbt_group,
    emulator,
):
    main.add_command(_command)
