"""The statements of the removal policy: companies hoist delivered that left the model.

A company is a removal candidate only if hoist created or updated it itself: with insert mode
on, every company state holds (each was written by an upsert hoist sent); with it off, those for
which state holds at least one mapped attribute hoist delivered (a company found in Intercom but
never successfully updated is not hoist's). With ``clear``, only companies still holding a
non-null mapped value that `PUT /companies/{id}` can clear are candidates, so each is cleared
once (`remote_created_at`, which the update route cannot carry, never makes a company one); with
``delete``, every candidate is deleted (Intercom archives it).
``removals`` holds one row per candidate, with what state remembered (``o:<attribute>``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from hoist.company_attributes import update_takes
from hoist.diff.local import STAGED, old_column, state_column
from hoist.mapping import Field
from hoist.sql.build import column, identifier, join_or, literal, table, template

__all__ = [
    "REMOVALS",
    "delivered_query",
    "removal_candidates",
    "removal_page_query",
    "removals_count_query",
    "removals_statement",
    "removals_table",
]

REMOVALS = "removals"


def _delivered(fields: Sequence[Field], *, held_only: bool, insert: bool = False) -> exp.Expr:
    """Hoist wrote the company (`held_only`: and Intercom holds a non-null mapped value)."""
    if insert and not held_only:
        return exp.true()
    conditions = []
    for field in fields:
        old = column(state_column(field.attribute), "c")
        if held_only and update_takes(field.attribute):
            conditions.append(template("($o IS NOT NULL AND $o <> 'null')", o=old))
        elif not held_only:
            conditions.append(template("$o IS NOT NULL", o=old))
    return join_or(conditions)


def delivered_query(fields: Sequence[Field], state: exp.Expr, *, insert: bool) -> exp.Expr:
    """How many companies hoist delivered (the base of `sync.max_removals` percentages)."""
    return template(
        "SELECT count(*) FROM $state AS c WHERE c.intercom_id IS NOT NULL AND $delivered",
        state=state,
        delivered=_delivered(fields, held_only=False, insert=insert),
    )


def removal_candidates(
    fields: Sequence[Field],
    state: exp.Expr,
    policy: str,
    *,
    insert: bool,
    present: exp.Expr | None = None,
) -> exp.Select:
    """(company_id, intercom_id, ``o:<attribute>``...) of the delivered companies absent from
    the model that `policy` acts on (any engine: the warehouse's diff selects them too).

    The model's company_ids are ``staged``'s, or those of `present` (a relation with
    ``company_id``) when ``staged`` holds only some rows.
    """
    olds = [
        column(state_column(f.attribute), "c").as_(identifier(old_column(f.attribute)))
        for f in fields
    ]
    query = template(
        """SELECT c.company_id, c.intercom_id
        FROM $state AS c
        WHERE c.intercom_id IS NOT NULL AND c.intercom_id <> ''
            AND NOT EXISTS (SELECT 1 FROM $staged AS s WHERE s.company_id = c.company_id)
            AND $delivered""",
        state=state,
        staged=table(STAGED) if present is None else present,
        delivered=_delivered(fields, held_only=policy == "clear", insert=insert),
    )
    assert isinstance(query, exp.Select)
    return query.select(*olds, append=True)


def removals_statement(
    fields: Sequence[Field], state: exp.Expr, policy: str, *, insert: bool
) -> exp.Expr:
    """``removals``: delivered companies absent from ``staged`` that `policy` acts on."""
    candidates = removal_candidates(fields, state, policy, insert=insert)
    return removals_table(candidates.subquery("candidates"))


def removals_table(candidates: exp.Expr) -> exp.Expr:
    """``removals`` from a relation of removal candidates, numbered for paging."""
    query = exp.select(template("row_number() OVER (ORDER BY company_id)").as_("_seq"), "*")
    return exp.Create(
        this=table(REMOVALS),
        kind="TABLE",
        expression=query.from_(candidates),
        replace=True,
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )


def removals_count_query() -> exp.Expr:
    """How many companies the removal policy acts on in this run."""
    return template("SELECT count(*) FROM $r", r=table(REMOVALS))


def removal_page_query(*, after: int, limit: int) -> exp.Expr:
    """The next `limit` removals after sequence number `after`."""
    return template(
        "SELECT * FROM $r WHERE _seq > $after ORDER BY _seq LIMIT $limit",
        r=table(REMOVALS),
        after=literal(after),
        limit=literal(limit),
    )
