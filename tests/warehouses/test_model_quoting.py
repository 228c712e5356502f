"""Model tables with quotes, unicode and reserved words render safely in every dialect."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from hoist.config import ModelConfig, PostgresSourceConfig
from hoist.secret import SecretUrl
from hoist.sources import open_source
from hoist.sql.model import model_query
from tests.harness.postgres_server import execute

DIALECTS = [
    "duckdb",
    "postgres",
    "snowflake",
    "bigquery",
    "redshift",
    "databricks",
    "spark",
    "sqlite",
    "mysql",
    "tsql",
]
#: (schema, table) pairs a user may really have.
NAMES = [
    ("analytics", "companies"),
    ("order", "select"),  # reserved words
    ("Sales Data", "Kunden-Übersicht"),  # spaces, capitals, unicode
    ('we"ird', "it's"),  # both quote characters
    ("x; DROP TABLE y; --", "companies"),  # an injection attempt is just a name
]


def written(schema: str, table: str, dialect: str) -> str:
    """`schema.table` as a user writes it in `dialect` (each part quoted the dialect's way)."""
    node = exp.table_(
        exp.to_identifier(table, quoted=True), db=exp.to_identifier(schema, quoted=True)
    )
    return node.sql(dialect=dialect)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("schema", "table"), NAMES)
def test_a_table_model_parses_back_to_the_same_table(dialect: str, schema: str, table: str) -> None:
    """SELECT * FROM <table> parses back, in its dialect, to one select of exactly that table."""
    sql = model_query(ModelConfig(table=written(schema, table, dialect)), dialect)

    parsed = sqlglot.parse(sql, read=dialect)
    assert len(parsed) == 1
    select = parsed[0]
    assert isinstance(select, exp.Select)
    tables = list(select.find_all(exp.Table))
    assert [(t.db, t.name) for t in tables] == [(schema, table)]


@pytest.mark.parametrize(("schema", "table"), NAMES)
def test_duckdb_reads_tables_with_awkward_names(tmp_path: Path, schema: str, table: str) -> None:
    """A real DuckDB table with such a name is read through the rendered model query."""
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        name = written(schema, table, "duckdb")
        con.execute(f"CREATE SCHEMA {exp.to_identifier(schema, quoted=True).sql('duckdb')}")
        con.execute(f"CREATE TABLE {name} AS SELECT 'it''s' AS v")
        rows = con.execute(model_query(ModelConfig(table=name), "duckdb")).fetchall()

    assert rows == [("it's",)]


@pytest.mark.postgres
@pytest.mark.parametrize(("schema", "table"), NAMES)
def test_postgres_reads_tables_with_awkward_names(
    postgres_database: str, schema: str, table: str
) -> None:
    """A real Postgres table with such a name is read through the rendered model query."""
    name = written(schema, table, "postgres")
    execute(
        postgres_database, f"CREATE SCHEMA {exp.to_identifier(schema, quoted=True).sql('postgres')}"
    )
    execute(postgres_database, f"CREATE TABLE {name} AS SELECT 'it''s' AS v")
    config = PostgresSourceConfig(type="postgres", url=SecretUrl(postgres_database))

    with open_source(config) as source:
        sql = model_query(ModelConfig(table=name), source.dialect)
        rows = source.read(sql).read_all().to_pylist()

    assert rows == [{"v": "it's"}]
