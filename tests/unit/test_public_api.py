"""The public API is exactly what we mean to export, and importing hoist stays light."""

from __future__ import annotations

import subprocess
import sys

import hoist


def test_exports_are_what_we_mean_to_export() -> None:
    """`hoist.__all__` lists the run functions, config loading, reports and the error tree."""
    assert sorted(hoist.__all__) == [
        "ActivationConfig",
        "ConfigError",
        "FatalDestinationError",
        "HoistError",
        "IntercomError",
        "PlannedChange",
        "RecordError",
        "RecordRejectedError",
        "RetriableError",
        "RunReport",
        "SchemaConflictError",
        "SourceError",
        "StateError",
        "StateLockedError",
        "load_activation",
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
        "print(sorted(m for m in ('duckdb', 'pyarrow', 'psycopg', 'snowflake', 'hoist.engine') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
