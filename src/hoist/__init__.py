"""hoist: keep Intercom Companies in step with company records in your data warehouse.

The public API is what the `hoist` command itself uses::

    import hoist

    report = hoist.run("activation.yml")      # send what changed
    preview = hoist.plan("activation.yml")    # what a run would do; writes nothing
    history = hoist.runs("activation.yml")    # the run history, newest first

    project = hoist.load_project()            # hoist.yml, found from the cwd upwards
    report = hoist.run(project.activations["paying-eu-to-intercom"])

Names are imported on first use, so `import hoist` (and `hoist emulator`) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hoist import idle_imports

# pyarrow would import pandas on hoist's behalf in every run: see hoist.idle_imports.
idle_imports.install()

if TYPE_CHECKING:
    from hoist.config import ActivationConfig, load_activation
    from hoist.errors import (
        ConfigError,
        FatalDestinationError,
        HoistError,
        IntercomError,
        RecordRejectedError,
        RetriableError,
        SchemaConflictError,
        SourceError,
        StateError,
        StateLockedError,
    )
    from hoist.project import Project, ProjectError, load_project
    from hoist.report import PlannedChange, RecordIssue, RunReport
    from hoist.run_api import plan, run, runs

_HOMES = {
    "ActivationConfig": "hoist.config",
    "load_activation": "hoist.config",
    "Project": "hoist.project",
    "ProjectError": "hoist.project",
    "load_project": "hoist.project",
    "plan": "hoist.run_api",
    "run": "hoist.run_api",
    "runs": "hoist.run_api",
    "PlannedChange": "hoist.report",
    "RecordIssue": "hoist.report",
    "RunReport": "hoist.report",
    **dict.fromkeys(
        [
            "ConfigError",
            "FatalDestinationError",
            "HoistError",
            "IntercomError",
            "RecordRejectedError",
            "RetriableError",
            "SchemaConflictError",
            "SourceError",
            "StateError",
            "StateLockedError",
        ],
        "hoist.errors",
    ),
}

__all__ = [
    "ActivationConfig",
    "ConfigError",
    "FatalDestinationError",
    "HoistError",
    "IntercomError",
    "PlannedChange",
    "Project",
    "ProjectError",
    "RecordIssue",
    "RecordRejectedError",
    "RetriableError",
    "RunReport",
    "SchemaConflictError",
    "SourceError",
    "StateError",
    "StateLockedError",
    "load_activation",
    "load_project",
    "plan",
    "run",
    "runs",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'hoist' has no attribute {name!r}")
