"""The diff: model rows against what Intercom last confirmed, computed as SQL inside DuckDB.

Rows arrive as Arrow record batches and are normalised into the temporary table ``staged``
(one JSON-text column per attribute, plus a rejection code and message). ``changes`` then holds
one row per company that needs a write, with the new text of exactly the attributes that
changed. No Python loop ever touches the full model: only changed rows leave DuckDB, a page at
a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from hoist.mapping import Field, quote, value_sql
from hoist.report import RecordError

__all__ = [
    "STATE_TABLE",
    "Change",
    "DiffCounts",
    "compute_changes",
    "iter_changes",
    "rejections",
    "scalar",
    "stage_model",
    "state_column",
]

#: The table (in the attached state database) of what Intercom confirmed per company.
STATE_TABLE = "state.companies"


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The single value `sql` selects; the result is read to its end, freeing the connection."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def state_column(attribute: str) -> str:
    """The state table column that remembers the last confirmed value of `attribute`."""
    return f"a:{attribute}"


def _value_column(attribute: str) -> str:
    return f"v:{attribute}"


@dataclass(frozen=True)
class DiffCounts:
    """How the model's rows split: valid rows, rows rejected, companies to write."""

    rows: int
    rejected_rows: int
    changed: int
    new: int

    @property
    def unchanged(self) -> int:
        """Valid companies whose mapped values Intercom already holds."""
        return self.rows - self.rejected_rows - self.changed


@dataclass(frozen=True)
class Change:
    """One company to write: the attributes that changed, their new and previous values.

    `texts` holds the JSON text of each new value, exactly as state will remember it once
    Intercom confirms; `old` holds the previous values (absent when never delivered).
    """

    company_id: str
    intercom_id: str | None
    new: bool
    texts: dict[str, str]
    old: dict[str, Any]

    @property
    def values(self) -> dict[str, Any]:
        """The new values as Python objects, by attribute."""
        return {attribute: json.loads(text) for attribute, text in self.texts.items()}


def stage_model(
    con: duckdb.DuckDBPyConnection,
    reader: pa.RecordBatchReader,
    fields: tuple[Field, ...],
    id_column: str,
) -> None:
    """Stream the model into ``staged``: normalised values plus a verdict per row."""
    columns = [f"CAST({quote(id_column)} AS VARCHAR) AS company_id"]
    reasons = []
    for field in fields:
        value, reason = value_sql(field)
        columns.append(f"{value} AS {quote(_value_column(field.attribute))}")
        reasons.append(reason)
    invalid = f"concat_ws('; ', {', '.join(reasons)})" if reasons else "''"
    con.register("model_rows", reader)
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE staged AS
            SELECT * EXCLUDE (_invalid, _copies),
                CASE WHEN company_id IS NULL OR trim(company_id) = '' THEN 'missing_company_id'
                     WHEN _copies > 1 THEN 'duplicate_company_id'
                     WHEN _invalid <> '' THEN 'invalid_value' END AS _code,
                CASE WHEN company_id IS NULL OR trim(company_id) = ''
                         THEN {_sql_text(f"column {id_column!r} is null or empty")}
                     WHEN _copies > 1 THEN 'company_id appears ' || _copies
                         || ' times in the model; none of its rows is sent'
                     ELSE _invalid END AS _message
            FROM (
                SELECT *, count(*) OVER (PARTITION BY company_id) AS _copies
                FROM (SELECT {", ".join(columns)}, {invalid} AS _invalid FROM model_rows)
            )
            """
        )
    finally:
        con.unregister("model_rows")


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def compute_changes(
    con: duckdb.DuckDBPyConnection, fields: tuple[Field, ...], state: str = STATE_TABLE
) -> DiffCounts:
    """Join ``staged`` with `state` into ``changes``: one row per company that needs a write.

    `state` is a table or subquery with ``company_id``, ``intercom_id`` and one ``a:<attribute>``
    column per field (see `StateStore.state_relation`). Two passes keep big models cheap: the
    first joins only a hash of each row's values per side to find the companies touched; the
    second joins the full values of those companies alone.
    """
    _find_touched(con, fields, state)
    news, olds, differs = [], [], []
    for field in fields:
        new, old = quote(_value_column(field.attribute)), quote(state_column(field.attribute))
        differs.append(f"s.{new} IS DISTINCT FROM c.{old}")
        news.append(f"CASE WHEN s.{new} IS DISTINCT FROM c.{old} THEN s.{new} END AS {new}")
        olds.append(f"c.{old} AS {quote('o:' + field.attribute)}")
    any_differs = " OR ".join(differs) if differs else "FALSE"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE changes AS
        SELECT row_number() OVER () AS _seq, s.company_id, c.intercom_id,
               c.company_id IS NULL AS _new, {", ".join(news + olds) or "NULL AS _none"}
        FROM (SELECT * FROM staged WHERE company_id IN (SELECT company_id FROM touched)) s
        LEFT JOIN (SELECT * FROM {state} WHERE company_id IN (SELECT company_id FROM touched)) c
            ON s.company_id = c.company_id
        WHERE s._code IS NULL AND (c.company_id IS NULL OR {any_differs})
        """
    )
    rows, rejected, changed, new = con.execute(
        """
        SELECT (SELECT count(*) FROM staged),
               (SELECT count(*) FROM staged WHERE _code IS NOT NULL),
               (SELECT count(*) FROM changes),
               (SELECT count(*) FROM changes WHERE _new)
        """
    ).fetchall()[0]
    return DiffCounts(rows=rows, rejected_rows=rejected, changed=changed, new=new)


