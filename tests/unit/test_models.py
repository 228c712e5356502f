"""Models become SQL: tables are quoted by sqlglot, queries pass through once checked."""

from __future__ import annotations

import duckdb
import pytest

from hoist.config import ModelConfig
from hoist.errors import ConfigError
from hoist.sql.model import model_query


@pytest.mark.parametrize(
    ("table", "sql"),
    [
        ("companies", 'SELECT * FROM "companies"'),
        ("analytics.companies", 'SELECT * FROM "analytics"."companies"'),
        ("db.analytics.companies", 'SELECT * FROM "db"."analytics"."companies"'),
        ('analytics."my table"', 'SELECT * FROM "analytics"."my table"'),
        ("analytics.my-table", 'SELECT * FROM "analytics"."my-table"'),
        ("select", 'SELECT * FROM "select"'),
    ],
)
def test_a_table_becomes_a_quoted_select(table: str, sql: str) -> None:
    """A table name, with schema or odd characters, is read with every identifier quoted."""
    assert model_query(ModelConfig(table=table), "duckdb") == sql


def test_a_table_query_runs_in_duckdb() -> None:
    """The generated query reads a table whose name needs quoting."""
    con = duckdb.connect()
    con.execute('CREATE SCHEMA analytics; CREATE TABLE analytics."my table" AS SELECT 1 AS x')
    query = model_query(ModelConfig(table='analytics."my table"'), "duckdb")
    assert con.sql(query).fetchall() == [(1,)]


def test_a_table_name_that_cannot_be_read_is_a_config_error() -> None:
    """An unbalanced quote in a table name points at model.table and how to quote."""
    with pytest.raises(ConfigError, match="double quotes") as caught:
        model_query(ModelConfig(table='analytics."broken'), "duckdb")
    assert caught.value.key == "model.table"


@pytest.mark.parametrize(
    "sql",
    [
        "select * from analytics.companies where plan <> 'free'",
        "FROM analytics.companies",
        "with c as (select 1 as x) select * from c;",
        "select 1 as a union all select 2",
    ],
)
def test_a_query_passes_through_unchanged(sql: str) -> None:
    """A valid single query is sent exactly as the user wrote it."""
    assert model_query(ModelConfig(sql=sql), "duckdb") == sql


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select from where", "does not parse as duckdb SQL"),
        ("select 1; select 2", "holds 2 statements"),
        ("delete from analytics.companies", "is a DELETE statement"),
    ],
)
def test_a_bad_query_is_a_config_error_on_model_sql(sql: str, expected: str) -> None:
    """Unparsable SQL, several statements or a non-query are ConfigErrors on model.sql."""
    with pytest.raises(ConfigError, match=expected) as caught:
        model_query(ModelConfig(sql=sql), "duckdb")
    assert caught.value.key == "model.sql"
    assert "model.sql" in str(caught.value)


def test_a_parse_error_says_where() -> None:
    """The parse error gives the line, the column and the text near the problem."""
    with pytest.raises(ConfigError, match="near 'where' at line 1, column 17"):
        model_query(ModelConfig(sql="select from where"), "duckdb")


def test_a_model_error_names_the_activation_file_and_key() -> None:
    """A broken model is reported with the activation file and the model key."""
    with pytest.raises(ConfigError) as caught:
        model_query(ModelConfig(sql="select from from"), "duckdb", file="/p/activation.yml")
    assert str(caught.value).startswith("/p/activation.yml: model.sql: ")
