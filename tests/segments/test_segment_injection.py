"""Injection attempts in values, column names and table names are harmless: data, never SQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from hoist.config._segment import SegmentConfig
from hoist.errors import ConfigError, SourceError
from hoist.segments import segment_sql
from hoist.sources.duckdb.connector import DuckDBSource
from tests.harness.segments import ATTEMPTS, COLUMN, TABLE


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A DuckDB file with a table whose values and column names are injection attempts."""
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE victim (x INTEGER)")
    con.execute("INSERT INTO victim VALUES (1)")
    con.execute(
        'CREATE TABLE "x\'; drop table victim; --" '
        '("a""b\'; drop table victim; --" VARCHAR, id INTEGER)'
    )
    for i, text in enumerate(ATTEMPTS):
        con.execute("""INSERT INTO "x'; drop table victim; --" VALUES (?, ?)""", [text, i])
    con.close()
    return path


def segment(path: Path, table: str, where: dict[str, Any] | None) -> SegmentConfig:
    """A segment of `table` in the warehouse at `path`."""
    return SegmentConfig.model_validate(
        {
            "name": "s",
            "file": path.parent / "hoist.yml",
            "source": {"path": path},
            "from": table,
            "where": where,
        }
    )


def rows(path: Path, table: str, where: dict[str, Any] | None) -> list[Any]:
    """The ids the segment selects (the warehouse is read the way a run reads it)."""
    with DuckDBSource(path) as source:
        sql = segment_sql(segment(path, table, where), source)
        return sorted(row["id"] for row in source.read(sql).read_all().to_pylist())


def victim_survives(path: Path) -> bool:
    """The table every attempt tries to drop is still there, with its row."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql("SELECT count(*) FROM victim").fetchall() == [(1,)]
    finally:
        con.close()


@pytest.mark.parametrize(("index", "value"), list(enumerate(ATTEMPTS)))
def test_a_value_is_compared_as_data(warehouse: Path, index: int, value: str) -> None:
    """Each attempt in a value selects exactly the row holding that text, and drops nothing."""
    assert rows(warehouse, TABLE, {"column": COLUMN, "op": "eq", "value": value}) == [index]
    for op in ("contains", "starts_with", "ends_with"):
        assert index in rows(warehouse, TABLE, {"column": COLUMN, "op": op, "value": value})
    assert victim_survives(warehouse)


def test_column_and_table_names_are_quoted_identifiers(warehouse: Path) -> None:
    """A column and a table named like an injection are read as names."""
    assert rows(warehouse, TABLE, {"column": COLUMN, "op": "is_not_null"}) == list(
        range(len(ATTEMPTS))
    )
    assert victim_survives(warehouse)


@pytest.mark.parametrize(
    "table",
    [
        "x'; drop table victim; --",
        "victim; drop table victim",
        'victim"; drop table victim; --',
        "victim --",
    ],
)
def test_a_table_name_holding_sql_never_runs_it(warehouse: Path, table: str) -> None:
    """An unquoted table name holding SQL is refused or not found; nothing is dropped."""
    with pytest.raises((ConfigError, SourceError)):
        rows(warehouse, table, None)
    assert victim_survives(warehouse)


def test_an_unknown_column_holding_sql_is_only_reported(warehouse: Path) -> None:
    """A column name holding SQL that matches no column is a config error, never a query."""
    with pytest.raises(ConfigError, match="has no column"):
        rows(warehouse, TABLE, {"column": "id; drop table victim; --", "op": "is_null"})
    assert victim_survives(warehouse)


@pytest.mark.parametrize(
    "table", ["victim --", "victim /* x */", "read_csv('/etc/passwd')", "a.b.c.d"]
)
def test_from_accepts_only_a_table_name(warehouse: Path, table: str) -> None:
    """A comment, a table function or a four-part name in `from` is a config error."""
    with pytest.raises(ConfigError, match=r"segments\.s\.from: .*not a table name"):
        rows(warehouse, table, None)
