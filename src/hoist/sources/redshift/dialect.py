"""Redshift's dialect: Postgres's rewrites of hoist's SQL, and no row hash hoist relies on."""

from __future__ import annotations

from typing import ClassVar

from sqlglot import exp

from hoist.sources.definition import WarehouseDialect
from hoist.sources.postgres.dialect import postgres_rewrite

__all__ = ["RedshiftDialect"]


class RedshiftDialect(WarehouseDialect):
    """Redshift speaks Postgres's SQL where hoist's differs; it has no ``hash_record_extended``,
    so its warehouse diff normalises every row (correct, slower)."""

    name: ClassVar[str] = "redshift"

    def portable(self, expression: exp.Expr) -> exp.Expr:
        """`expression` with Postgres's rewrite applied to every node."""
        return expression.transform(postgres_rewrite)
