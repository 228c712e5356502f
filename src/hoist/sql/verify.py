"""The statements `hoist verify` runs over its scratch copy of what state says was delivered.

``verify_delivered`` holds one row per company state knows (with an Intercom id): the id and the
JSON text of each mapped attribute. ``verify_seen`` collects the company_ids Intercom showed, so
the companies it never showed are one anti-join away.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from hoist.diff.local import state_column
from hoist.sql.build import column, identifier, table, template

__all__ = [
    "DELIVERED",
    "SEEN",
    "count_query",
    "create_statements",
    "mark_seen_statement",
    "rows_for_query",
    "sample_query",
    "unseen_query",
]

DELIVERED = "verify_delivered"
SEEN = "verify_seen"


def create_statements(relation: exp.Expr) -> list[exp.Expr]:
    """Copy the state `relation` (see `StateStore.relation`) and start an empty seen-list."""
    return [
        template(
            "CREATE OR REPLACE TEMP TABLE $t AS SELECT * FROM $r AS r "
            "WHERE r.intercom_id IS NOT NULL",
            t=table(DELIVERED),
            r=relation,
        ),
        template("CREATE OR REPLACE TEMP TABLE $t (company_id VARCHAR)", t=table(SEEN)),
    ]


def _select(attributes: Sequence[str]) -> exp.Select:
    names = ["company_id", "intercom_id", *map(state_column, attributes)]
    return exp.select(*(column(n, "d") for n in names)).from_(table(DELIVERED).as_(identifier("d")))


def count_query() -> exp.Expr:
    """How many companies the copy holds."""
    return template("SELECT count(*) FROM $t", t=table(DELIVERED))


def mark_seen_statement(batch: str) -> exp.Expr:
    """Add the company_ids of the registered relation `batch` to the seen-list."""
    return template("INSERT INTO $seen SELECT company_id FROM $b", seen=table(SEEN), b=table(batch))


def rows_for_query(attributes: Sequence[str], batch: str) -> exp.Expr:
    """The delivered rows of the company_ids in the registered relation `batch`."""
    return _select(attributes).join(
        table(batch).as_(identifier("b")),
        on=template("d.company_id = b.company_id"),
    )


def sample_query(attributes: Sequence[str], n: int) -> exp.Expr:
    """`n` delivered rows chosen at random."""
    return _select(attributes).order_by(exp.func("random")).limit(n)


def unseen_query(attributes: Sequence[str]) -> exp.Expr:
    """The delivered rows whose company_id is not in the seen-list, by company_id."""
    seen = exp.select(column("company_id")).from_(table(SEEN))
    query = _select(attributes).where(exp.not_(column("company_id", "d").isin(query=seen)))
    return query.order_by(column("company_id", "d"))
