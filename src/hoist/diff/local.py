"""The statements of the diff: stage the model, find the touched companies, build the changes.

``staged`` holds one row per model row: ``company_id``, one JSON-text column per attribute
(``v:<attribute>``) and a verdict (``_code``, ``_message``; NULL when the row can go).
``changes`` holds one row per company that needs a write, with the new text of exactly the
attributes that changed and, for plans, the previous text (``o:<attribute>``). The state side is
any relation with ``company_id``, ``intercom_id`` and one ``a:<attribute>`` column per field.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from hoist.diff.values import reason_expression, value_expression
from hoist.mapping import Field
from hoist.sql.build import column, identifier, join_or, literal, table, temp_table_as, template

__all__ = [
    "CHANGES",
    "FINGERPRINT",
    "STAGED",
    "change_columns",
    "changes_statement",
    "count_query",
    "counts_query",
    "held_column",
    "old_column",
    "page_query",
    "reason_column",
    "rejectable_rows",
    "rejection_rows",
    "rejections_query",
    "resolve_statement",
    "row_hash",
    "stage_statement",
    "state_column",
    "touched_statement",
    "unresolved_query",
    "value_column",
]

STAGED = "staged"
#: The column a model row's fingerprint travels in, through ``staged`` (warehouse diff only).
FINGERPRINT = "_hoist_fp"
CHANGES = "changes"
_TOUCHED = "touched"


def state_column(attribute: str) -> str:
    """The state column remembering the last confirmed JSON text of `attribute`."""
    return f"a:{attribute}"


def value_column(attribute: str) -> str:
    """The staged (and changes) column holding the model's JSON text of `attribute`."""
    return f"v:{attribute}"


def reason_column(attribute: str) -> str:
    """The staged column saying why the model's value of `attribute` cannot go (NULL: it can)."""
    return f"r:{attribute}"


def old_column(attribute: str) -> str:
    """The changes column holding what state remembered of `attribute` (for plans)."""
    return f"o:{attribute}"


def _checked(fields: Sequence[Field]) -> list[tuple[Field, exp.Expr]]:
    """The fields whose values can be refused, with the reason expression of each."""
    return [(f, r) for f in fields if (r := reason_expression(f)) is not None]


def stage_statement(
    fields: Sequence[Field], id_column: str, rows: exp.Expr, *, extra: Sequence[str] = ()
) -> exp.Expr:
    """``staged`` from the model relation `rows`: normalised values and verdicts, and the
    columns of `rows` named in `extra` as they are.

    A row as a whole is refused only for its company_id (missing, or appearing twice). A value
    Intercom would refuse holds back that attribute alone (``r:<attribute>``): the company's
    other attributes go through, and the attribute goes once its value is one Intercom takes.
    """
    checked = _checked(fields)
    normalised = exp.select(
        template("CAST($c AS VARCHAR)", c=column(id_column)).as_("company_id"),
        *(value_expression(f).as_(identifier(value_column(f.attribute))) for f in fields),
        *(reason.as_(identifier(reason_column(f.attribute))) for f, reason in checked),
        *(column(name) for name in extra),
    ).from_(rows)
    counted = exp.select(
        "*", template("count(*) OVER (PARTITION BY company_id)").as_("_copies")
    ).from_(normalised.subquery())
    missing = literal(f"column {id_column!r} is null or empty")
    verdict = template(
        """SELECT
            CASE WHEN company_id IS NULL OR trim(company_id) = '' THEN 'missing_company_id'
                 WHEN _copies > 1 THEN 'duplicate_company_id' END AS _code,
            CASE WHEN company_id IS NULL OR trim(company_id) = '' THEN $missing
                 WHEN _copies > 1 THEN 'company_id appears ' || _copies
                     || ' times in the model; none of its rows is sent' END AS _message
        FROM $counted""",
        missing=missing,
        counted=counted.subquery(),
    )
    assert isinstance(verdict, exp.Select)
    kept = [
        column("company_id"),
        *(column(value_column(f.attribute)) for f in fields),
        *(column(reason_column(f.attribute)) for f, _ in checked),
        *(column(name) for name in extra),
    ]
    return temp_table_as(STAGED, verdict.select(*kept, append=True))


