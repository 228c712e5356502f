"""The public API is exactly what we mean to export, and importing hoist stays light."""

from __future__ import annotations

import subprocess
import sys

import hoist


def test_exports_are_what_we_mean_to_export() -> None:
    """`hoist.__all__` lists the run functions, config and project loading, reports, errors."""
    assert sorted(hoist.__all__) == [
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
    for name in hoist.__all__:
        assert getattr(hoist, name) is not None


def test_importing_hoist_imports_no_warehouse_driver_or_engine() -> None:
    """`import hoist` loads neither DuckDB, pyarrow nor any warehouse driver until needed."""
    code = (
        "import sys, hoist; "
        "print(sorted(m for m in ('duckdb', 'pyarrow', 'psycopg', 'snowflake', 'hoist.run_api') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_loading_a_config_does_not_import_the_http_stack() -> None:
    """`hoist.config` (used by validation, the UI, the scheduler) loads neither httpx nor DuckDB."""
    code = (
        "import sys, hoist.config; "
        "print(sorted(m for m in ('httpx', 'duckdb', 'hoist.intercom') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_plan_and_run_stay_callable_after_the_pipelines_are_imported() -> None:
    """Importing the pipeline modules never shadows `hoist.plan` / `hoist.run` functions."""
    import hoist.pipeline.apply
    import hoist.pipeline.plan

    assert callable(hoist.plan)
    assert callable(hoist.run)
