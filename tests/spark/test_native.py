"""Warehouse-native state on Spark: what only native state does (the rest runs in the twins)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.harness.spark import write_parquet
from tests.harness.twins import SPARK_COLUMNS, Twins, model_rows

pytestmark = pytest.mark.spark


@pytest.mark.parametrize("twins", ["native"], indirect=True)
def test_a_plan_before_any_run_creates_no_state_table(twins: Twins, spark: Any) -> None:
    """A plan on native Spark state creates the state schema and nothing in it, and leaves no
    temporary view or cached rows of its diff's stages in the session."""
    twins.write_rows(model_rows(5))
    report = twins.run("plan")
    assert report["created"] == 5
    assert twins.spark.state is not None
    schema = twins.spark.state["schema"]
    assert spark.catalog.databaseExists(schema)
    assert spark.catalog.listTables(schema) == []
    views = [t.name for t in spark.catalog.listTables() if t.isTemporary]
    assert [name for name in views if name.startswith("hoist_")] == []


@pytest.mark.parametrize("twins", ["native"], indirect=True)
def test_spark_connect_keeps_native_state_on_the_server(
    twins: Twins, spark: Any, connect_server: str, tmp_path: Path
) -> None:
    """Through Spark Connect, native state lives in the server's catalog and runs match DuckDB."""
    rows = model_rows(10)
    model = tmp_path / "model.parquet"

    def write(rows: list[dict[str, Any]]) -> None:
        twins.write_rows(rows)
        write_parquet(spark, model, rows, SPARK_COLUMNS)

    write(rows)
    twins.spark.source = {"type": "spark", "remote": connect_server}
    twins.spark.model = {"sql": f"SELECT * FROM parquet.`{model}`"}
    twins.configure()
    first = twins.run()
    assert (first["created"], first["status"]) == (10, "success")
    marks = twins.request_marks()
    assert twins.run()["unchanged"] == 10
    assert twins.assert_same_writes(marks) == []
    rows[4]["account_name"] = "Renamed over Connect"
    write(rows)
    marks = twins.request_marks()
    assert twins.run()["updated"] == 1
    assert [body for _, _, body in twins.assert_same_writes(marks)] == [
        {"company_id": "acct-0004", "name": "Renamed over Connect"}
    ]
    twins.assert_same_companies()
    # The state tables are the server's, not the local session's.
    assert twins.spark.state is not None
    assert not spark.catalog.databaseExists(twins.spark.state["schema"])
