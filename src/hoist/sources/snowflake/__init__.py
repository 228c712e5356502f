"""Snowflake, read through its ADBC driver: its config, its connector and its dialect.

`config` and `dialect` import no driver; `connector` (imported by name when a source of this
type is opened) imports the driver.
"""

from __future__ import annotations

from hoist.sources.definition import Warehouse
from hoist.sources.snowflake.config import SnowflakeSourceConfig
from hoist.sources.snowflake.dialect import SnowflakeDialect

__all__ = ["WAREHOUSE"]

WAREHOUSE = Warehouse(
    SnowflakeSourceConfig,
    SnowflakeDialect(),
    drivers=("adbc_driver_snowflake", "adbc_driver_manager"),
    install='pip install "hoist[snowflake]"',
)
