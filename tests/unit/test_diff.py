"""The diff: what changed between the model and what Intercom confirmed, as DuckDB SQL."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoist.diff.changes import Change
from hoist.diff.local_changeset import ChangeSet
from hoist.mapping import Field
from hoist.state import Confirmation, StateStore

FIELDS = (
    Field("name", "name", "string", "string"),
    Field("size", "size", "integer", "integer"),
    Field("custom_attributes.score", "score", "float", "float"),
    Field("custom_attributes.active", "active", "boolean", "boolean"),
)
ATTRIBUTES = [f.attribute for f in FIELDS]
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("name", pa.string()),
        ("size", pa.int64()),
        ("score", pa.float64()),
        ("active", pa.bool_()),
    ]
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    """A fresh state store with a column for every test attribute."""
    with StateStore.open(tmp_path / "state.duckdb") as opened:
        opened.add_attribute_columns(ATTRIBUTES)
        yield opened


def changeset(store: StateStore, rows: list[dict[str, Any]]) -> ChangeSet:
    """Stage `rows` as the model and diff them against state."""
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    reader = table.to_reader(max_chunksize=7)
    return ChangeSet.build(store.con, reader, FIELDS, "id", store.relation(ATTRIBUTES))


def diff(store: StateStore, rows: list[dict[str, Any]]) -> list[Change]:
    """Stage `rows` as the model and return every change against state."""
    return [change for page in changeset(store, rows).pages(page_rows=5) for change in page]


def confirm(store: StateStore, changes: list[Change], *, fold: bool = True) -> None:
    """Commit every change as if Intercom had accepted it (and fold, as a run's end does)."""
    store.commit(
        [
            Confirmation(c.company_id, c.intercom_id or f"ic-{c.company_id}", c.texts)
            for c in changes
        ],
        ATTRIBUTES,
    )
    if fold:
        store.fold()


def expected(row: dict[str, Any]) -> dict[str, Any]:
    """The values Intercom should hold for a model row."""
    return {
        "name": row["name"],
        "size": row["size"],
        "custom_attributes.score": row["score"],
        "custom_attributes.active": row["active"],
    }


def state_values(store: StateStore) -> dict[str, dict[str, Any]]:
    """What state remembers Intercom holds, per company."""
    columns = ", ".join(f'"a:{a}"' for a in ATTRIBUTES)
    rows = store.con.execute(f"SELECT company_id, {columns} FROM state.companies").fetchall()
    return {
        row[0]: {a: json.loads(v) if v else None for a, v in zip(ATTRIBUTES, row[1:], strict=True)}
        for row in rows
    }


row_strategy = st.fixed_dictionaries(
    {
        "name": st.none() | st.text(max_size=12),
        "size": st.none() | st.integers(-(2**40), 2**40),
        "score": st.none() | st.floats(allow_nan=False, allow_infinity=False, width=32),
        "active": st.none() | st.booleans(),
    }
)
model_strategy = st.dictionaries(
    st.text("abcdef", min_size=1, max_size=4), row_strategy, max_size=25
)


def as_rows(model: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """A model snapshot as rows, in insertion order."""
    return [{"id": company_id, **values} for company_id, values in model.items()]


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(model=model_strategy, fold=st.booleans())
def test_a_model_diffed_against_itself_has_no_changes(
    store: StateStore, model: dict[str, dict[str, Any]], fold: bool
) -> None:
    """Once a snapshot is confirmed (folded or still in the journal), it diffs as unchanged."""
    store.con.execute("DELETE FROM state.companies")
    confirm(store, diff(store, as_rows(model)), fold=fold)
    assert diff(store, as_rows(model)) == []
    store.fold()


@SETTINGS
@given(before=model_strategy, after=model_strategy)
def test_applying_the_diff_gives_the_new_model(
    store: StateStore, before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]
) -> None:
    """Confirming diff(a, b) on top of state a leaves state equal to b for every company in b."""
    store.con.execute("DELETE FROM state.companies")
    confirm(store, diff(store, as_rows(before)))
    changes = diff(store, as_rows(after))
    confirm(store, changes)
    remembered = state_values(store)
    for company_id, values in after.items():
        assert remembered[company_id] == pytest.approx(expected({"id": company_id, **values}))
    # Only what changed is sent: no change carries an attribute whose value stayed the same.
    for change in changes:
        if change.company_id in before:
            old = expected({"id": change.company_id, **before[change.company_id]})
            assert all(old[a] != v or type(old[a]) is not type(v) for a, v in change.values.items())


@SETTINGS
@given(before=model_strategy, after=model_strategy, seed=st.integers(0, 1000))
def test_row_order_never_matters(
    store: StateStore,
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    seed: int,
) -> None:
    """Shuffling the model's rows yields exactly the same changes."""
    store.con.execute("DELETE FROM state.companies")
    confirm(store, diff(store, as_rows(before)))
    shuffled = as_rows(after)
    random.Random(seed).shuffle(shuffled)
    key = lambda c: c.company_id  # noqa: E731
    assert sorted(diff(store, shuffled), key=key) == sorted(diff(store, as_rows(after)), key=key)


def test_an_update_carries_only_the_changed_attributes(store: StateStore) -> None:
    """Changing one value of one company yields one change with that attribute only."""
    rows = [
        {"id": "a", "name": "Acme", "size": 10, "score": 1.5, "active": True},
        {"id": "b", "name": "Beta", "size": 20, "score": 2.5, "active": False},
    ]
    confirm(store, diff(store, rows))
    rows[1] = {**rows[1], "size": 21}
    changes = diff(store, rows)
    assert [(c.company_id, c.values, c.new) for c in changes] == [("b", {"size": 21}, False)]
    assert changes[0].old == {"size": 20}


def test_a_value_turned_null_is_sent_as_null(store: StateStore) -> None:
    """A value that became null is part of the update, as null, so Intercom clears it."""
    confirm(
        store, diff(store, [{"id": "a", "name": "Acme", "size": 1, "score": 1.0, "active": True}])
    )
    changes = diff(store, [{"id": "a", "name": None, "size": 1, "score": 1.0, "active": True}])
    assert [c.values for c in changes] == [{"name": None}]


def test_a_new_mapping_backfills_every_company(store: StateStore) -> None:
    """An attribute state never recorded counts as changed for every company."""
    rows = [{"id": i, "name": "n", "size": 1, "score": 1.0, "active": None} for i in "abc"]
    confirm(store, diff(store, rows))
    store.con.execute('UPDATE state.companies SET "a:custom_attributes.active" = NULL')
    changes = diff(store, rows)
    assert sorted(c.company_id for c in changes) == ["a", "b", "c"]
    assert all(c.values == {"custom_attributes.active": None} for c in changes)


def test_rows_without_id_or_with_duplicate_ids_are_rejected(store: StateStore) -> None:
    """Null/empty ids and every row of a duplicated id are rejected with a reason; others go."""
    rows: list[dict[str, Any]] = [
        {"id": None, "name": "x", "size": 1, "score": 1.0, "active": True},
        {"id": "  ", "name": "x", "size": 1, "score": 1.0, "active": True},
        {"id": "dup", "name": "one", "size": 1, "score": 1.0, "active": True},
        {"id": "dup", "name": "two", "size": 1, "score": 1.0, "active": True},
        {"id": "ok", "name": "fine", "size": 1, "score": 1.0, "active": True},
    ]
    diffed = changeset(store, rows)
    assert [c.company_id for page in diffed.pages() for c in page] == ["ok"]
    found = {(r.company_id, r.code) for r in diffed.rejections()}
    assert found == {
        (None, "missing_company_id"),
        ("  ", "missing_company_id"),
        ("dup", "duplicate_company_id"),
    }
    dup = next(r for r in diffed.rejections() if r.company_id == "dup")
    assert "2 times" in dup.message


def test_a_killed_runs_journal_counts_and_is_folded_by_the_next_run(tmp_path: Path) -> None:
    """Confirmations a killed run journalled are seen by a plan and folded when state reopens."""
    path = tmp_path / "state.duckdb"
    rows = [{"id": "a", "name": "Acme", "size": 1, "score": 1.0, "active": True}]
    with StateStore.open(path) as store:
        store.add_attribute_columns(ATTRIBUTES)
        confirm(store, diff(store, rows), fold=False)  # the run dies before folding
    with StateStore.open(path, read_only=True) as plan:
        assert plan.con.execute("SELECT count(*) FROM state.companies").fetchall() == [(0,)]
        assert diff(plan, rows) == []
    with StateStore.open(path) as store:
        assert store.con.execute("SELECT count(*) FROM state.journal").fetchall() == [(0,)]
        assert state_values(store) == {"a": expected(rows[0])}
