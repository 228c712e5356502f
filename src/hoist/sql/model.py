"""A model (a SQL query, a table or a dbt model) as the query to run in the warehouse's dialect.

A table becomes ``SELECT * FROM <table>`` built with sqlglot, so its identifiers are quoted for
the dialect; a dbt model is the relation dbt built (read from its manifest), quoted the same
way. A query is checked to be one query in the dialect and is then sent as written: it is the
user's SQL, already in the warehouse's dialect. (Segments, a table plus filter
conditions, are compiled by `hoist.segments`.)
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError

from hoist.config import DbtProject, ModelConfig
from hoist.dbt import dbt_relation
from hoist.errors import ConfigError
from hoist.segments import segment_sql
from hoist.sources import Source

__all__ = ["model_query"]


def model_query(
    model: ModelConfig,
    dialect: str,
    *,
    file: str | None = None,
    source: Source | None = None,
    key: str = "model",
    dbt: DbtProject | None = None,
) -> str:
    """The SQL that reads `model`'s rows, for the sqlglot `dialect` of the source.

    Problems are `ConfigError`s naming `file` (the activation file) and the model's `key`
    (``model``, or ``contacts.model`` for the contacts model). A segment is checked against its
    table's real columns, read from `source`. A dbt model is looked up in the manifest of
    `dbt`, the source's dbt project.
    """
    if model.segment is not None:
        if source is None:
            raise ConfigError("a segment is compiled against its source", file=file, key=key)
        return segment_sql(model.segment, source)
    if model.table is not None:
        return _table_query(model.table, dialect, file, key)
    if model.dbt is not None:
        relation = dbt_relation(dbt, model.dbt, file=file, key=f"{key}.dbt")
        return exp.select("*").from_(relation).sql(dialect=dialect, identify="safe")
    if model.sql is not None:
        return _checked_query(model.sql, dialect, file, key)
    raise ConfigError(f"set {key}.sql or {key}.table", file=file, key=key)


def _table_query(table: str, dialect: str, file: str | None, key: str) -> str:
    try:
        node = exp.to_table(table, dialect=dialect)
    except SqlglotError as exc:
        raise ConfigError(
            f"{table!r} is not a table name ({_first_line(exc)}); write it as schema.table and "
            'put a part holding unusual characters in double quotes, e.g. analytics."my table"',
            file=file,
            key=f"{key}.table",
        ) from exc
    # "safe" quotes only where quoting cannot change which table is meant in the dialect.
    return exp.select("*").from_(node).sql(dialect=dialect, identify="safe")


def _checked_query(sql: str, dialect: str, file: str | None, key: str) -> str:
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except ParseError as exc:
        raise ConfigError(
            f"the query does not parse as {dialect} SQL: {_parse_problem(exc)}; fix the query",
            file=file,
            key=f"{key}.sql",
        ) from exc
    except SqlglotError as exc:
        raise ConfigError(
            f"the query does not parse as {dialect} SQL: {_first_line(exc)}; fix the query",
            file=file,
            key=f"{key}.sql",
        ) from exc
    if len(statements) != 1:
        raise ConfigError(
            f"holds {len(statements)} statements; the model must be one query",
            file=file,
            key=f"{key}.sql",
        )
    if not isinstance(statements[0], exp.Query):
        raise ConfigError(
            f"is a {statements[0].key.upper()} statement; the model must be a query "
            "(SELECT ..., WITH ... SELECT ..., FROM ...)",
            file=file,
            key=f"{key}.sql",
        )
    return sql


def _parse_problem(exc: ParseError) -> str:
    if not exc.errors:
        return _first_line(exc)
    error = exc.errors[0]
    # The description embeds sqlglot's token repr; the highlighted text says the same, plainly.
    description = str(error.get("description", "syntax error")).split(" <Token")[0]
    near = f" near {error['highlight']!r}" if error.get("highlight") else ""
    return f"{description}{near} at line {error.get('line')}, column {error.get('col')}"


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
