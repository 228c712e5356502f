"""The Spark source: a model read as Arrow batches from a local session or Spark Connect."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from hoist.config import ModelConfig, SparkSourceConfig
from hoist.errors import SourceError
from hoist.sources import open_source
from hoist.sql.model import model_query
from tests.harness.spark import write_table

pytestmark = pytest.mark.spark

_VALUES = """
SELECT * FROM VALUES
    ('a', CAST(10.75 AS DECIMAL(12, 2)), TIMESTAMP '2024-01-02 03:04:05', DATE '2024-01-02',
     true, 1.5D, 3),
    ('b', NULL, NULL, NULL, NULL, NULL, NULL)
    AS t(id, mrr, ts, day, flag, score, seats)
"""
_EXPECTED = [
    {
        "id": "a",
        "mrr": Decimal("10.75"),
        "ts": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "day": date(2024, 1, 2),
        "flag": True,
        "score": 1.5,
        "seats": 3,
    },
    {"id": "b", "mrr": None, "ts": None, "day": None, "flag": None, "score": None, "seats": None},
]


def _local() -> SparkSourceConfig:
    return SparkSourceConfig(type="spark", master="local[2]")


def _normalised(table: pa.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.sort_by("id").to_pylist()
    for row in rows:  # the same instant, whatever the session's zone is called
        if row["ts"] is not None:
            row["ts"] = row["ts"].astimezone(UTC)
    return rows


def test_a_sql_model_streams_typed_rows(spark: Any) -> None:
    """A Spark SQL model arrives as Arrow batches with decimals, timestamps and nulls intact."""
    with open_source(_local()) as source:
        assert source.dialect == "spark"
        table = source.read(model_query(ModelConfig(sql=_VALUES), "spark")).read_all()
    assert _normalised(table) == _EXPECTED


def test_a_table_model_is_read_in_batches_of_at_most_batch_rows(spark: Any) -> None:
    """A table model is read whole, partition by partition, never in a batch over `batch_rows`."""
    spark.sql("CREATE DATABASE IF NOT EXISTS analytics")
    rows = [{"id": f"c-{i:05d}", "n": i} for i in range(25_000)]
    write_table(spark, "analytics.batched", rows, "id STRING, n BIGINT")
    query = model_query(ModelConfig(table="analytics.batched"), "spark")
    with open_source(_local()) as source:
        batches = list(source.read(query, batch_rows=4_000))
    assert max(batch.num_rows for batch in batches) <= 4_000
    assert pa.Table.from_batches(batches).sort_by("id").to_pylist() == rows


def test_the_model_is_never_collected_whole(spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a model never calls a DataFrame method that gathers every row on the driver."""
    from pyspark.sql.classic.dataframe import DataFrame

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the whole model was collected")

    for method in ("collect", "toArrow", "toPandas", "_collect_as_arrow"):
        monkeypatch.setattr(DataFrame, method, refuse)
    with open_source(_local()) as source:
        assert source.read("SELECT id FROM range(30000)").read_all().num_rows == 30_000


def test_an_empty_model_still_has_its_columns(spark: Any) -> None:
    """A model with no rows yields no batch but the model's columns and types."""
    with open_source(_local()) as source:
        reader = source.read(f"SELECT * FROM ({_VALUES}) WHERE false")
        assert reader.schema.names == ["id", "mrr", "ts", "day", "flag", "score", "seats"]
        assert reader.schema.field("mrr").type == pa.decimal128(12, 2)
        assert reader.read_all().num_rows == 0


def test_a_bad_query_is_a_source_error_naming_the_problem(spark: Any) -> None:
    """A missing table is a SourceError with Spark's reason and no JVM stack trace."""
    with open_source(_local()) as source, pytest.raises(SourceError) as caught:
        source.read("SELECT * FROM analytics.no_such_table")
    assert "TABLE_OR_VIEW_NOT_FOUND" in str(caught.value)
    assert "\tat org.apache" not in str(caught.value)


def test_a_failure_while_rows_stream_is_a_source_error(spark: Any) -> None:
    """A task failing after the first rows arrived surfaces as a SourceError while reading."""
    query = "SELECT assert_true(id < 20000) AS ok FROM range(0, 40000, 1, 4)"
    with open_source(_local()) as source, pytest.raises(SourceError, match="is not true"):
        source.read(query).read_all()


def test_a_session_hoist_joined_is_left_running(spark: Any) -> None:
    """Closing the source does not stop a Spark session that was running before hoist."""
    with open_source(_local()) as source:
        source.read("SELECT 1 AS id").read_all()
    assert spark.sql("SELECT 2 AS id").collect()[0]["id"] == 2


def test_a_session_joined_from_another_thread_is_left_running(spark: Any) -> None:
    """A source opened in a worker thread (as a failed run is recorded) joins the session
    running in the process and leaves it running: the active session is per thread."""
    opened: list[BaseException] = []

    def read_and_close() -> None:
        try:
            with open_source(_local()) as source:
                source.read("SELECT 1 AS id").read_all()
        except BaseException as exc:
            opened.append(exc)

    worker = threading.Thread(target=read_and_close)
    worker.start()
    worker.join()
    assert opened == []
    assert spark.sql("SELECT 2 AS id").collect()[0]["id"] == 2


def test_spark_connect_streams_the_same_rows(connect_server: str) -> None:
    """With `remote:`, the model is read from a Spark Connect server, rows and types intact."""
    config = SparkSourceConfig.model_validate({"type": "spark", "remote": connect_server})
    with open_source(config) as source:
        table = source.read(_VALUES, batch_rows=1).read_all()
        many = list(source.read("SELECT id FROM range(25000)", batch_rows=4_000))
        with pytest.raises(SourceError, match="TABLE_OR_VIEW_NOT_FOUND"):
            source.read("SELECT * FROM no_such_table")
    assert _normalised(table) == _EXPECTED
    assert max(batch.num_rows for batch in many) <= 4_000
    assert sum(batch.num_rows for batch in many) == 25_000
