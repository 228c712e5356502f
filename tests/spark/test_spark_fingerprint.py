"""Native state on Spark skips rows by fingerprint, and no fingerprint hides a change or a bad row.

The bodies of `tests/warehouses/test_native_fingerprint.py`, on Spark (the twins: a DuckDB run
with local state beside a Spark run with native state, asserted to do the same).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from hoist.diff import fingerprint
from hoist.diff.in_warehouse import portable
from hoist.mapping import Field
from hoist.sql.build import render
from tests.harness.twins import Twins, model_rows

pytestmark = pytest.mark.spark


def _fingerprints(spark: Any, fields: list[Field], rows: pa.Table) -> list[str]:
    """The Spark fingerprint of each of `rows` (a model with ``id`` and ``n`` columns), by ``n``."""
    printed = fingerprint.expression(fields, "id", "spark", "m")
    assert printed is not None
    spark.createDataFrame(rows).createOrReplaceTempView("fingerprinted")
    value = render(portable(printed, "spark"), "spark")
    query = f"SELECT {value} AS fp FROM fingerprinted AS m ORDER BY m.n"
    return [str(v) for v in spark.sql(query).toArrow().column("fp").to_pylist()]


def test_values_that_send_different_texts_never_share_a_fingerprint(spark: Any) -> None:
    """A NULL moved to the next column and -0.0 sent as text change a row's fingerprint; equal
    values keep it, and another number sent as a number changes it."""
    fields = [
        Field("name", "a", "string", "string"),
        Field("plan", "b", "string", "string"),
        Field("industry", "x", "float", "string"),
        Field("score", "y", "float", "float"),
    ]
    rows = pa.table(
        {
            "n": pa.array([1, 2, 3, 4, 5], pa.int64()),
            "id": pa.array(["c"] * 5, pa.string()),
            "a": pa.array([None, "p", "p", "p", "p"], pa.string()),
            "b": pa.array(["p", None, None, None, None], pa.string()),
            "x": pa.array([0.0, 0.0, -0.0, 0.0, 0.0], pa.float64()),
            "y": pa.array([1.5, 1.5, 1.5, 1.5, 2.5], pa.float64()),
        }
    )
    moved, base, minus, same, other = _fingerprints(spark, fields, rows)

    assert base == same
    assert moved != base  # (NULL, 'p') is not ('p', NULL)
    assert minus != base  # -0.0 sent as text
    assert other != base


@pytest.mark.parametrize("twins", ["native"], indirect=True)
def test_no_fingerprint_hides_a_change_or_a_duplicate_on_spark(twins: Twins) -> None:
    """A NULL moved to the next column and -0.0 sent as text where 0.0 was are sent, an exact
    copy of a synced row is refused although its fingerprint matches state (as DuckDB with
    local state does), and once the copy is gone a rerun fetches no row."""
    twins.configure(
        mapping={"name": "account_name", "industry": "plan_name", "website": "health_score"},
        custom_attributes=["seats"],
    )
    rows = model_rows(5)
    for row in rows:
        row.update(account_name="Acme", plan_name=None, health_score=0.0)
    twins.write_rows(rows)
    assert twins.run()["created"] == 5
    rows[1].update(account_name=None, plan_name="Acme")
    rows[3]["health_score"] = -0.0
    twins.write_rows([*rows, dict(rows[4])])
    marks = twins.request_marks()

    report = twins.run()

    assert (report["updated"], report["unchanged"], report["rejected"]) == (2, 2, 1)
    assert [(e["code"], e["company_id"]) for e in report["errors"]] == [
        ("duplicate_company_id", "acct-0004")
    ]
    written = sorted(company for _, company, _ in twins.assert_same_writes(marks))
    assert written == ["acct-0001", "acct-0003"]
    twins.assert_same_companies()
    twins.write_rows(rows)
    assert twins.spark.report()["rows_fetched"] == 0
