"""A plan over warehouse-native state writes nothing but the schema (kill -9 and rerun on every
backend: `tests/conformance`)."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pytest

from tests.harness.activation import company_rows
from tests.harness.postgres_server import execute
from tests.harness.warehouses import NATIVE, PostgresActivation, Twin


def hoist_tables(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the hoist schema with all its rows (sorted)."""
    names = execute(
        url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'hoist'"
    )
    return {
        name: sorted(execute(url, f'SELECT * FROM hoist."{name}"'), key=repr) for (name,) in names
    }


@pytest.mark.postgres
def test_a_plan_writes_nothing_but_the_schema_on_first_use(
    postgres_activation: PostgresActivation,
) -> None:
    """A first plan creates the empty hoist schema only; later plans change no table."""
    postgres_activation.state = NATIVE
    postgres_activation.configure()
    postgres_activation.write_rows(company_rows(20))

    first = postgres_activation.run_json("plan")

    assert (first["_exit"], first["created"], first["rows_fetched"]) == (0, 20, 20)
    assert hoist_tables(postgres_activation.url) == {}
    postgres_activation.run_json()
    rows = company_rows(20)
    rows[3]["account_name"] = "changed"
    postgres_activation.write_rows(rows)
    before = hoist_tables(postgres_activation.url)

    second = postgres_activation.run_json("plan")

    assert (second["updated"], second["rows_fetched"]) == (1, 1)
    assert hoist_tables(postgres_activation.url) == before
    history = postgres_activation.hoist("runs", "--json")
    assert [run["rows_fetched"] for run in json.loads(history.stdout)] == [20]


def test_a_duckdb_native_plan_leaves_the_warehouse_file_unchanged(duckdb_native: Twin) -> None:
    """After a native run on DuckDB, a plan leaves every hoist table as it was."""
    duckdb_native.activation.write_rows(company_rows(10))
    duckdb_native.activation.run_json()

    def tables() -> list[tuple[Any, ...]]:
        with duckdb.connect(str(duckdb_native.activation.warehouse), read_only=True) as con:
            names = con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'hoist'"
            ).fetchall()
            return [
                (n, sorted(map(repr, con.execute(f'SELECT * FROM hoist."{n}"').fetchall())))
                for (n,) in sorted(names)
            ]

    before = tables()
    plan = duckdb_native.activation.run_json("plan")

    assert (plan["_exit"], plan["unchanged"], plan["rows_fetched"]) == (0, 10, 0)
    assert tables() == before
