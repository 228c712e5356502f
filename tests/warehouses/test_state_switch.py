"""Switching an activation from local to warehouse-native state never starts over silently."""

from __future__ import annotations

from tests.e2e.conftest import company_rows
from tests.warehouses.conftest import NATIVE, Twin, with_state


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
