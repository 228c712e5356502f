"""Native state skips rows by fingerprint, and no fingerprint ever hides a change or a bad row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from hoist.diff.changes import Confirmation
from hoist.sources.duckdb.connector import DuckDBSource
from hoist.sql.native_state import NATIVE_VERSION
from hoist.state.native import NativeStateStore
from tests.harness.activation import Activation, company_rows
from tests.harness.warehouses import COUNTS, NATIVE, PostgresActivation, Twin, held, with_state


def _native_postgres(activation: PostgresActivation, **sync: Any) -> PostgresActivation:
    activation.state = NATIVE
    activation.configure(**sync)
    return activation


def _industry_from_health(activation: Activation) -> None:
    """Send the float column `health_score` as text (`industry`), where -0.0 is not 0.0."""
    activation.configure(mapping={"name": "account_name", "industry": "health_score"})


def test_an_exact_copy_of_a_synced_row_is_rejected_as_in_local_state(
    duckdb_native: Twin, duckdb_twin: Twin
) -> None:
    """A synced company whose row appears twice, identical, is refused as a duplicate although
    its fingerprint matches state: native and local state report the same."""
    rows = company_rows(6)
    twins = (duckdb_native, duckdb_twin)
    for twin in twins:
        twin.activation.write_rows(rows)
        assert twin.activation.run_json()["created"] == 6
        twin.activation.write_rows([*rows, dict(rows[2])])
    native, local = (twin.activation.run_json() for twin in twins)

    assert {k: native[k] for k in COUNTS} == {k: local[k] for k in COUNTS}
    assert native["rejected"] == 1
    assert [e["code"] for e in native["errors"]] == ["duplicate_company_id"]
    assert native["errors"][0]["company_id"] == rows[2]["account_id"]


@pytest.mark.postgres
def test_an_exact_copy_of_a_synced_row_is_rejected_on_postgres(
    postgres_activation: PostgresActivation,
) -> None:
    """The same on Postgres: the fingerprint skips no copy of a duplicated company_id."""
    activation = _native_postgres(postgres_activation)
    rows = company_rows(6)
    activation.write_rows(rows)
    assert activation.run_json()["created"] == 6
    activation.write_rows([*rows, dict(rows[2])])

    report = activation.run_json()

    assert (report["rejected"], report["updated"], report["unchanged"]) == (1, 0, 5)
    assert report["errors"][0]["code"] == "duplicate_company_id"
    assert report["rows_fetched"] == 1


def test_minus_zero_sent_as_text_is_a_change_on_duckdb(duckdb_native: Twin) -> None:
    """-0.0 equals 0.0 as a number but not as the text Intercom gets: the fingerprint hashes
    such values as text, so the change is sent."""
    activation = duckdb_native.activation
    _industry_from_health(activation)
    with_state(activation, NATIVE)
    activation.write_rows(company_rows(3, health_score=lambda i: 0.0))
    assert activation.run_json()["created"] == 3
    activation.write_rows(company_rows(3, health_score=lambda i: -0.0 if i == 1 else 0.0))

    report = activation.run_json()

    assert (report["updated"], report["unchanged"]) == (1, 2)
    industries = {c["company_id"]: c["industry"] for c in duckdb_native.emulator.companies()}
    assert industries == {"acct-0000": "0.0", "acct-0001": "-0.0", "acct-0002": "0.0"}


@pytest.mark.postgres
def test_minus_zero_sent_as_text_is_a_change_on_postgres(
    postgres_activation: PostgresActivation, emulator: Any
) -> None:
    """The same on Postgres, whose own hash of a float makes -0 and 0 equal."""
    activation = _native_postgres(
        postgres_activation, mapping={"name": "account_name", "industry": "health_score"}
    )
    activation.write_rows(company_rows(3, health_score=lambda i: 0.0))
    assert activation.run_json()["created"] == 3
    activation.write_rows(company_rows(3, health_score=lambda i: -0.0 if i == 1 else 0.0))

    report = activation.run_json()

    assert (report["updated"], report["unchanged"]) == (1, 2)
    industries = {c["company_id"]: c["industry"] for c in emulator.emulator.companies()}
    assert industries == {"acct-0000": "0", "acct-0001": "-0", "acct-0002": "0"}


def test_a_column_mapped_to_another_attribute_is_sent_again(
    duckdb_native: Twin, duckdb_twin: Twin
) -> None:
    """The same raw row under a new mapping is a change (the fingerprint covers the mapping):
    the newly mapped attribute reaches every company, as with local state."""
    twins = (duckdb_native, duckdb_twin)
    rows = company_rows(5)
    for twin in twins:
        twin.activation.write_rows(rows)
        twin.activation.run_json()
        twin.activation.configure(mapping={"name": "account_name", "industry": "tier"})
    with_state(duckdb_native.activation, NATIVE)
    native, local = (twin.activation.run_json() for twin in twins)

    assert {k: native[k] for k in COUNTS} == {k: local[k] for k in COUNTS}
    assert native["updated"] == 5
    assert held(duckdb_native.emulator) == held(duckdb_twin.emulator)
    assert {c["industry"] for c in duckdb_native.emulator.companies()} == {"gold", "silver"}


def test_unchanged_rows_stay_unchanged_after_state_is_compacted(duckdb_native: Twin) -> None:
    """Fingerprints survive a compaction of the journal: a rerun of the same model, then an
    edit of one row, send exactly what changed."""
    activation = duckdb_native.activation
    rows = company_rows(20)
    activation.write_rows(rows)
    assert activation.run_json()["created"] == 20  # a first run compacts its journal
    assert activation.run_json()["rows_fetched"] == 0
    rows[7]["account_name"] = "Renamed"
    activation.write_rows(rows)

    report = activation.run_json()

    assert (report["updated"], report["unchanged"], report["rows_fetched"]) == (1, 19, 1)


def test_a_run_stamps_older_state_so_older_hoists_refuse_to_write_it(tmp_path: Path) -> None:
    """State written before fingerprints is stamped with the new schema version by the first
    writer, so a hoist that appends confirmations without fingerprints refuses it."""
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    warehouse = DuckDBSource(path, writable=True)
    with NativeStateStore.open(warehouse, "hoist", "act") as store:
        store.add_attribute_columns(["name"])
        store.commit([Confirmation("a", "ic-a", {"name": '"A"'})], ["name"])
        store.fold(force=True)
        meta = store.tables.table("meta").sql("duckdb")
    warehouse.execute(f"UPDATE {meta} SET schema_version = 1")

    with NativeStateStore.open(warehouse, "hoist", "act") as store:
        store.add_attribute_columns(["name"])
    versions = warehouse.query(f"SELECT schema_version FROM {meta} ORDER BY schema_version")

    assert versions.column(0).to_pylist() == [1, NATIVE_VERSION]
    assert NATIVE_VERSION == 3
