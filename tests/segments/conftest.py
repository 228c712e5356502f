"""Helpers for segment tests: a segment from a condition, the reference table in DuckDB."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from tests.harness.segments import COLUMNS, ROWS, fill


@pytest.fixture(scope="module")
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB holding the reference table `t`, its session in a non-UTC zone."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Kolkata'")  # plain timestamps must still read as UTC
    fill(con, "t", ROWS, COLUMNS)
    yield con
    con.close()
