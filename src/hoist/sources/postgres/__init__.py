"""PostgreSQL, read through ADBC's libpq driver: its config, its connector and its dialect.

`config` and `dialect` import no driver; `connector` (imported by name when a source of this
type is opened) imports the driver.
"""

from __future__ import annotations

from hoist.sources.definition import Warehouse
from hoist.sources.postgres.config import PostgresSourceConfig
from hoist.sources.postgres.dialect import PostgresDialect

__all__ = ["WAREHOUSE"]

WAREHOUSE = Warehouse(
    PostgresSourceConfig,
    PostgresDialect(),
    drivers=("adbc_driver_postgresql", "adbc_driver_manager"),
    install='pip install "hoist[postgres]"',
)
