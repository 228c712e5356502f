"""DuckDB, the embedded default warehouse: its config, its connector and its dialect.

`config` and `dialect` import no driver; `connector` (imported by name when a source of this
type is opened) imports the driver.
"""

from __future__ import annotations

from hoist.sources.definition import Warehouse
from hoist.sources.duckdb.config import DuckDBSourceConfig
from hoist.sources.duckdb.dialect import DuckDBDialect

__all__ = ["WAREHOUSE"]

WAREHOUSE = Warehouse(
    DuckDBSourceConfig, DuckDBDialect(), drivers=("duckdb",), install='pip install "duckdb>=1.4"'
)
