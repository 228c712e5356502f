"""A row's fingerprint changes with every value and mapping that changes what Intercom gets."""

from __future__ import annotations

import dataclasses
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from hoist.diff import fingerprint
from hoist.mapping import Field
from hoist.sql.build import render

FIELDS = (
    Field("name", "name", "string", "string"),
    Field("industry", "score", "float", "string"),
    Field("size", "seats", "integer", "integer"),
)


def fingerprints(rows: list[tuple[Any, ...]], fields: tuple[Field, ...] = FIELDS) -> list[str]:
    """The fingerprint of each (id, name, score, seats) row, computed by DuckDB."""
    con = duckdb.connect()
    con.execute("CREATE TABLE m (id VARCHAR, name VARCHAR, score DOUBLE, seats INTEGER)")
    con.executemany("INSERT INTO m VALUES (?, ?, ?, ?)", rows)
    printed = fingerprint.expression(fields, "id", "duckdb", "m")
    assert printed is not None
    query = exp.select(printed).from_(exp.alias_(exp.to_table("m"), "m")).order_by("rowid")
    return [str(row[0]) for row in con.execute(render(query)).fetchall()]


def test_identical_rows_share_a_fingerprint_and_any_edit_changes_it() -> None:
    """Equal rows print alike; a new name, a null, another id or another number do not."""
    base = ("a", "Acme", 1.5, 3)
    edits = [("a", "Acme Inc", 1.5, 3), ("a", None, 1.5, 3), ("b", "Acme", 1.5, 3)]
    printed = fingerprints([base, base, *edits, ("a", "Acme", 1.5, 4)])
    assert printed[0] == printed[1]
    assert len(set(printed[1:])) == len(printed) - 1


def test_numbers_equal_but_written_differently_print_differently() -> None:
    """-0.0 equals 0.0, yet its text (what a string attribute receives) differs, and so does
    its fingerprint."""
    zero, minus_zero = fingerprints([("a", "Acme", 0.0, 1), ("a", "Acme", -0.0, 1)])
    assert zero != minus_zero


def test_the_same_row_under_another_mapping_prints_differently() -> None:
    """Sending the same column to another attribute, or as another type, changes every
    fingerprint, so rows state holds under the old mapping are not skipped."""
    row = [("a", "Acme", 2.0, 1)]
    remapped = (Field("website", "name", "string", "string"), *FIELDS[1:])
    retyped = (*FIELDS[:2], Field("size", "seats", "integer", "string"))
    assert len({fingerprints(row)[0], fingerprints(row, remapped)[0]}) == 2
    assert fingerprints(row)[0] != fingerprints(row, retyped)[0]


def test_postgres_hashes_the_row_in_one_call_and_other_dialects_have_none() -> None:
    """Postgres gets one hash_record_extended over a typed row (it parses back); engines
    without a known 64-bit hash get no fingerprint, so their diff normalises every row."""
    printed = fingerprint.expression(FIELDS, "id", "postgres", "m")
    assert printed is not None
    sql = render(printed, "postgres")
    assert sql.upper().startswith("CAST(HASH_RECORD_EXTENDED(ROW(CAST('")
    assert '"m"."score" AS VARCHAR' in sql  # floats are hashed as their text
    assert '"m"."seats" AS' not in sql  # integers as they are
    assert sqlglot.parse_one(sql, read="postgres") is not None
    assert fingerprint.expression(FIELDS, "id", "bigquery", "m") is None


def test_keeping_nulls_changes_every_fingerprint() -> None:
    """Rows synced under `sync.nulls: keep` (their nulls never sent) are not skipped after a
    switch back to `clear`: the fingerprints differ."""
    row = [("a", None, 2.0, 1)]
    kept = tuple(dataclasses.replace(f, keep_null=True) for f in FIELDS)
    assert fingerprints(row)[0] != fingerprints(row, kept)[0]