def touched_statement(fields: Sequence[Field], state: exp.Expr) -> exp.Expr:
    """``touched``: valid companies that are new to state or whose row hash differs.

    Equal values always hash equal, so no change is missed for a hash that differs; two
    different rows hashing equal (64-bit) is the one way a change could hide, at odds of about
    one in 10**12 for ten million companies.
    """
    if not fields:
        query = template(
            "SELECT s.company_id FROM staged AS s ANTI JOIN $state AS c "
            "ON s.company_id = c.company_id WHERE s._code IS NULL",
            state=state,
        )
        return temp_table_as(_TOUCHED, query)
    new = exp.func("hash", *(column(value_column(f.attribute)) for f in fields))
    old = exp.func("hash", *(column(state_column(f.attribute)) for f in fields))
    query = template(
        """SELECT s.company_id
        FROM (SELECT company_id, $new AS h FROM staged WHERE _code IS NULL) AS s
        LEFT JOIN (SELECT company_id, $old AS h FROM $state) AS c ON s.company_id = c.company_id
        WHERE c.h IS NULL OR c.h <> s.h""",
        new=new,
        old=old,
        state=state,
    )
    return temp_table_as(_TOUCHED, query)


def change_columns(
    fields: Sequence[Field],
) -> tuple[list[exp.Expr], list[exp.Expr], exp.Expr]:
    """(new texts, old texts, "something differs") of a company, staged ``s`` against state ``c``.

    A new text is set only for an attribute whose value differs from what state remembers; a
    value Intercom would refuse is held back (never a difference), so it is not sent; with
    ``sync.nulls: keep`` (`Field.keep_null`) a model null is never a difference either.
    Shared by the local diff and the one the warehouse runs (`hoist.diff.in_warehouse`).
    """
    news: list[exp.Expr] = []
    olds: list[exp.Expr] = []
    differs: list[exp.Expr] = []
    refusable = {f.attribute for f, _ in _checked(fields)}
    for field in fields:
        new = column(value_column(field.attribute), "s")
        old = column(state_column(field.attribute), "c")
        differ = template("$n IS DISTINCT FROM $o", n=new, o=old)
        if field.keep_null:
            differ = template("($n <> 'null' AND $d)", n=new, d=differ)
        if field.attribute in refusable:  # a refused value is held back, not sent
            reason = column(reason_column(field.attribute), "s")
            differ = template("($r IS NULL AND $d)", r=reason, d=differ)
        differs.append(differ)
        news.append(exp.case().when(differ, new).as_(identifier(value_column(field.attribute))))
        olds.append(old.as_(identifier(old_column(field.attribute))))
    return news, olds, join_or(differs)


def row_hash(values: Sequence[exp.Expr]) -> exp.Expr:
    """The hash of a company's staged values (the ``missing`` table's ``row_hash``; DuckDB)."""
    return exp.func("hash", *values)


def changes_statement(fields: Sequence[Field], state: exp.Expr) -> exp.Expr:
    """``changes``: per touched company, the new text of each attribute that differs."""
    news, olds, differs = change_columns(fields)
    query = template(
        """SELECT row_number() OVER () AS _seq, s.company_id, c.intercom_id,
            c.company_id IS NULL AS _new
        FROM (SELECT * FROM staged WHERE company_id IN (SELECT company_id FROM touched)) AS s
        LEFT JOIN (SELECT * FROM $state WHERE company_id IN (SELECT company_id FROM touched)) AS c
            ON s.company_id = c.company_id
        WHERE s._code IS NULL AND (c.company_id IS NULL OR $differs)""",
        state=state,
        differs=differs,
    )
    assert isinstance(query, exp.Select)
    values = [column(value_column(f.attribute), "s") for f in fields] or [column("company_id", "s")]
    hashed = row_hash(values).as_("_row_hash")
    return temp_table_as(CHANGES, query.select(*news, *olds, hashed, append=True))


def counts_query() -> exp.Expr:
    """(rows, rejected rows, companies to write, of which new to state)."""
    return template(
        """SELECT (SELECT count(*) FROM staged),
            (SELECT count(*) FROM staged WHERE _code IS NOT NULL),
            (SELECT count(*) FROM changes),
            (SELECT count(*) FROM changes WHERE _new)"""
    )


