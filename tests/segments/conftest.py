"""Helpers for segment tests: a segment from a condition, the reference table in DuckDB."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from hoist.config._segment import SegmentConfig
from tests.segments.reference import COLUMNS, table_rows

ROWS = table_rows()


def make_segment(
    where: Mapping[str, Any] | None, table: str = "t", name: str = "s"
) -> SegmentConfig:
    """A segment of `table` filtered by `where` (YAML form), read from a DuckDB source."""
    return SegmentConfig.model_validate(
        {
            "name": name,
            "file": Path("/project/hoist.yml"),
            "source": {"type": "duckdb", "path": Path("/project/warehouse.duckdb")},
            "from": table,
            "where": where,
        }
    )


def fill(
    con: Any, table: str, rows: list[dict[str, Any]], columns: Mapping[str, tuple[str, str]]
) -> None:
    """Create `table` with `columns` in a DB-API / DuckDB connection and insert `rows`."""
    con.execute(f"CREATE TABLE {table} ({', '.join(f'{n} {t}' for n, (t, _) in columns.items())})")
    marks = ", ".join(["?" if isinstance(con, duckdb.DuckDBPyConnection) else "%s"] * len(columns))
    for row in rows:
        con.execute(f"INSERT INTO {table} VALUES ({marks})", [row[n] for n in columns])


@pytest.fixture(scope="module")
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB holding the reference table `t`, its session in a non-UTC zone."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Kolkata'")  # plain timestamps must still read as UTC
    fill(con, "t", ROWS, COLUMNS)
    yield con
    con.close()


def schema_of(con: duckdb.DuckDBPyConnection, table: str = "t") -> pa.Schema:
    """The Arrow schema of `table` (what a source reports)."""
    schema: pa.Schema = con.sql(f"SELECT * FROM {table} LIMIT 0").arrow().schema
    return schema
