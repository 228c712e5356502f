"""State schema versions: which version a state file is, and how an older one is brought forward.

Version 1 is the layout of hoist 0.1.0 (no ``meta`` table). Each migration takes a state from
version N to N+1 inside one transaction. A state from a newer hoist, or one whose version cannot
be read, is an error: starting over would re-send or re-create every company.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from hoist.errors import StateError
from hoist.sql.build import render
from hoist.sql.state import V4_COLUMNS, StateTables

__all__ = ["SCHEMA_VERSION", "check_readable", "migrate", "read_version"]

#: The version this hoist writes.
SCHEMA_VERSION = 5

#: The tables every hoist state has had since version 1.
_V1_TABLES = frozenset({"companies", "journal", "runs", "record_errors"})


def read_version(con: duckdb.DuckDBPyConnection, tables: StateTables, path: str) -> int | None:
    """The schema version of the attached state (None: a new, empty state)."""
    present = {row[0] for row in con.execute(render(tables.tables_query())).fetchall()}
    if not present:
        return None
    if not present >= _V1_TABLES:
        raise StateError(
            f"the state file {path} is not a hoist state (it lacks the tables "
            f"{', '.join(sorted(_V1_TABLES - present))}); point state.path at another file"
        )
    if "meta" not in present:
        return 1
    rows = con.execute(render(tables.version_query())).fetchall()
    try:
        return int(rows[0][0])
    except (IndexError, TypeError, ValueError):
        raise StateError(
            f"the state file {path} records no readable schema version; it is damaged: "
            "restore it from a backup (hoist never starts over on its own, which would re-send "
            "every company)"
        ) from None


def _to_2(con: duckdb.DuckDBPyConnection, tables: StateTables) -> None:
    # Version 2 records the schema version itself, in the new ``meta`` table.
    for statement in tables.create_statements():
        con.execute(render(statement))


def _to_3(con: duckdb.DuckDBPyConnection, tables: StateTables) -> None:
    # Version 3 remembers the company_ids update-only runs did not find (``missing``).
    for statement in tables.create_statements():
        con.execute(render(statement))


def _to_4(con: duckdb.DuckDBPyConnection, tables: StateTables) -> None:
    # Version 4 keeps each company's last user_count, the contact pairs attached (table
    # ``contact_pairs``) and the contact counts of each run. Old companies have no user_count
    # (NULL: unknown) until Intercom next answers for them.
    for statement in tables.add_bigint_columns_statements(V4_COLUMNS):
        con.execute(render(statement))
    for statement in tables.create_statements():
        con.execute(render(statement))


def _to_5(con: duckdb.DuckDBPyConnection, tables: StateTables) -> None:
    # Version 5 records how many rows each run fetched from the source.
    for statement in tables.add_bigint_columns_statements((("runs", "rows_fetched"),)):
        con.execute(render(statement))


_MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection, StateTables], None]] = {
    1: _to_2,
    2: _to_3,
    3: _to_4,
    4: _to_5,
}


def migrate(
    con: duckdb.DuckDBPyConnection, tables: StateTables, version: int | None, path: str
) -> None:
    """Bring the attached state from `version` (None: new) to `SCHEMA_VERSION`."""
    check_readable(version, path)
    con.execute("BEGIN")
    if version is None:
        for statement in tables.create_statements():
            con.execute(render(statement))
    else:
        for step in range(version, SCHEMA_VERSION):
            _MIGRATIONS[step](con, tables)
    for statement in tables.set_version_statements(SCHEMA_VERSION):
        con.execute(render(statement))
    con.execute("COMMIT")


def check_readable(version: int | None, path: str) -> None:
    """Refuse a state written by a newer hoist."""
    if version is not None and version > SCHEMA_VERSION:
        raise StateError(
            f"the state file {path} was written by a newer hoist (state schema {version}; this "
            f"hoist reads up to {SCHEMA_VERSION}); upgrade hoist (pip install -U hoist)"
        )