def _find_touched(con: duckdb.DuckDBPyConnection, fields: tuple[Field, ...], state: str) -> None:
    """``touched``: valid companies that are new to state or whose row hash differs.

    Equal values always hash equal, so no change is ever missed for a hash that differs; two
    different rows hashing equal (64-bit) is the one way a change could hide, at odds of
    about one in 10**12 for ten million companies.
    """
    if not fields:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE touched AS SELECT s.company_id FROM staged s "
            f"ANTI JOIN {state} c ON s.company_id = c.company_id WHERE s._code IS NULL"
        )
        return
    new = ", ".join(quote(_value_column(f.attribute)) for f in fields)
    old = ", ".join(quote(state_column(f.attribute)) for f in fields)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE touched AS
        SELECT s.company_id
        FROM (SELECT company_id, hash({new}) AS h FROM staged WHERE _code IS NULL) s
        LEFT JOIN (SELECT company_id, hash({old}) AS h FROM {state}) c
            ON s.company_id = c.company_id
        WHERE c.h IS NULL OR c.h <> s.h
        """
    )


def rejections(con: duckdb.DuckDBPyConnection) -> list[RecordError]:
    """Every rejected company (one entry per duplicated company_id, one per id-less row)."""
    rows = con.execute(
        """
        SELECT DISTINCT company_id, _code, _message FROM staged
        WHERE _code IS NOT NULL AND company_id IS NOT NULL AND trim(company_id) <> ''
        UNION ALL
        SELECT company_id, _code, _message FROM staged WHERE _code = 'missing_company_id'
        ORDER BY company_id NULLS FIRST
        """
    ).fetchall()
    return [RecordError(company_id, code, message) for company_id, code, message in rows]


def iter_changes(
    con: duckdb.DuckDBPyConnection,
    fields: tuple[Field, ...],
    *,
    where: str = "TRUE",
    page_rows: int = 1000,
) -> Iterator[list[Change]]:
    """Yield ``changes`` (filtered by the SQL condition `where`) in pages of `page_rows`.

    Paging by ``_seq`` keeps memory bounded and leaves the connection free between pages, so
    results can be committed while changes are still being read.
    """
    last = 0
    while True:
        cursor = con.execute(
            f"SELECT * FROM changes WHERE _seq > ? AND ({where}) ORDER BY _seq LIMIT ?",
            [last, page_rows],
        )
        names = [d[0] for d in cursor.description or ()]
        rows = cursor.fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield [_change_from_row(dict(zip(names, row, strict=True)), fields) for row in rows]


def _change_from_row(row: dict[str, Any], fields: tuple[Field, ...]) -> Change:
    texts, old = {}, {}
    for field in fields:
        text = row[_value_column(field.attribute)]
        if text is not None:
            texts[field.attribute] = text
            previous = row["o:" + field.attribute]
            if previous is not None:
                old[field.attribute] = json.loads(previous)
    return Change(
        company_id=row["company_id"],
        intercom_id=row["intercom_id"],
        new=bool(row["_new"]),
        texts=texts,
        old=old,
    )
