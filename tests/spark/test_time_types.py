"""Spark reads a Parquet model written by DuckDB (naive timestamps) as the DuckDB run does.

DuckDB and pandas write timestamps without a time zone, which Spark reads as ``TIMESTAMP_NTZ``;
zoned ones come back as ``TIMESTAMP`` (local time zone) and dates as ``DATE``. Each feeds
`remote_created_at` and date/datetime custom attributes, with local and native state, through
a classic session and through Spark Connect in a session whose time zone is not UTC.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.harness.twins import Twins

pytestmark = pytest.mark.spark

_ROWS = [
    ("t-0", "2020-01-02 03:04:05", "2020-01-02 03:04:05+00", "2020-01-02"),
    ("t-1", "1969-12-31 23:59:59.5", "1969-12-31 18:59:59.5-05", "1969-12-31"),
    ("t-2", "2024-02-29 12:00:00.999999", "2024-02-29 23:30:00+05:30", "2024-02-29"),
    ("t-3", None, None, None),
    ("t-4", "2038-01-19 03:14:08", "2038-01-19 03:14:08+00", "2038-01-19"),
]


def _write_model(twins: Twins, parquet: Path) -> None:
    """The model in the DuckDB side's warehouse, and copied by DuckDB into a Parquet file."""
    con = duckdb.connect(str(twins.duck_warehouse.warehouse))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE SCHEMA IF NOT EXISTS analytics")
    con.execute(
        "CREATE OR REPLACE TABLE analytics.times (account_id VARCHAR, created TIMESTAMP, "
        "seen_at TIMESTAMPTZ, signed_on DATE)"
    )
    con.executemany("INSERT INTO analytics.times VALUES (?, ?, ?, ?)", _ROWS)
    con.execute(f"COPY analytics.times TO '{parquet}' (FORMAT parquet)")
    con.close()


def _point_at(twins: Twins, parquet: Path, spark_source: dict[str, Any]) -> None:
    twins.duck.model = {"table": "analytics.times"}
    twins.spark.model = {"sql": f"SELECT * FROM parquet.`{parquet}`"}
    twins.spark.source = spark_source


def _runs_match_duckdb(twins: Twins, spark: Any, parquet: Path) -> None:
    """remote_created_at from each time column in turn; custom date and datetime attributes."""
    types = spark.read.parquet(str(parquet)).dtypes
    assert dict(types)["created"] == "timestamp_ntz"
    assert (dict(types)["seen_at"], dict(types)["signed_on"]) == ("timestamp", "date")
    twins.configure(
        mapping={"remote_created_at": "created"}, custom_attributes=["seen_at", "signed_on"]
    )
    first = twins.run()
    assert (first["status"], first["created"], first["rejected"]) == ("success", 5, 0)
    held = twins.assert_same_companies()
    assert held["t-0"]["remote_created_at"] == 1577934245  # 2020-01-02 03:04:05 UTC
    assert held["t-1"]["remote_created_at"] == -1  # floor of 1969-12-31 23:59:59.5 UTC
    assert held["t-0"]["custom_attributes"] == {"seen_at": 1577934245, "signed_on": 1577923200}
    assert held["t-2"]["custom_attributes"]["seen_at"] == 1709229600  # 18:00 UTC
    assert twins.run()["unchanged"] == 5
    for column in ("seen_at", "signed_on"):
        twins.configure(
            mapping={"remote_created_at": column}, custom_attributes=["seen_at", "signed_on"]
        )
        changed = twins.run()
        assert (changed["status"], changed["failed"], changed["rejected"]) == ("success", 0, 0)
        twins.assert_same_companies()
    assert held["t-3"]["remote_created_at"] is None


def test_naive_zoned_and_date_columns_match_duckdb(
    twins: Twins, spark: Any, tmp_path: Path
) -> None:
    """In a classic session, TIMESTAMP_NTZ, TIMESTAMP and DATE give DuckDB's Unix seconds."""
    parquet = tmp_path / "times.parquet"
    _write_model(twins, parquet)
    _point_at(twins, parquet, {"type": "spark", "master": "local[2]"})
    _runs_match_duckdb(twins, spark, parquet)


def test_over_spark_connect_in_another_time_zone_as_over_duckdb(
    twins: Twins, spark: Any, connect_server: str, tmp_path: Path
) -> None:
    """Through Spark Connect in New York time, naive timestamps still read as UTC."""
    parquet = tmp_path / "times.parquet"
    _write_model(twins, parquet)
    zone = {"spark.sql.session.timeZone": "America/New_York"}
    _point_at(twins, parquet, {"type": "spark", "remote": connect_server, "conf": zone})
    _runs_match_duckdb(twins, spark, parquet)
