"""Switching an activation from local to warehouse-native state never starts over silently;
a native run says how many rows left the warehouse."""

from __future__ import annotations

from tests.harness.activation import company_rows
from tests.harness.warehouses import NATIVE, Twin, with_state


def test_switching_to_native_state_asks_for_reset_state_instead_of_resending(
    duckdb_twin: Twin,
) -> None:
    """After local runs, turning on state.in_warehouse makes the run exit 2 naming the local
    file and `--reset-state`, sending nothing; `--reset-state --yes` then starts over."""
    activation = duckdb_twin.activation
    activation.write_rows(company_rows(20))
    assert activation.run_json()["created"] == 20
    with_state(activation, NATIVE)
    before = len(duckdb_twin.emulator.requests())

    refused = activation.hoist("run")

    assert refused.returncode == 2
    assert "the warehouse holds no state for this activation" in refused.stderr
    assert str(activation.state_file) in refused.stderr
    assert f"hoist run {activation.file} --reset-state" in refused.stderr
    writes = [r for r in duckdb_twin.emulator.requests()[before:] if r.method != "GET"]
    assert writes == []
    started_over = activation.hoist("run", "--reset-state", "--yes")
    assert started_over.returncode == 0, started_over.stderr
    assert not activation.state_file.exists()
    assert activation.run_json()["unchanged"] == 20


def test_switching_back_to_local_state_asks_for_reset_state_instead_of_resending(
    duckdb_native: Twin,
) -> None:
    """After native runs, turning state.in_warehouse off makes the run exit 2 naming the
    warehouse's schema and `--reset-state`, sending nothing; `--reset-state --yes` moves the
    warehouse's tables aside and the next run starts local state over."""
    activation = duckdb_native.activation
    activation.write_rows(company_rows(20))
    assert activation.run_json()["created"] == 20
    with_state(activation, {})
    before = len(duckdb_native.emulator.requests())

    refused = activation.hoist("run")

    assert refused.returncode == 2
    assert "state.in_warehouse is off, but schema 'hoist' of the warehouse holds" in (
        refused.stderr
    )
    assert f"hoist run {activation.file} --reset-state" in refused.stderr
    writes = [r for r in duckdb_native.emulator.requests()[before:] if r.method != "GET"]
    assert writes == []
    started_over = activation.hoist("run", "--reset-state", "--yes")
    assert started_over.returncode == 0, started_over.stderr
    assert activation.state_file.exists()
    assert activation.run_json()["unchanged"] == 20


def test_a_native_run_says_how_many_rows_it_fetched(duckdb_native: Twin) -> None:
    """A native run's progress says the warehouse diffed the model and how few rows left it."""
    activation = duckdb_native.activation
    activation.write_rows(company_rows(20))
    activation.run_json()
    rows = company_rows(20)
    rows[3]["account_name"] = "Renamed"
    activation.write_rows(rows)

    done = activation.hoist("run")

    assert "diffed 20 rows in the warehouse (1 fetched)" in done.stderr
