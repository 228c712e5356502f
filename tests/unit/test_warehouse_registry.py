"""Each warehouse is one folder under sources/, and the registry derives everything else from it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from pydantic import TypeAdapter
from sqlglot import exp

from hoist.config import SOURCE_TYPES, SourceConfig
from hoist.diff import fingerprint
from hoist.diff.in_warehouse import portable
from hoist.sources.registry import SOURCE_MODELS, WAREHOUSES, dialect_of
from hoist.sql.build import render, template

ROOT = Path(__file__).parents[2]
SOURCES = ROOT / "src" / "hoist" / "sources"

#: Warehouses whose drivers the dev extra installs, so their connectors import here.
INSTALLED = ("duckdb", "postgres", "spark", "sqlalchemy")


def folders() -> set[str]:
    """The warehouse folders under src/hoist/sources (packages)."""
    return {p.parent.name for p in SOURCES.glob("*/__init__.py")}


def test_every_folder_is_a_registered_warehouse_and_no_other() -> None:
    """The source types config accepts are exactly the folders under sources/, in the registry's
    order, and each folder holds its config, connector and (unless SQLAlchemy's) dialect."""
    assert set(SOURCE_TYPES) == folders() == set(WAREHOUSES)
    assert SOURCE_TYPES[0] == "duckdb"  # the default, listed first in messages
    for name, warehouse in WAREHOUSES.items():
        shape = {"__init__.py", "config.py", "connector.py"}
        shape |= set() if warehouse.dialect is None else {"dialect.py"}
        assert shape <= {p.name for p in (SOURCES / name).glob("*.py")}, name
        assert warehouse.connector == f"hoist.sources.{name}.connector"
        assert SOURCE_MODELS[name] is warehouse.config


def test_config_accepts_every_registered_type() -> None:
    """A `source:` of each type validates to the registered config model of that type."""
    examples = {
        "duckdb": {"path": "w.duckdb"},
        "postgres": {"url": "postgresql://u:${P}@h/db"},
        "snowflake": {"url": "snowflake://u:${P}@acct/db"},
        "bigquery": {"project": "p"},
        "redshift": {"url": "redshift://u:${P}@h:5439/db"},
        "databricks": {"url": "databricks://token:${T}@h?http_path=/x"},
        "sqlalchemy": {"url": "sqlite:///w.db"},
        "spark": {"master": "local[1]"},
    }
    assert set(examples) == set(SOURCE_TYPES)
    union: TypeAdapter[SourceConfig] = TypeAdapter(SourceConfig)
    for kind, keys in examples.items():
        assert type(union.validate_python({"type": kind, **keys})) is WAREHOUSES[kind].config


def test_the_sources_page_documents_every_type() -> None:
    """docs/sources.md has a row for every source type the registry knows."""
    page = (ROOT / "docs" / "sources.md").read_text()
    missing = [kind for kind in SOURCE_TYPES if f"| `{kind}`" not in page]
    assert missing == []


@pytest.mark.parametrize("kind", INSTALLED)
def test_a_dialect_holds_state_where_its_connector_can(kind: str) -> None:
    """`holds_state` says what the connector does: execute, query and append native state."""
    warehouse = WAREHOUSES[kind]
    module = importlib.import_module(warehouse.connector)
    classes = [v for v in vars(module).values() if isinstance(v, type) and hasattr(v, "read")]
    writes = any(all(hasattr(c, m) for m in ("execute", "query", "append")) for c in classes)
    holds = warehouse.dialect is not None and warehouse.dialect.holds_state

    assert classes, kind
    assert holds == writes, kind


def test_the_diff_asks_the_dialect_for_rewrites() -> None:
    """Postgres and Redshift get Postgres's TRY_CAST rewrite, Spark its own; a dialect no folder
    defines (mysql through SQLAlchemy) gets hoist's SQL as it is."""
    node = template("SELECT TRY_CAST($v AS DOUBLE)", v=exp.column("x"))

    assert "TRY_CAST" not in render(portable(node.copy(), "postgres"), "postgres")
    assert "TRY_CAST" not in render(portable(node.copy(), "redshift"), "redshift")
    assert portable(node, "mysql") is node
    assert dialect_of("mysql").row_hash([exp.column("x")]) is None


def test_fingerprints_use_the_dialects_hashes() -> None:
    """A row's fingerprint is DuckDB's hash, Postgres's hash_record_extended, Spark's xxhash64;
    none where the warehouse has no row hash (Redshift)."""
    text = exp.column("t")
    row = dialect_of("postgres").row_hash([text])

    assert row is not None
    assert "HASH_RECORD_EXTENDED" in render(row, "postgres").upper()
    assert "XXHASH64" in render(fingerprint.text_hash(text, "spark"), "spark").upper()
    assert "HASHTEXTEXTENDED" in render(fingerprint.text_hash(text, "postgres"), "postgres").upper()
    assert fingerprint.expression([], "id", "redshift", "m") is None
    assert fingerprint.expression([], "id", "duckdb", "m") is not None
