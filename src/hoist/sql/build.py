"""Small builders for sqlglot expressions: quoted identifiers, literals, templates, rendering.

Statements are written once as DuckDB-dialect templates whose ``$name`` placeholders are filled
with expression nodes (identifiers, literals, sub-expressions), never with text; the tree is then
rendered for whichever dialect runs it. Every name is quoted, every value is a literal.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import sqlglot
from sqlglot import exp

__all__ = [
    "column",
    "identifier",
    "join_and",
    "join_or",
    "literal",
    "render",
    "table",
    "temp_table_as",
    "template",
]


def identifier(name: str) -> exp.Identifier:
    """`name` as an always-quoted identifier (any characters, reserved words included)."""
    return exp.to_identifier(name, quoted=True)


def column(name: str, table_alias: str | None = None) -> exp.Column:
    """A quoted column reference, optionally qualified by a table alias."""
    return exp.column(identifier(name), table=identifier(table_alias) if table_alias else None)


def table(name: str, schema: str | None = None) -> exp.Table:
    """A quoted table reference, optionally inside `schema`."""
    return exp.table_(identifier(name), db=identifier(schema) if schema else None)


def temp_table_as(name: str, query: exp.Expr) -> exp.Expr:
    """`CREATE OR REPLACE TEMPORARY TABLE name AS query`: a session's scratch table."""
    return exp.Create(
        this=table(name),
        kind="TABLE",
        expression=query,
        replace=True,
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )


def literal(value: object) -> exp.Expr:
    """A SQL literal for a Python value (strings are escaped by sqlglot)."""
    return exp.convert(value)


@functools.lru_cache(maxsize=256)
def _parsed(sql: str) -> exp.Expr:
    return sqlglot.parse_one(sql, read="duckdb")


def template(sql: str, **parts: exp.Expr) -> exp.Expr:
    """The constant DuckDB template `sql` with each ``$name`` replaced by the node `parts[name]`."""
    return exp.replace_placeholders(_parsed(sql).copy(), **parts)


def join_and(conditions: Iterable[exp.Expr]) -> exp.Expr:
    """`a AND b AND ...`, or TRUE for no condition."""
    listed = list(conditions)
    return exp.and_(*listed) if listed else exp.true()


def join_or(conditions: Iterable[exp.Expr]) -> exp.Expr:
    """`a OR b OR ...`, or FALSE for no condition."""
    listed = list(conditions)
    return exp.or_(*listed) if listed else exp.false()


def render(expression: exp.Expr, dialect: str = "duckdb") -> str:
    """The SQL text of `expression` in `dialect`."""
    return expression.sql(dialect=dialect)
