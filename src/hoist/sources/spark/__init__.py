"""Apache Spark: a local session or Spark Connect: its config, its connector and its dialect.

`config` and `dialect` import no driver; `connector` (imported by name when a source of this
type is opened) imports the driver.
Its `catalog` module keeps native state in the session's catalog (Spark has no
information_schema); its dialect rewrites hoist's SQL for Spark SQL.

"""

from __future__ import annotations

from hoist.sources.definition import Warehouse
from hoist.sources.spark.config import SparkSourceConfig
from hoist.sources.spark.dialect import SparkDialect

__all__ = ["WAREHOUSE"]

WAREHOUSE = Warehouse(
    SparkSourceConfig, SparkDialect(), drivers=("pyspark",), install='pip install "hoist[spark]"'
)