def rejection_rows(fields: Sequence[Field] = (), relation: str = STAGED) -> exp.Query:
    """Every rejection in ``staged`` as (company_id, _code, _message, attribute), unordered.

    One entry per duplicated company_id and per id-less row (attribute NULL), and one per value
    held back (company_id, ``invalid_value``, reason, attribute) of a company otherwise sent.
    `relation` names another table of staged rows to read (the warehouse's diff reads only the
    rows with a verdict or a reason, `rejectable_rows`).
    """
    staged = table(relation)
    rows = template(
        """SELECT DISTINCT company_id, _code, _message, CAST(NULL AS VARCHAR) AS attribute
        FROM $staged
        WHERE _code IS NOT NULL AND company_id IS NOT NULL AND trim(company_id) <> ''
        UNION ALL
        SELECT company_id, _code, _message, CAST(NULL AS VARCHAR) AS attribute
        FROM $staged WHERE _code = 'missing_company_id'""",
        staged=staged,
    )
    for field, _ in _checked(fields):
        reason = column(reason_column(field.attribute))
        held = template(
            "SELECT company_id, 'invalid_value', $r, $a FROM $staged "
            "WHERE _code IS NULL AND $r IS NOT NULL",
            r=reason,
            a=literal(field.attribute),
            staged=staged,
        )
        rows = exp.union(rows, held, distinct=False)
    assert isinstance(rows, exp.Query)
    return rows


def rejectable_rows(fields: Sequence[Field]) -> exp.Select:
    """The staged rows `rejection_rows` can draw from: a verdict, or a value held back."""
    checked = _checked(fields)
    reasons = [column(reason_column(f.attribute)) for f, _ in checked]
    query = exp.select(column("company_id"), column("_code"), column("_message"), *reasons)
    conditions = [template("_code IS NOT NULL"), *(r.is_(exp.null()).not_() for r in reasons)]
    return query.from_(table(STAGED)).where(join_or(conditions))


def rejections_query(fields: Sequence[Field] = (), source: exp.Expr | None = None) -> exp.Expr:
    """Every rejection as (company_id, code, message, attribute), in company order.

    From ``staged`` (`rejection_rows`), or from `source`, a relation of those four columns.
    """
    rows = rejection_rows(fields).subquery("rejections") if source is None else source
    ordered = exp.select("*").from_(rows)
    return ordered.order_by(
        exp.Ordered(this=column("company_id"), nulls_first=True), column("attribute")
    )


def page_query(*, after: int, limit: int, known_only: bool) -> exp.Expr:
    """The next `limit` changes after sequence number `after` (known: with an Intercom id)."""
    query = template(
        "SELECT * FROM changes WHERE _seq > $after ORDER BY _seq LIMIT $limit",
        after=literal(after),
        limit=literal(limit),
    )
    assert isinstance(query, exp.Select)
    return query.where(_known(), append=True) if known_only else query


def count_query(*, known_only: bool, unresolved_only: bool, new_only: bool) -> exp.Expr:
    """How many changes there are: with an Intercom id, without one, new to state."""
    query = template("SELECT count(*) FROM changes")
    assert isinstance(query, exp.Select)
    if known_only:
        query = query.where(_known())
    if unresolved_only:
        query = query.where(template("intercom_id IS NULL"))
    if new_only:
        query = query.where(template("_new"))
    return query


def unresolved_query(missing: exp.Expr | None = None) -> exp.Expr:
    """(company_id, row hash) of changes without an Intercom id yet.

    With `missing` (company_id, row_hash), those not found before whose row is the same are
    left out: their lookup would only repeat the last answer.
    """
    if missing is None:
        return template("SELECT company_id, _row_hash FROM changes WHERE intercom_id IS NULL")
    return template(
        "SELECT company_id, _row_hash FROM changes AS c WHERE intercom_id IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM $m AS m "
        "WHERE m.company_id = c.company_id AND m.row_hash = c._row_hash)",
        m=missing,
    )


def held_column(attribute: str) -> str:
    """The column of a found company's value of `attribute`, as Intercom's lookup showed it."""
    return f"h:{attribute}"


def resolve_statement(found: exp.Expr, fields: Sequence[Field] = ()) -> exp.Expr:
    """Give changes the Intercom ids in `found` (company_id, intercom_id, ``h:<attribute>``).

    Where the model has null and Intercom showed a value that state never recorded, that value
    becomes the change's old text, so the write clears it (first contact, `hoist.first_contact`).
    """
    statement = template(
        "UPDATE changes SET intercom_id = f.intercom_id FROM $found AS f "
        "WHERE changes.company_id = f.company_id",
        found=found,
    )
    for field in fields:
        new = column(value_column(field.attribute), "changes")
        old = column(old_column(field.attribute), "changes")
        held = column(held_column(field.attribute), "f")
        clear = template(
            "CASE WHEN $n = 'null' AND $o IS NULL THEN $h ELSE $o END", n=new, o=old, h=held
        )
        target = column(old_column(field.attribute))
        statement.append("expressions", exp.EQ(this=target, expression=clear))
    return statement


def _known() -> exp.Expr:
    return template("intercom_id IS NOT NULL")
