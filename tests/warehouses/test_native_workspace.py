"""Warehouse-native state is bound to its workspace as local state is; `--reset-state` moves
its tables aside (verify and contacts on native state: `tests/conformance`)."""

from __future__ import annotations

import json
from collections.abc import Callable

import duckdb

from hoist.emulator.testing import EmulatorHandle
from tests.harness.activation import Activation, company_rows, writes
from tests.harness.warehouses import NATIVE, Twin, with_state

Start = Callable[..., EmulatorHandle]


def point_at(activation: Activation, handle: EmulatorHandle) -> None:
    """Point the native activation (same warehouse state) at another emulator: another workspace."""
    activation.base_url = handle.base_url
    activation.configure()
    with_state(activation, NATIVE)


def hoist_tables(activation: Activation) -> list[str]:
    """The tables of the warehouse's hoist schema."""
    with duckdb.connect(str(activation.warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'hoist'"
        ).fetchall()
    return sorted(name for (name,) in rows)


def test_native_state_in_another_workspace_exits_2_naming_both(
    duckdb_native: Twin, emulator_factory: Start
) -> None:
    """Native state delivered to one workspace stops a run and a plan against another."""
    activation = duckdb_native.activation
    activation.write_rows(company_rows(12))
    assert activation.run_json()["_exit"] == 0
    fresh = emulator_factory()
    point_at(activation, fresh)

    done = activation.hoist("run")

    assert done.returncode == 2
    assert duckdb_native.emulator.app_id in done.stderr
    assert fresh.emulator.app_id in done.stderr
    assert "schema 'hoist'" in done.stderr
    assert "--reset-state" in done.stderr
    assert fresh.emulator.companies() == []
    assert writes(fresh.emulator) == []
    assert activation.hoist("plan").returncode == 2


def test_reset_state_moves_native_tables_aside_and_sends_everything(
    duckdb_native: Twin, emulator_factory: Start
) -> None:
    """`--reset-state --yes` renames the state tables (kept) and the new workspace gets all."""
    activation = duckdb_native.activation
    activation.write_rows(company_rows(12))
    activation.run_json()
    before = hoist_tables(activation)
    fresh = emulator_factory()
    point_at(activation, fresh)

    done = activation.hoist("run", "--reset-state", "--yes", "--json")

    report = json.loads(done.stdout)
    assert done.returncode == 0, done.stderr
    assert (report["created"], report["status"]) == (12, "success")
    assert len(fresh.emulator.companies()) == 12
    kept = [name for name in hoist_tables(activation) if "__replaced_" in name]
    assert sorted(name.split("__")[-1] for name in kept) == sorted(
        name.split("__")[-1] for name in before
    )
    assert "moved" in done.stderr
    assert activation.hoist("run").returncode == 0  # now bound to the new workspace
