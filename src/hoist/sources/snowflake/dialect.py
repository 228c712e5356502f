"""Snowflake's dialect: sqlglot's `snowflake`, no rewrites and no row hash hoist relies on."""

from __future__ import annotations

from typing import ClassVar

from hoist.sources.definition import WarehouseDialect

__all__ = ["SnowflakeDialect"]


class SnowflakeDialect(WarehouseDialect):
    """Snowflake: hoist's SQL rendered by sqlglot as it is; its ADBC connector can hold
    native state (not reachable from the tests)."""

    name: ClassVar[str] = "snowflake"
    holds_state: ClassVar[bool] = True
