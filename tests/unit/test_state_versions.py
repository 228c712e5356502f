"""State schema versions: older states are migrated forward, newer or damaged ones refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from hoist.errors import StateError
from hoist.state import SCHEMA_VERSION, Confirmation, StateStore

FIXTURE = Path(__file__).parents[1] / "fixtures" / "state-v1.duckdb"
ATTRIBUTES = ["name", "plan", "custom_attributes.score"]


@pytest.fixture
def old_state(tmp_path: Path) -> Path:
    """A copy of a state file written by hoist 0.1.0 (schema 1)."""
    path = tmp_path / "fixture.duckdb"
    shutil.copy(FIXTURE, path)
    return path


def recorded_version(path: Path) -> str:
    """The schema version recorded in the state file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return str(con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall())
    finally:
        con.close()


def tables_of(path: Path) -> set[str]:
    """The names of the tables in the state file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {row[0] for row in con.execute("SHOW TABLES").fetchall()}
    finally:
        con.close()


def test_a_new_state_records_the_current_version(tmp_path: Path) -> None:
    """A state created by this hoist records the schema version it was written with."""
    path = tmp_path / "new.duckdb"
    with StateStore.open(path):
        pass
    assert recorded_version(path) == str([(str(SCHEMA_VERSION),)])


def test_a_state_from_hoist_0_1_is_migrated_and_keeps_everything(old_state: Path) -> None:
    """Opening a schema-1 state for a run migrates it, folds its journal and loses nothing."""
    with StateStore.open(old_state) as store:
        companies = store.con.execute(
            'SELECT company_id, "a:name", "a:plan", "a:custom_attributes.score" '
            "FROM state.companies ORDER BY company_id"
        ).fetchall()
        history = store.runs()
        journal = store.con.execute("SELECT count(*) FROM state.journal").fetchall()
    assert companies == [
        ("c1", '"Acme"', '"pro"', "3.5"),
        ("c2", '"Beta"', "null", "null"),
        ("c3", '"Gamma"', '"pro"', "1.0"),  # the killed run's confirmation, folded
    ]
    assert [run["status"] for run in history] == ["partial", "partial"]
    assert journal == [(0,)]
    assert recorded_version(old_state) == str([(str(SCHEMA_VERSION),)])
    assert {"missing", "contact_pairs"} <= tables_of(old_state)  # versions 3 and 4 on the way


def test_a_plan_reads_an_old_state_without_changing_it(old_state: Path) -> None:
    """A read-only open of a schema-1 state works and leaves the file at schema 1."""
    before = old_state.read_bytes()
    with StateStore.open(old_state, read_only=True) as store:
        assert len(store.runs()) == 2
    assert old_state.read_bytes() == before


def test_a_state_from_a_newer_hoist_is_refused(tmp_path: Path) -> None:
    """A state whose schema is newer than this hoist's is an error that says to upgrade."""
    path = tmp_path / "newer.duckdb"
    with StateStore.open(path) as store:
        store.con.execute("UPDATE state.meta SET value = '99' WHERE key = 'schema_version'")
    for read_only in (False, True):
        with pytest.raises(StateError, match=r"newer hoist .*schema 99.*upgrade hoist"):
            StateStore.open(path, read_only=read_only)
    assert recorded_version(path) == "[('99',)]"


def test_a_corrupted_state_is_an_error_and_is_left_in_place(tmp_path: Path) -> None:
    """A damaged state file is a clear error; hoist never starts over by replacing it."""
    path = tmp_path / "broken.duckdb"
    path.write_bytes(b"this is not a database" * 1000)
    before = path.read_bytes()
    with pytest.raises(StateError, match=r"broken\.duckdb.*never starts over"):
        StateStore.open(path)
    assert path.read_bytes() == before


def test_a_database_that_is_not_a_hoist_state_is_refused(tmp_path: Path) -> None:
    """Pointing state at some other DuckDB file is an error naming the missing tables."""
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.close()
    with pytest.raises(StateError, match="not a hoist state"):
        StateStore.open(path)


def test_an_unreadable_version_is_refused(tmp_path: Path) -> None:
    """A meta table without a usable version is damage, not a reason to start over."""
    path = tmp_path / "damaged.duckdb"
    with StateStore.open(path) as store:
        store.con.execute("DELETE FROM state.meta")
    with pytest.raises(StateError, match="no readable schema version"):
        StateStore.open(path)


def test_a_migrated_state_keeps_user_counts_from_then_on(old_state: Path) -> None:
    """Schema 4 adds user_count: unknown (NULL) for old companies, kept once Intercom answers."""
    with StateStore.open(old_state) as store:
        assert store.without_contacts() == 0  # unknown counts are not zero counts
        store.commit([Confirmation("c1", "i1", {}, 0), Confirmation("c2", "i2", {}, 4)], [])
        assert store.without_contacts() == 1  # read with the journal on top
        store.fold()
        store.commit([Confirmation("c2", "i2", {})], [])  # no count said: the last one stays
        store.fold()
        counts = store.con.execute(
            "SELECT company_id, user_count FROM state.companies ORDER BY company_id"
        ).fetchall()
    assert counts == [("c1", 0), ("c2", 4), ("c3", None)]


def test_a_plan_over_an_old_state_knows_no_user_counts(old_state: Path) -> None:
    """Read-only, a schema-1 state has no user_count and no contact pairs: zero, and empty."""
    with StateStore.open(old_state, read_only=True) as store:
        assert store.without_contacts() == 0
        pairs = store.con.execute(f"SELECT count(*) FROM {store.pairs_relation().sql()}")
        assert pairs.fetchall() == [(0,)]


def test_a_schema_3_state_gains_contacts_and_keeps_its_missing_companies(tmp_path: Path) -> None:
    """Migrating schema 3 to 4 adds user_count and contact pairs; `missing` rows stay."""
    path = tmp_path / "v3.duckdb"
    with StateStore.open(path) as store:
        store.con.execute("INSERT INTO state.missing VALUES ('gone', 42)")
        store.con.execute("DROP TABLE state.contact_pairs")
        for table_name in ("companies", "journal"):
            store.con.execute(f"ALTER TABLE state.{table_name} DROP COLUMN user_count")
        for name in ("without_contacts", "contacts_attached", "contacts_not_found"):
            store.con.execute(f"ALTER TABLE state.runs DROP COLUMN {name}")
        store.con.execute("UPDATE state.meta SET value = '3' WHERE key = 'schema_version'")
    with StateStore.open(path) as store:
        store.commit([Confirmation("c1", "i1", {}, 0)], [])
        store.fold()
        assert store.without_contacts() == 1
        missing = store.con.execute("SELECT * FROM state.missing").fetchall()
    assert missing == [("gone", 42)]
    assert "contact_pairs" in tables_of(path)
    assert recorded_version(path) == str([(str(SCHEMA_VERSION),)])
