"""Databricks, read through its SQLAlchemy dialect: its config, its connector and its dialect.

`config` and `dialect` import no driver; `connector` (imported by name when a source of this
type is opened) imports the driver.
"""

from __future__ import annotations

from hoist.sources.databricks.config import DatabricksSourceConfig
from hoist.sources.databricks.dialect import DatabricksDialect
from hoist.sources.definition import Warehouse

__all__ = ["WAREHOUSE"]

WAREHOUSE = Warehouse(
    DatabricksSourceConfig,
    DatabricksDialect(),
    drivers=("sqlalchemy", "databricks"),
    install='pip install "hoist[databricks]"',
)
