"""Sources: DuckDB streams Arrow batches, errors become SourceError, drivers load lazily."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from hoist.config import DuckDBSourceConfig
from hoist.errors import SourceError
from hoist.sources import open_source
from hoist.sources.duckdb.connector import DuckDBSource

ROWS = 10


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A DuckDB file holding analytics.companies with ten rows of varied types."""
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA analytics")
    con.execute(
        "CREATE TABLE analytics.companies (account_id VARCHAR, mrr DECIMAL(12, 2), "
        "signed_up_at TIMESTAMP, is_enterprise BOOLEAN)"
    )
    con.execute(
        "INSERT INTO analytics.companies SELECT 'acc-' || i, i * 10.5, "
        "TIMESTAMP '2024-01-01 12:00:00' + i * INTERVAL 1 DAY, i % 2 = 0 FROM range(?) t(i)",
        [ROWS],
    )
    con.close()
    return path


def test_reads_every_row_in_batches(warehouse: Path) -> None:
    """A small batch size streams several batches that together hold every row."""
    with DuckDBSource(warehouse) as source:
        reader = source.read("SELECT * FROM analytics.companies ORDER BY mrr", batch_rows=3)
        batches = list(reader)
    assert len(batches) >= 3
    assert all(batch.num_rows <= 3 for batch in batches)
    table = pa.Table.from_batches(batches)
    assert table.column("account_id").to_pylist() == [f"acc-{i}" for i in range(ROWS)]


def test_column_types_are_preserved(warehouse: Path) -> None:
    """Timestamps, decimals, booleans and text arrive with their Arrow types and values."""
    with DuckDBSource(warehouse) as source:
        table = source.read("FROM analytics.companies WHERE account_id = 'acc-1'").read_all()
    assert table.schema.field("account_id").type == pa.string()
    assert table.schema.field("mrr").type == pa.decimal128(12, 2)
    assert pa.types.is_timestamp(table.schema.field("signed_up_at").type)
    assert table.schema.field("is_enterprise").type == pa.bool_()
    row = table.to_pylist()[0]
    assert row == {
        "account_id": "acc-1",
        "mrr": Decimal("10.50"),
        "signed_up_at": dt.datetime(2024, 1, 2, 12, 0),
        "is_enterprise": False,
    }


def test_the_source_opens_the_warehouse_read_only(warehouse: Path) -> None:
    """A sync can never change the warehouse: writes fail as SourceError."""
    with DuckDBSource(warehouse) as source, pytest.raises(SourceError, match="read-only"):
        source.read("CREATE TABLE analytics.oops (x INT)")


def test_open_source_picks_the_connector_by_type(warehouse: Path) -> None:
    """open_source returns the DuckDB connector, with its sqlglot dialect, for type duckdb."""
    with open_source(DuckDBSourceConfig(path=warehouse)) as source:
        assert isinstance(source, DuckDBSource)
        assert source.dialect == "duckdb"


def test_a_missing_warehouse_names_the_path_and_the_fix(tmp_path: Path) -> None:
    """A warehouse file that does not exist is a SourceError naming it and source.path."""
    missing = tmp_path / "nope.duckdb"
    with pytest.raises(SourceError) as caught:
        DuckDBSource(missing)
    assert str(missing) in str(caught.value)
    assert "source.path" in str(caught.value)
    assert not missing.exists()


def test_a_file_that_is_not_duckdb_is_a_source_error(tmp_path: Path) -> None:
    """A file that is not a DuckDB database cannot be opened, and says so."""
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("not a database")
    with pytest.raises(SourceError, match="cannot open the DuckDB warehouse"):
        DuckDBSource(bogus)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT * FROM analytics.nope", "Catalog Error"),
        ("SELEC 1", "Parser Error"),
    ],
)
def test_bad_sql_is_a_source_error_with_duckdbs_message(
    warehouse: Path, sql: str, expected: str
) -> None:
    """Catalog and parser errors surface as SourceError carrying DuckDB's own message."""
    with DuckDBSource(warehouse) as source, pytest.raises(SourceError, match=expected) as caught:
        source.read(sql)
    assert isinstance(caught.value.__cause__, duckdb.Error)


def test_an_error_while_streaming_is_a_source_error(warehouse: Path) -> None:
    """A query that fails part-way through the rows raises SourceError while reading."""
    sql = "SELECT CASE WHEN range > 5000 THEN error('boom') ELSE range END FROM range(100000)"
    with DuckDBSource(warehouse) as source:
        reader = source.read(sql, batch_rows=1000)
        with pytest.raises(SourceError, match="boom"):
            reader.read_all()


def test_importing_sources_does_not_import_the_driver() -> None:
    """Importing hoist.sources leaves duckdb unimported until a DuckDB source is opened."""
    code = (
        "import sys, hoist, hoist.sources, hoist.config;"
        "assert 'duckdb' not in sys.modules, 'duckdb imported';"
        "import hoist.sources.duckdb.connector;"
        "assert 'duckdb' in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
