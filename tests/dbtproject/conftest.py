"""Real dbt for hoist's dbt tests: the fixture project (tests/fixtures/dbt_project) built by
dbt-core and dbt-duckdb (or dbt-postgres), and a hoist project that names its models.

dbt runs as a subprocess of this virtualenv's Python: it keeps its own logging, adapters and
DuckDB connections out of the test process, so hoist opens the warehouse file dbt wrote exactly
as a user's `dbt build && hoist run --all` would. Anonymous usage statistics are off: nothing
calls out.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.harness.dbt_project import (
    QUIET,
    copy_fixture,
    dbt,
    duckdb_output,
    write_profile,
)


@pytest.fixture(autouse=True)
def dbt_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every dbt test runs with dbt's usage statistics off; the environment is restored after."""
    for name, value in QUIET.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def built_duckdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding `warehouse.duckdb` and `dbt/`, the fixture project `dbt build` ran on
    once for the whole session (copy it before changing anything)."""
    root = tmp_path_factory.mktemp("dbt-duckdb")
    project = copy_fixture(root, duckdb_output(root / "warehouse.duckdb"))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in QUIET.items():
            patch.setenv(name, value)
        dbt(project, "build")
    return root


@pytest.fixture
def dbt_duckdb(built_duckdb: Path, tmp_path: Path) -> Path:
    """A copy of the built project and its warehouse, for one test to change freely."""
    root = tmp_path / "work"
    shutil.copytree(built_duckdb, root)
    write_profile(root / "dbt", duckdb_output(root / "warehouse.duckdb"))
    return root
