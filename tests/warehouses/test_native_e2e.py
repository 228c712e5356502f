"""Warehouse-native state: runs on DuckDB and Postgres leave Intercom as local state does."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness.warehouses import COUNTS, NATIVE, PostgresActivation, Twin, held, snapshots


def test_duckdb_native_state_agrees_with_local_state(
    duckdb_native: Twin, duckdb_twin: Twin
) -> None:
    """Run after run, native state on DuckDB reports and leaves what local state does."""
    for step, rows in enumerate(snapshots()):
        duckdb_native.activation.write_rows(rows)
        duckdb_twin.activation.write_rows(rows)

        native = duckdb_native.activation.run_json()
        local = duckdb_twin.activation.run_json()

        assert native["_exit"] == local["_exit"], (step, native["_stderr"])
        assert {k: native[k] for k in COUNTS} == {k: local[k] for k in COUNTS}, step
        assert held(duckdb_native.emulator) == held(duckdb_twin.emulator), step
        changed = native["created"] + native["updated"] + native["not_in_intercom"]
        assert changed <= native["rows_fetched"] <= 1.1 * changed + native["rejected"]


@pytest.mark.postgres
def test_postgres_native_state_agrees_with_local_state(
    postgres_activation: PostgresActivation, emulator: Any, duckdb_twin: Twin
) -> None:
    """Run after run, native state in Postgres reports and leaves what local state does."""
    postgres_activation.state = NATIVE
    postgres_activation.configure()
    for step, rows in enumerate(snapshots()):
        postgres_activation.write_rows(rows)
        duckdb_twin.activation.write_rows(rows)

        native = postgres_activation.run_json()
        local = duckdb_twin.activation.run_json()

        assert native["_exit"] == local["_exit"], (step, native["_stderr"])
        assert {k: native[k] for k in COUNTS} == {k: local[k] for k in COUNTS}, step
        assert held(emulator.emulator) == held(duckdb_twin.emulator), step
    assert local["rows_fetched"] == len(snapshots()[-1])
