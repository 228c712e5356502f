"""DuckDB's dialect: hoist's SQL is written for DuckDB, so only the row hash is its own."""

from __future__ import annotations

from typing import ClassVar

from sqlglot import exp

from hoist.sources.definition import WarehouseDialect

__all__ = ["DuckDBDialect"]


class DuckDBDialect(WarehouseDialect):
    """DuckDB: no rewrites, rows hashed with ``hash``; native state lives in the database file."""

    name: ClassVar[str] = "duckdb"
    holds_state: ClassVar[bool] = True

    def row_hash(self, values: list[exp.Expr]) -> exp.Expr:
        """DuckDB's ``hash`` of `values`."""
        return exp.func("hash", *values)
