"""Options several commands share: ``--project DIR`` and ``--json``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["json_option", "project_option"]

F = TypeVar("F", bound=Callable[..., Any])


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


#: ``--json``: the command's outcome as one JSON object on stdout.
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object on stdout."
)
