"""On a real Postgres server, a segment selects the rows its conditions describe.

The segment is compiled for the ``postgres`` dialect from the table's real columns (as the ADBC
driver reports them) and run on the server; random condition trees are checked against the
same Python reference as on DuckDB.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings

from hoist.segments import render, segment_query
from tests.harness.postgres_server import PostgresServer, execute, quoted
from tests.harness.segments import (
    ATTEMPTS,
    COLUMN,
    COLUMNS,
    NOW,
    ROWS,
    TABLE,
    conditions,
    expected_ids,
    make_segment,
)

pytestmark = pytest.mark.postgres


class Postgres:
    """One connection to a database holding the reference table `t`."""

    def __init__(self, url: str) -> None:
        import adbc_driver_postgresql.dbapi as pg

        self.con = pg.connect(url, autocommit=True)
        self.cursor = self.con.cursor()
        self.cursor.execute("SET TIME ZONE 'Asia/Kolkata'")  # plain timestamps still read as UTC
        columns = ", ".join(f"{name} {kind}" for name, (kind, _) in COLUMNS.items())
        self.cursor.execute(f"CREATE TABLE t ({columns})")
        marks = ", ".join(f"${i + 1}" for i in range(len(COLUMNS)))
        for row in ROWS:
            self.cursor.execute(f"INSERT INTO t VALUES ({marks})", [row[c] for c in COLUMNS])
        self.cursor.execute("SELECT * FROM t LIMIT 0")
        self.schema: pa.Schema = self.cursor.fetch_arrow_table().schema

    def ids(self, where: dict[str, Any]) -> set[int]:
        """The ids the segment, compiled for Postgres, selects on the server."""
        query = segment_query(make_segment(where), self.schema, "postgres", now=NOW)
        self.cursor.execute(render(query, "postgres"))
        return {row[0] for row in self.cursor.fetchall()}

    def close(self) -> None:
        """Close the cursor and the connection."""
        self.cursor.close()
        self.con.close()


@pytest.fixture(scope="module")
def postgres(postgres_server: PostgresServer) -> Iterator[Postgres]:
    """A database of its own on the session's server, holding the reference table."""
    name = f"segments_{uuid.uuid4().hex[:8]}"
    execute(postgres_server.url(), f"CREATE DATABASE {quoted(name)}")
    database = Postgres(postgres_server.url(name))
    yield database
    database.close()
    execute(postgres_server.url(), f"DROP DATABASE {quoted(name)} WITH (FORCE)")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=conditions(ROWS))
def test_random_condition_trees_select_the_rows_python_selects_on_postgres(
    postgres: Postgres, where: dict[str, Any]
) -> None:
    """For any condition tree, Postgres returns the rows the reference semantics keep."""
    assert postgres.ids(where) == expected_ids(where, ROWS)


def test_numeric_columns_compare_as_numbers_on_postgres(postgres: Postgres) -> None:
    """A NUMERIC column (opaque text to the driver) takes number rules and number values."""
    where = {"column": "mrr", "op": "gte", "value": 100}
    assert postgres.ids(where) == expected_ids(where, ROWS)
    assert postgres.ids(where)


def test_injection_attempts_are_data_on_postgres(postgres: Postgres) -> None:
    """Attempts in values and in a column name select their own row and drop nothing."""
    cursor = postgres.cursor
    cursor.execute("CREATE TABLE victim (x integer)")
    cursor.execute(f'CREATE TABLE "x\'; drop table victim; --" ({quoted(COLUMN)} text, id integer)')
    for index, text in enumerate(ATTEMPTS):
        cursor.execute("""INSERT INTO "x'; drop table victim; --" VALUES ($1, $2)""", (text, index))
    cursor.execute("""SELECT * FROM "x'; drop table victim; --" LIMIT 0""")
    schema = cursor.fetch_arrow_table().schema
    for index, text in enumerate(ATTEMPTS):
        for op in ("eq", "contains", "starts_with", "ends_with"):
            segment = make_segment({"column": COLUMN, "op": op, "value": text}, table=TABLE)
            cursor.execute(render(segment_query(segment, schema, "postgres"), "postgres"))
            found = {row[1] for row in cursor.fetchall()}
            assert found == {index} if op == "eq" else index in found
    cursor.execute("SELECT count(*) FROM victim")
    assert cursor.fetchall() == [(0,)]
