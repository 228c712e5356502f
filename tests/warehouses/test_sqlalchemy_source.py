"""`type: sqlalchemy` reads a SQLAlchemy URL as Arrow batches: tried on SQLite and Postgres."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa
import pytest

from hoist.config import SqlAlchemySourceConfig
from hoist.errors import SourceError
from hoist.secret import SecretUrl
from hoist.sources import open_source
from tests.harness.postgres_server import execute


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    """A SQLite file with a companies table whose first rows have a null-only column."""
    path = tmp_path / "crm.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE companies (id TEXT, name TEXT, seats INTEGER, score REAL)")
        rows = [(f"c{i}", f"Zürich {i}", None if i < 50 else i, i / 2) for i in range(120)]
        con.executemany("INSERT INTO companies VALUES (?, ?, ?, ?)", rows)
    return path


def config(url: str) -> SqlAlchemySourceConfig:
    """A sqlalchemy source config for `url`."""
    return SqlAlchemySourceConfig(type="sqlalchemy", url=SecretUrl(url))


def test_sqlite_rows_stream_in_batches_with_types(sqlite_file: Path) -> None:
    """Every row arrives in batches of at most batch_rows, typed from the values."""
    with open_source(config(f"sqlite:///{sqlite_file}")) as source:
        assert source.dialect == "sqlite"
        batches = list(source.read("SELECT * FROM companies ORDER BY rowid", batch_rows=10))

    assert all(batch.num_rows <= 10 for batch in batches)
    table = pa.Table.from_batches(batches)
    assert table.num_rows == 120
    assert table.schema.field("name").type == pa.string()
    assert table.column("name")[0].as_py() == "Zürich 0"


def test_a_column_that_starts_with_nulls_gets_its_later_type(sqlite_file: Path) -> None:
    """A column null in the first batches is typed from the first batch holding a value."""
    with open_source(config(f"sqlite:///{sqlite_file}")) as source:
        table = source.read("SELECT * FROM companies ORDER BY rowid", batch_rows=10).read_all()

    assert table.schema.field("seats").type == pa.int64()
    seats = table.column("seats").to_pylist()
    assert seats[:50] == [None] * 50
    assert seats[50:] == list(range(50, 120))


def test_bad_sql_is_a_source_error(sqlite_file: Path) -> None:
    """A failing query is a SourceError carrying the database's message, first line only."""
    url = f"sqlite:///{sqlite_file}"
    with open_source(config(url)) as source, pytest.raises(SourceError, match="no such table"):
        source.read("SELECT * FROM nope")


@pytest.mark.postgres
def test_postgres_through_sqlalchemy_hides_the_password(postgres_database: str) -> None:
    """A Postgres URL through SQLAlchemy reads rows; a wrong password's error shows none."""
    execute(postgres_database, "CREATE TABLE t AS SELECT 'a' AS id, 1.5::float8 AS x")
    url = postgres_database.replace("postgresql://", "postgresql+psycopg://")
    with open_source(config(url)) as source:
        assert source.read("SELECT * FROM t").read_all().to_pylist() == [{"id": "a", "x": 1.5}]

    wrong = url.replace("@127.0.0.1", "WRONG-PW-7@127.0.0.1")
    with pytest.raises(SourceError) as caught:
        open_source(config(wrong)).read("SELECT 1")
    assert "WRONG-PW-7" not in str(caught.value)
    assert "password authentication failed" in str(caught.value)
