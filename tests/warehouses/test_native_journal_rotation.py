"""On engines without DELETE, compaction starts a fresh journal; a crash at any step is safe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from hoist.diff.changes import Confirmation
from hoist.diff.local import state_column
from hoist.sources.duckdb.connector import DuckDBSource
from hoist.sql.build import render
from hoist.state.native import NativeStateStore


class _WithoutDelete(DuckDBSource):
    """DuckDB standing in for an engine whose tables have no DELETE (Spark's Parquet)."""

    can_delete = False


class _KilledError(Exception):
    """The process died here (injected: a real kill would end the test too)."""


class _DiesAfter:
    """`warehouse`, dying before its statement number `statements` (0: the first)."""

    can_delete = False

    def __init__(self, warehouse: DuckDBSource, statements: int) -> None:
        self.warehouse = warehouse
        self.dialect = warehouse.dialect
        self.left = statements

    def execute(self, sql: str) -> None:
        """Run `sql`, unless the process dies first."""
        if self.left == 0:
            raise _KilledError(sql)
        self.left -= 1
        self.warehouse.execute(sql)

    def query(self, sql: str) -> pa.Table:
        """Run a query."""
        return self.warehouse.query(sql)

    def append(self, schema: str, table: str, rows: pa.Table) -> None:
        """Append rows."""
        self.warehouse.append(schema, table, rows)


def _warehouse(path: Path) -> _WithoutDelete:
    duckdb.connect(str(path)).close()
    return _WithoutDelete(path, writable=True)


def _confirm(store: NativeStateStore, names: dict[str, str]) -> None:
    store.add_attribute_columns(["name"])
    confirmations = [Confirmation(c, f"ic-{c}", {"name": f'"{n}"'}) for c, n in names.items()]
    store.commit(confirmations, ["name"])


def _held(warehouse: Any) -> dict[str, str]:
    """company_id -> name text, as the next run reads state."""
    with NativeStateStore.open(warehouse, "hoist", "act", read_only=True) as store:
        relation = store.relation(["name"])
    rows = warehouse.query(f"SELECT * FROM {render(relation, 'duckdb')} AS r").to_pylist()
    return {str(r["company_id"]): str(r[state_column("name")]) for r in rows}


def _tables(warehouse: DuckDBSource) -> list[str]:
    """The activation's journals and snapshots."""
    names = warehouse.query("SELECT table_name FROM information_schema.tables").column(0)
    return sorted(str(n) for n in names.to_pylist() if "journal" in n or "snapshot" in n)


def test_each_compaction_starts_a_fresh_journal_and_drops_the_folded_one(
    tmp_path: Path,
) -> None:
    """After each compaction the journal a run reads holds only what came after it, and the
    folded journal and snapshot are gone."""
    path = tmp_path / "w.duckdb"
    warehouse = _warehouse(path)
    expected: dict[str, str] = {}
    for generation in range(1, 4):
        names = {f"c{generation}-{i}": f"N{generation}.{i}" for i in range(3)}
        with NativeStateStore.open(warehouse, "hoist", "act") as store:
            _confirm(store, names)
            assert store.fold(force=True)
        expected |= names
        assert _held(warehouse) == {c: f'"{n}"' for c, n in expected.items()}
        current = [f"act__journal_{generation}", f"act__snapshot_{generation}"]
        assert _tables(warehouse) == ["act__journal", *current]
        unfolded = warehouse.query(f"SELECT count(*) FROM hoist.act__journal_{generation}")
        assert unfolded.column(0)[0].as_py() == 0


def test_a_crash_at_any_step_of_a_compaction_leaves_state_the_next_run_reads(
    tmp_path: Path,
) -> None:
    """Killed before each statement of a compaction in turn, state reads back whole, and the
    next compaction succeeds and leaves no stray table."""
    steps = 0
    while True:
        path = tmp_path / f"w{steps}.duckdb"
        warehouse = _warehouse(path)
        with NativeStateStore.open(warehouse, "hoist", "act") as store:
            _confirm(store, {"a": "A", "b": "B"})
            store.fold(force=True)
            _confirm(store, {"b": "B2", "c": "C"})
        dying = _DiesAfter(warehouse, steps)
        try:
            with NativeStateStore.open(dying, "hoist", "act") as store:
                store.add_attribute_columns(["name"])
                store.fold(force=True)
            finished = True
        except _KilledError:
            finished = False
        assert _held(warehouse) == {"a": '"A"', "b": '"B2"', "c": '"C"'}, steps
        with NativeStateStore.open(warehouse, "hoist", "act") as store:
            _confirm(store, {"d": "D"})
            assert store.fold(force=True)
        assert _held(warehouse) == {"a": '"A"', "b": '"B2"', "c": '"C"', "d": '"D"'}, steps
        assert len(_tables(warehouse)) == 3, (steps, _tables(warehouse))
        if finished:
            break
        steps += 1
    assert steps >= 5  # every statement of the compaction was a crash point
