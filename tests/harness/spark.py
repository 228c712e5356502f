"""Spark settings of the tests and tables written through the shared session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

#: Spark settings of the shared session (and of the sessions hoist starts in subprocesses).
SMALL_SPARK: dict[str, str] = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "512m",
    "spark.sql.session.timeZone": "UTC",
    # The tests' JVMs live for seconds to minutes over small tables: the C1 compiler alone and
    # the serial collector halve their CPU (measured: 56 s -> 26 s for a session's start and a
    # few dozen statements), which is most of what the Spark tier costs on two cores. hoist's
    # own sessions keep the JVM's defaults, tuned for long runs over big tables.
    "spark.driver.extraJavaOptions": "-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
}


def write_table(spark: Any, name: str, rows: list[dict[str, Any]], ddl: str) -> None:
    """Replace the Spark table `name` (schema `ddl`) with `rows`, as Parquet files."""
    frame = spark.createDataFrame(pa.Table.from_pylist(rows, schema=_arrow_schema(spark, ddl)))
    frame.write.mode("overwrite").format("parquet").saveAsTable(name)


def _arrow_schema(spark: Any, ddl: str) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema
    from pyspark.sql.types import StructType

    schema = StructType.fromDDL(ddl)
    assert isinstance(schema, StructType)
    arrow: pa.Schema = to_arrow_schema(schema, timezone="UTC")
    return arrow


def write_parquet(spark: Any, path: Path, rows: list[dict[str, Any]], ddl: str) -> None:
    """Replace the Parquet files at `path` with `rows` (schema `ddl`)."""
    frame = spark.createDataFrame(pa.Table.from_pylist(rows, schema=_arrow_schema(spark, ddl)))
    frame.write.mode("overwrite").parquet(str(path))
