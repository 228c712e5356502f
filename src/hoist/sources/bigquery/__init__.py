"""BigQuery, read through its ADBC driver: its config, its connector and its dialect.

`config` and `dialect` import no driver; `connector` (imported by name when a source of this
type is opened) imports the driver.
"""

from __future__ import annotations

from hoist.sources.bigquery.config import BigQuerySourceConfig
from hoist.sources.bigquery.dialect import BigQueryDialect
from hoist.sources.definition import Warehouse

__all__ = ["WAREHOUSE"]

WAREHOUSE = Warehouse(
    BigQuerySourceConfig,
    BigQueryDialect(),
    drivers=("adbc_driver_bigquery", "adbc_driver_manager"),
    install='pip install "hoist[bigquery]"',
)
