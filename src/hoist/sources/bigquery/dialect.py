"""BigQuery's dialect: sqlglot's `bigquery`, no rewrites and no row hash hoist relies on."""

from __future__ import annotations

from typing import ClassVar

from hoist.sources.definition import WarehouseDialect

__all__ = ["BigQueryDialect"]


class BigQueryDialect(WarehouseDialect):
    """BigQuery: hoist's SQL rendered by sqlglot as it is; its ADBC connector can hold
    native state (not reachable from the tests)."""

    name: ClassVar[str] = "bigquery"
    holds_state: ClassVar[bool] = True
