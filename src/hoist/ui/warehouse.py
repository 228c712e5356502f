"""What the UI needs from a warehouse: its tables, a model's columns and their types.

Every statement is a sqlglot tree rendered for the source's dialect; a name typed in the UI is
quoted as an identifier, never pasted into SQL text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import sqlglot
from sqlglot import exp

from hoist.config import ModelConfig, SourceConfig
from hoist.errors import HoistError
from hoist.mapping import column_category
from hoist.segments import kind_of
from hoist.sources import open_source
from hoist.sql.model import model_query
from hoist.ui.types import arrow_word

__all__ = ["Column", "distinct_values", "list_tables", "model_columns", "schema_columns"]

#: A text column with at most this many distinct values gets them offered as suggestions.
MAX_SUGGESTIONS = 20

_SYSTEM_SCHEMAS = ("information_schema", "pg_catalog")


@dataclass(frozen=True)
class Column:
    """A column as the UI shows it: its name, its warehouse type, and hoist's reading of it."""

    name: str
    type: str
    kind: str
    """The segment kind (text, integer, number, boolean, date, timestamp, other)."""
    category: str
    """The mapping category (string, integer, float, boolean, date, datetime, other)."""
    word: str = ""
    """The type as every page names it (`hoist.ui.types`): text, integer, decimal..."""


def schema_columns(schema: pa.Schema) -> list[Column]:
    """The columns of an Arrow schema."""
    return [
        Column(
            f.name, str(f.type), str(kind_of(f.type)), column_category(f.type), arrow_word(f.type)
        )
        for f in schema
    ]


def list_tables(source: SourceConfig) -> list[str]:
    """``schema.table`` for every table and view the source shows (empty if it cannot list)."""
    tables = exp.to_table("information_schema.tables")
    query = (
        exp.select("table_schema", "table_name")
        .from_(tables)
        .where(exp.column("table_schema").isin(*_SYSTEM_SCHEMAS).not_())
        .order_by("table_schema", "table_name")
    )
    try:
        with open_source(source) as opened:
            rows = opened.read(query.sql(dialect=opened.dialect)).read_all().to_pylist()
    except HoistError:
        return []  # the UI then takes a typed name
    return [f"{row['table_schema']}.{row['table_name']}" for row in rows]


def model_columns(source: SourceConfig, model: ModelConfig) -> pa.Schema:
    """The columns a model yields, read from the warehouse without reading its rows.

    Raises `ConfigError` for a model that is not valid SQL, `SourceError` when the warehouse
    cannot run it.
    """
    with open_source(source) as opened:
        sql = model_query(model, opened.dialect, source=opened, dbt=source.dbt)
        parsed = sqlglot.parse_one(sql, dialect=opened.dialect)
        model_rows = exp.Subquery(this=parsed, alias=exp.TableAlias(this=exp.to_identifier("m")))
        probe = exp.select(exp.Star()).from_(model_rows).limit(0)
        reader = opened.read(probe.sql(dialect=opened.dialect))
        schema: pa.Schema = reader.schema
        reader.read_all()
        return schema


def distinct_values(source: SourceConfig, table: str, column: str) -> list[str]:
    """The distinct non-null values of `column` of `table`, if there are at most
    `MAX_SUGGESTIONS` (else none: a free-text column is not worth listing)."""
    name = exp.column(exp.to_identifier(column, quoted=True))
    try:
        target = exp.to_table(table)
    except sqlglot.errors.SqlglotError:
        return []
    query = (
        exp.select(name)
        .distinct()
        .from_(target)
        .where(name.is_(exp.null()).not_())
        .order_by(name)
        .limit(MAX_SUGGESTIONS + 1)
    )
    try:
        with open_source(source) as opened:
            rows = opened.read(query.sql(dialect=opened.dialect)).read_all().to_pylist()
    except (HoistError, sqlglot.errors.SqlglotError):
        return []  # suggestions are a help: the conditions' own check reports the problem
    values = [str(next(iter(row.values()))) for row in rows]
    return values if len(values) <= MAX_SUGGESTIONS else []
