"""A segment selects exactly the rows its conditions describe: random trees against Python."""

from __future__ import annotations

from typing import Any

import duckdb
from hypothesis import HealthCheck, given, settings

from hoist.segments import render, segment_query
from tests.harness.segments import NOW, ROWS, conditions, expected_ids, make_segment, schema_of


def duckdb_ids(con: duckdb.DuckDBPyConnection, where: dict[str, Any]) -> set[int]:
    """The ids the compiled segment selects in DuckDB."""
    query = segment_query(make_segment(where), schema_of(con), "duckdb", now=NOW)
    return {row[0] for row in con.sql(render(query, "duckdb")).fetchall()}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=conditions(ROWS))
def test_random_condition_trees_select_the_rows_python_selects_on_duckdb(
    duck: duckdb.DuckDBPyConnection, where: dict[str, Any]
) -> None:
    """For any condition tree, DuckDB returns the rows the reference semantics keep."""
    assert duckdb_ids(duck, where) == expected_ids(where, ROWS)
