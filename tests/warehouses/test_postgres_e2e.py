"""A Postgres model syncs to Intercom exactly as the same rows in DuckDB do (local state)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness.activation import company_rows
from tests.harness.warehouses import COUNTS, PostgresActivation, Twin, held, snapshots

pytestmark = pytest.mark.postgres


def test_a_postgres_model_syncs_like_the_same_duckdb_model(
    postgres_activation: PostgresActivation, emulator: Any, duckdb_twin: Twin
) -> None:
    """Run after run, the Postgres activation reports and leaves what the DuckDB one does."""
    for step, rows in enumerate(snapshots()):
        postgres_activation.write_rows(rows)
        duckdb_twin.activation.write_rows(rows)

        from_postgres = postgres_activation.run_json()
        from_duckdb = duckdb_twin.activation.run_json()

        assert from_postgres["_exit"] == from_duckdb["_exit"], (step, from_postgres["_stderr"])
        assert {k: from_postgres[k] for k in COUNTS} == {k: from_duckdb[k] for k in COUNTS}, step
        assert held(emulator.emulator) == held(duckdb_twin.emulator), step
    assert len(held(emulator.emulator)) == 45  # rows leaving the model are not removed


def test_insert_off_updates_only_companies_already_in_intercom(
    postgres_activation: PostgresActivation, emulator: Any, duckdb_twin: Twin
) -> None:
    """With insert off, both warehouses update the seeded companies and create none."""
    rows = company_rows(12)
    for target in (emulator.emulator, duckdb_twin.emulator):
        for row in rows[:5]:
            target.seed_company(company_id=row["account_id"], name="old")
    for activation in (postgres_activation, duckdb_twin.activation):
        activation.configure(insert=False, mapping={"name": "account_name", "plan": "plan_name"})
        activation.write_rows(rows)

    from_postgres = postgres_activation.run_json()
    from_duckdb = duckdb_twin.activation.run_json()

    assert {k: from_postgres[k] for k in COUNTS} == {k: from_duckdb[k] for k in COUNTS}
    assert (from_postgres["updated"], from_postgres["not_in_intercom"]) == (5, 7)
    assert held(emulator.emulator) == held(duckdb_twin.emulator)
    assert len(held(emulator.emulator)) == 5


def test_the_database_password_is_in_no_output_or_state_file(
    postgres_activation: PostgresActivation,
) -> None:
    """The Postgres password appears in neither the report, stderr, nor any file hoist wrote."""
    postgres_activation.write_rows(company_rows(3))
    report = postgres_activation.run_json()
    plan = postgres_activation.hoist("plan")

    password = postgres_activation.password
    assert report["_exit"] == 0, report["_stderr"]
    for text in (str(report), plan.stdout, plan.stderr):
        assert password not in text
    for written in postgres_activation.folder.rglob("*"):
        if written.is_file() and written != postgres_activation.file:
            assert password.encode() not in written.read_bytes()
