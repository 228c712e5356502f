"""Native-state SQL with awkward schema, table, column names and values, in every dialect."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from hoist.config import PostgresSourceConfig
from hoist.diff.changes import Confirmation
from hoist.diff.in_warehouse import DiffSpec, diff_query, model_relation, portable
from hoist.mapping import Field
from hoist.secret import SecretUrl
from hoist.sources import open_source
from hoist.sources.duckdb.connector import DuckDBSource
from hoist.sql.build import render
from hoist.sql.native_state import NativeTables
from hoist.state.native import NativeStateStore, Warehouse

DIALECTS = ["duckdb", "postgres", "snowflake", "bigquery", "redshift", "databricks", "spark"]
SCHEMA = 'hoist "state" — ünï'
ACTIVATION = "select.order-1"  # reserved words; activation names allow '.', '-'
FIELDS = (
    Field("name", "it's name", "string", "string"),
    Field("custom_attributes.Sales Region", "Région", "string", "string"),
    Field("custom_attributes.score", "select", "float", "float"),
)
ATTRIBUTES = [f.attribute for f in FIELDS]


def statements() -> list[exp.Expr]:
    """Every statement native state and the warehouse diff run."""
    tables = NativeTables(SCHEMA, ACTIVATION)
    relation = tables.relation(
        ATTRIBUTES,
        generation=3,
        snapshot_columns={"a:name"},
        journal_columns={"a:name", "a:custom_attributes.score"},
        after=10,
        through=20,
    )
    model = model_relation('SELECT * FROM "we""ird"."tab le"', "duckdb")
    return [
        tables.create_schema(),
        *tables.create_statements(),
        tables.add_column("custom_attributes.Sales Region"),
        tables.create_snapshot(4, relation),
        tables.meta_insert(4, 20),
        tables.prune_journal(20),
        tables.drop_snapshot(3),
        tables.rename(tables.name("journal"), tables.name("replaced_1__journal")),
        tables.settings_query(),
        diff_query(
            DiffSpec(
                FIELDS,
                "company's id",
                model,
                relation,
                on_removal="clear",
                insert=False,
                missing=tables.missing_relation(),
            )
        ),
    ]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_statement_parses_back_with_its_names_intact(dialect: str) -> None:
    """Rendered for the dialect and parsed back, each statement names exactly our tables."""
    for statement in statements():
        sql = render(portable(statement, dialect), dialect)
        parsed = sqlglot.parse(sql, read=dialect)
        assert len(parsed) == 1, sql
        tree = parsed[0]
        assert tree is not None
        schemas = {t.db for t in tree.find_all(exp.Table) if t.db}
        assert schemas <= {SCHEMA, 'we"ird'}, (dialect, schemas)
        names = {t.name for t in tree.find_all(exp.Table) if t.db == SCHEMA and t.name}
        assert all(n.startswith("select_order_1_") for n in names), (dialect, names)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_values_and_column_names_survive_the_round_trip(dialect: str) -> None:
    """The id column's name, with its quote, and the attribute columns come back unchanged."""
    sql = render(portable(statements()[-1], dialect), dialect)
    tree = sqlglot.parse_one(sql, read=dialect)

    columns = {c.name for c in tree.find_all(exp.Column)}
    assert {"company's id", "it's name", "Région", "select"} <= columns
    assert "v:custom_attributes.Sales Region" in {a.alias for a in tree.find_all(exp.Alias)}
    literals = {lit.this for lit in tree.find_all(exp.Literal) if lit.is_string}
    assert 'column "company\'s id" is null or empty' in literals or any(
        "company's id" in text for text in literals
    )


def exercise(warehouse: Warehouse) -> None:
    """Commit, compact and read back state under the awkward names in a real warehouse."""
    texts = {"name": '"O\'Brien — Zürich"', "custom_attributes.score": "1.5"}
    with NativeStateStore.open(warehouse, SCHEMA, ACTIVATION) as store:
        store.add_attribute_columns(ATTRIBUTES)
        store.commit([Confirmation("c'1", "ic-1", texts, fingerprint="fp'1")], ATTRIBUTES)
        store.fold(force=True)
        store.commit([Confirmation("c'2", "ic-2", {"name": '"x"'})], ATTRIBUTES)
    with NativeStateStore.open(warehouse, SCHEMA, ACTIVATION, read_only=True) as store:
        relation = store.relation(ATTRIBUTES)
        query = exp.select("*").from_(relation).order_by("company_id")
        rows = warehouse.query(render(portable(query, warehouse.dialect), warehouse.dialect))
    assert rows.to_pylist() == [
        {
            "company_id": "c'1",
            "intercom_id": "ic-1",
            "a:name": '"O\'Brien — Zürich"',
            "a:custom_attributes.Sales Region": None,
            "a:custom_attributes.score": "1.5",
            "_fp": "fp'1",  # kept through the compaction
        },
        {
            "company_id": "c'2",
            "intercom_id": "ic-2",
            "a:name": '"x"',
            "a:custom_attributes.Sales Region": None,
            "a:custom_attributes.score": None,
            "_fp": "",  # a confirmation without a fingerprint vouches for no row
        },
    ]


def test_duckdb_keeps_state_under_awkward_names(tmp_path: Path) -> None:
    """A DuckDB warehouse holds native state in a schema named with quotes and unicode."""
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    warehouse = DuckDBSource(path, writable=True)
    try:
        exercise(warehouse)
    finally:
        warehouse.close()


@pytest.mark.postgres
def test_postgres_keeps_state_under_awkward_names(postgres_database: str) -> None:
    """A Postgres warehouse holds native state in a schema named with quotes and unicode."""
    config = PostgresSourceConfig(type="postgres", url=SecretUrl(postgres_database))
    with open_source(config, writable=True) as source:
        assert isinstance(source, Warehouse)
        exercise(cast(Warehouse, source))
