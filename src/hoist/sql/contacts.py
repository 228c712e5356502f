"""`ContactPairs` and its statements: the staged contacts model, what is pending, what left.

A pair is (company_id, contact key): the key is the model's email (lower-cased, as Intercom
matches emails whatever their case, see docs/design.md) or external_id (exactly). The contacts
model is staged into the scratch table ``contact_rows``; it is compared with the state's
``contact_pairs`` (what was attached, or searched for and not found) and ``companies`` (which
companies are delivered, with their Intercom ids).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa
from sqlglot import exp

from hoist.diff.local import CHANGES
from hoist.errors import SourceError
from hoist.sql.build import column, literal, render, table, template

__all__ = ["STAGED_PAIRS", "ContactPairs", "PendingPair", "RemovedPair", "planned_companies"]

STAGED_PAIRS = "contact_rows"


def key_expression(key_column: str, match: str) -> exp.Expr:
    """The contact key of a row: the email lower-cased, or the external_id as it is."""
    text = template("CAST($c AS VARCHAR)", c=column(key_column))
    return exp.func("lower", text) if match == "email" else text


def stage_statement(company_column: str, key_column: str, match: str, rows: exp.Expr) -> exp.Expr:
    """``contact_rows`` from the model relation `rows`: its distinct, complete pairs."""
    query = template(
        "SELECT DISTINCT CAST($company AS VARCHAR) AS company_id, $key AS contact_key FROM $rows "
        # length(...) > 0 rather than <> '': sqlglot misreads '' after a $placeholder.
        "WHERE length(trim(CAST($company AS VARCHAR))) > 0 "
        "AND length(trim(CAST($given AS VARCHAR))) > 0",
        company=column(company_column),
        key=key_expression(key_column, match),
        given=column(key_column),
        rows=rows,
    )
    return exp.Create(
        this=table(STAGED_PAIRS),
        kind="TABLE",
        expression=query,
        replace=True,
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )


def pending_query(companies: exp.Expr, pairs: exp.Expr, cutoff: datetime) -> exp.Expr:
    """(company_id, company's Intercom id, contact key) of model pairs still to attach.

    Only delivered companies (with an Intercom id in `companies`) count; a pair is done when
    state holds an attached contact for it, or a "not found" checked after `cutoff`.
    """
    return template(
        "SELECT m.company_id, c.intercom_id, m.contact_key FROM $staged AS m "
        "JOIN $companies AS c ON c.company_id = m.company_id AND c.intercom_id IS NOT NULL "
        "WHERE NOT EXISTS (SELECT 1 FROM $pairs AS p WHERE p.company_id = m.company_id "
        "AND p.contact_key = m.contact_key AND (p.contact_id IS NOT NULL OR p.checked_at > $cut)) "
        "ORDER BY m.contact_key, m.company_id",
        staged=table(STAGED_PAIRS),
        companies=companies,
        pairs=pairs,
        cut=exp.cast(literal(cutoff.isoformat()), "TIMESTAMPTZ"),
    )


def planned_companies(companies: exp.Expr, *, insert: bool) -> exp.Expr:
    """`companies` as they will be after this run's sends (for a plan; NULL ids unknown).

    Companies of the run's ``changes`` that it will write take a placeholder Intercom id: in
    insert mode every one (new ones are created), otherwise those that were found.
    """
    written = template(
        "SELECT company_id, coalesce(intercom_id, '(planned)') AS intercom_id FROM $changes",
        changes=table(CHANGES),
    )
    if not insert:
        written = template(
            "SELECT company_id, intercom_id FROM $changes WHERE intercom_id IS NOT NULL",
            changes=table(CHANGES),
        )
    known = template("SELECT company_id, intercom_id FROM $companies", companies=companies)
    return template(
        "(SELECT u.company_id, max(u.intercom_id) AS intercom_id FROM $both AS u "
        "GROUP BY u.company_id)",
        both=exp.union(known, written, distinct=False).subquery(),
    )


def removed_query(companies: exp.Expr, pairs: exp.Expr) -> exp.Expr:
    """State's pairs that left the model: (company_id, key, contact id, company Intercom id).

    The contact id is NULL for a pair only remembered as not found; the Intercom id is NULL
    when state no longer knows the company.
    """
    return template(
        "SELECT p.company_id, p.contact_key, p.contact_id, c.intercom_id FROM $pairs AS p "
        "LEFT JOIN $companies AS c ON c.company_id = p.company_id "
        "WHERE NOT EXISTS (SELECT 1 FROM $staged AS m WHERE m.company_id = p.company_id "
        "AND m.contact_key = p.contact_key) ORDER BY p.company_id, p.contact_key",
        staged=table(STAGED_PAIRS),
        companies=companies,
        pairs=pairs,
    )


def not_found_query(pairs: exp.Expr) -> exp.Expr:
    """How many distinct contacts of the model Intercom did not have when last searched."""
    return template(
        "SELECT count(DISTINCT m.contact_key) FROM $staged AS m "
        "WHERE EXISTS (SELECT 1 FROM $pairs AS p WHERE p.company_id = m.company_id "
        "AND p.contact_key = m.contact_key AND p.contact_id IS NULL)",
        staged=table(STAGED_PAIRS),
        pairs=pairs,
    )


_MODEL_ROWS = "contact_model_rows"


@dataclass(frozen=True)
class PendingPair:
    """A model pair to attach: the company (and its Intercom id) and the contact key."""

    company_id: str
    company_intercom_id: str
    contact_key: str


@dataclass(frozen=True)
class RemovedPair:
    """A remembered pair that left the model (`contact_id` None: it was never found)."""

    company_id: str
    contact_key: str
    contact_id: str | None
    company_intercom_id: str | None


class ContactPairs:
    """The contacts model staged in DuckDB, answering what a run must attach and detach."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    @classmethod
    def stage(
        cls,
        con: duckdb.DuckDBPyConnection,
        reader: pa.RecordBatchReader,
        *,
        company_column: str,
        key_column: str,
        match: str,
    ) -> ContactPairs:
        """Stage the distinct (company_id, contact key) pairs streamed by `reader`."""
        con.register(_MODEL_ROWS, reader)
        try:
            statement = stage_statement(company_column, key_column, match, table(_MODEL_ROWS))
            con.execute(render(statement))
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            raise SourceError(f"reading the contacts model failed: {exc}") from exc
        finally:
            con.unregister(_MODEL_ROWS)
        return cls(con)

    def pending(self, companies: exp.Expr, pairs: exp.Expr, cutoff: datetime) -> list[PendingPair]:
        """Model pairs of delivered companies not attached yet (nor recently not found)."""
        rows = self._con.execute(render(pending_query(companies, pairs, cutoff))).fetchall()
        return [PendingPair(*row) for row in rows]

    def removed(self, companies: exp.Expr, pairs: exp.Expr) -> list[RemovedPair]:
        """Remembered pairs the model no longer has."""
        rows = self._con.execute(render(removed_query(companies, pairs))).fetchall()
        return [RemovedPair(*row) for row in rows]

    def not_found(self, pairs: exp.Expr) -> int:
        """Distinct contacts of the model that Intercom did not have when last searched."""
        return int(self._con.execute(render(not_found_query(pairs))).fetchall()[0][0])
