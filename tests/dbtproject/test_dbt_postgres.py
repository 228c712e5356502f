"""dbt-postgres builds the fixture project on the test Postgres server; hoist reads the mart
from where dbt built it (custom schema, alias) and delivers it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from hoist.emulator.testing import EmulatorHandle
from tests.harness.dbt_project import COMPANIES, copy_fixture, dbt, hoist, write_project

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]


def test_a_postgres_mart_built_by_dbt_is_delivered(
    postgres_database: str, emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """`dbt build` with dbt-postgres, then `hoist run --all`: every company of the mart arrives."""
    url = urlsplit(postgres_database)
    output = {
        "type": "postgres",
        "host": url.hostname,
        "port": url.port,
        "user": url.username,
        "password": unquote(url.password or ""),
        "dbname": url.path.lstrip("/"),
        "schema": "public",
        "threads": 1,
    }
    dbt(copy_fixture(tmp_path, output), "build")
    source = {"type": "postgres", "url": "${DBT_TEST_PG_URL}", "dbt": {"project_dir": "dbt"}}
    write_project(tmp_path, source, {"companies": COMPANIES}, base_url=emulator.base_url)

    done = hoist("run", "--all", cwd=tmp_path, env={"DBT_TEST_PG_URL": postgres_database})
    assert done.returncode == 0, done.stderr
    delivered = {c["company_id"]: c["plan"]["name"] for c in emulator.emulator.companies()}
    assert delivered == {"acct-1": "PRO", "acct-2": "FREE", "acct-3": "ENTERPRISE", "acct-4": "PRO"}
