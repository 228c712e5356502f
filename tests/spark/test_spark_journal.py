"""On Spark (no DELETE on Parquet tables) each compaction starts a fresh journal."""

from __future__ import annotations

from typing import Any

import pytest

from hoist.diff.changes import Confirmation
from hoist.diff.in_warehouse import portable
from hoist.sources.spark.connector import SparkSource
from hoist.sql.build import render
from hoist.state.native import NativeStateStore

pytestmark = pytest.mark.spark


def test_the_journal_a_plan_reads_holds_only_what_came_after_the_last_compaction(
    spark: Any,
) -> None:
    """Two compactions later, state holds every confirmation, the current journal is empty and
    fresh, and the folded journals and snapshots are gone."""
    source = SparkSource(spark, owned=False)
    schema = "hoist_journal_rotation"
    for generation in (1, 2):
        with NativeStateStore.open(source, schema, "act") as store:
            store.add_attribute_columns(["name"])
            confirmations = [
                Confirmation(f"c{generation}{i}", f"ic{generation}{i}", {"name": f'"{i}"'})
                for i in range(3)
            ]
            store.commit(confirmations, ["name"])
            assert store.fold(force=True)

    with NativeStateStore.open(source, schema, "act", read_only=True) as store:
        relation = render(portable(store.relation(["name"]), "spark"), "spark")
    held = source.query(f"SELECT company_id FROM {relation} AS r")
    tables = sorted(t.name for t in spark.catalog.listTables(schema) if "__" in t.name)

    assert sorted(held.column(0).to_pylist()) == ["c10", "c11", "c12", "c20", "c21", "c22"]
    assert [t for t in tables if "journal" in t or "snapshot" in t] == [
        "act__journal",
        "act__journal_2",
        "act__snapshot_2",
    ]
    assert source.query(f"SELECT count(*) FROM {schema}.act__journal_2").column(0)[0].as_py() == 0
