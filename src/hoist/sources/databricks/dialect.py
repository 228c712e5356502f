"""Databricks's dialect: sqlglot's `databricks`, no rewrites and no row hash hoist relies on."""

from __future__ import annotations

from typing import ClassVar

from hoist.sources.definition import WarehouseDialect

__all__ = ["DatabricksDialect"]


class DatabricksDialect(WarehouseDialect):
    """Databricks: hoist's SQL rendered by sqlglot as it is; its SQLAlchemy connector cannot
    hold native state."""

    name: ClassVar[str] = "databricks"
