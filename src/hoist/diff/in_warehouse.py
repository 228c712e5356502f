"""The diff run by the warehouse itself: one query whose result holds only what must leave it.

The model is staged, normalised and compared with the state relation inside the warehouse
(the local diff's own expressions, `hoist.diff.local`, made portable for the warehouse's
dialect), and the query returns four kinds of rows (``_kind``):

- ``c``: a company to write, with the new text of the attributes that changed and the old
  text of every attribute (the local diff's ``changes`` columns), every new text
  (``n:<attribute>``, for the row hash the ``missing`` table keeps) and, for update-only runs,
  the row hash recorded when the company was last not found (``_missing_hash``) and the
  fingerprint of its model row (``_fp``; '' when a value is held back: state then does not
  hold the row's values);
- ``r``: a rejection (a duplicated company_id, a row without one, a value held back), with its
  code, message and attribute;
- ``x``: a company the removal policy acts on (``sync.on_removal``), with its old texts;
- ``s``: one summary row: ``_rows`` model rows, of which ``_bad`` rejected.

It writes nothing, so a plan runs it as a run does.

With a fingerprint (`hoist.diff.fingerprint`), only the model rows whose fingerprint differs
from the one state remembers are normalised (``pending``), with every copy of a company_id that
appears more than once, so the verdicts stay those of the whole model; the row count and the
removals still see every model row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import sqlglot
from sqlglot import exp

from hoist.diff import fingerprint
from hoist.diff.fingerprint import FINGERPRINT_COLUMN
from hoist.diff.local import (
    FINGERPRINT,
    change_columns,
    old_column,
    reason_column,
    rejectable_rows,
    rejection_rows,
    row_hash,
    stage_statement,
    state_column,
    value_column,
)
from hoist.diff.removals import removal_candidates, removals_table
from hoist.diff.values import reason_expression
from hoist.mapping import Field
from hoist.sources.registry import dialect_of
from hoist.sql.build import column, identifier, literal, table, temp_table_as, template

__all__ = [
    "KINDS",
    "MISSING_SEEN",
    "REJECTIONS",
    "DiffSpec",
    "Materialisation",
    "diff_query",
    "in_stages",
    "landed_counts_query",
    "landing_statements",
    "materialisation",
    "model_relation",
    "new_column",
    "pending_keys_query",
    "portable",
    "schema_query",
    "staged_query",
]

#: The values of ``_kind``: a change, a rejection, a removal, the summary.
KINDS: Final = ("c", "r", "x", "s")


def new_column(attribute: str) -> str:
    """The fetched column holding the model's text of `attribute` (changed or not)."""
    return f"n:{attribute}"


@dataclass(frozen=True)
class DiffSpec:
    """What the warehouse's diff compares: the model against state, under the sync's rules."""

    fields: Sequence[Field]
    id_column: str
    model: exp.Expr
    state: exp.Expr
    #: ``sync.on_removal``, and whether insert mode is on (which companies hoist delivered).
    on_removal: str = "keep"
    insert: bool = True
    #: Update-only runs: (company_id, row_hash) of the companies last not found, or None.
    missing: exp.Expr | None = None
    #: The fingerprint of a model row aliased ``m`` (`hoist.diff.fingerprint.expression`), to
    #: skip rows state already holds; None: normalise every row. State must then have ``_fp``.
    fingerprint: exp.Expr | None = None
    #: The warehouse's dialect (for the hash of company_ids that finds duplicates).
    dialect: str = "duckdb"


def model_relation(sql: str, dialect: str) -> exp.Expr:
    """The model query (in the warehouse's `dialect`) as a subquery to select from."""
    query = sqlglot.parse_one(sql, read=dialect)
    assert isinstance(query, exp.Query)  # model_query checked it is one query
    return query.subquery("model")


def diff_query(spec: DiffSpec, *, staged: str | None = None) -> exp.Expr:
    """The changes, rejections, removals and row count of the model against state.

    `staged`: the name of a relation already holding `staged_query`'s rows (computed once
    beforehand, `materialisation`); None: the query computes them itself.
    """
    names = [f.attribute for f in spec.fields]
    empty = _Row(names)
    parts: list[exp.Query] = [_changes(spec, empty), _rejections(spec, empty)]
    if spec.on_removal != "keep":
        parts.append(_removals(spec, empty))
    parts.append(_summary(spec, empty))
    union = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=False)
    rows = staged_query(spec) if staged is None else exp.select("*").from_(table(staged))
    query = union.with_("staged", as_=rows)
    if spec.fingerprint is None or spec.on_removal != "keep":
        # With a fingerprint the pending rows carry state, and only removals read it again.
        query = query.with_("hoist_state", as_=_unwrapped(spec.state))
    query = query.with_("rejectable", as_=rejectable_rows(spec.fields))
    if spec.missing is not None:
        query = query.with_("hoist_missing", as_=_unwrapped(spec.missing))
    return query


def staged_query(spec: DiffSpec, *, keys: str | None = None) -> exp.Query:
    """The model rows to compare, normalised, with their verdicts (``staged``): with a
    fingerprint only the pending rows, each carrying its state row.

    `keys`: the name of a relation holding `pending_keys_query`'s rows (materialised first):
    the pending rows are then those keys' rows, read from the model and state by key.
    """
    extra: tuple[str, ...] = ()
    if spec.fingerprint is not None:
        extra = (FINGERPRINT, *(_CARRIED + n for n in _state_names(spec)))
    rows = spec.model
    if spec.fingerprint is not None:
        rows = _pending(spec, spec.fingerprint) if keys is None else _keyed(spec, keys)
    staged = stage_statement(spec.fields, spec.id_column, rows, extra=extra).expression
    assert isinstance(staged, exp.Query)
    return staged


@dataclass(frozen=True)
class Materialisation:
    """Statements that compute a query once and keep its rows as a named relation (`create`),
    and that drop it again (`drop`)."""

    name: str
    create: exp.Expr
    drop: tuple[exp.Expr, ...]


def in_stages(dialect: str) -> bool:
    """Whether the diff runs in `dialect` in stages (`pending_keys_query`, `staged_query`,
    then `diff_query`), each kept as a relation (`materialisation`) for the next."""
    # DuckDB and Postgres compute a CTE read more than once a single time themselves.
    return dialect_of(dialect).recomputes_ctes


def materialisation(name: str, query: exp.Expr, dialect: str) -> Materialisation:
    """How to compute `query` once as the relation `name` in `dialect` (one that runs the
    diff `in_stages`), and drop it after. Spark recomputes a CTE at every reference: the diff
    reads ``staged`` three times, and each read would scan and join the model and state again.
    """
    assert in_stages(dialect), dialect
    # An eager CACHE TABLE: a temporary view of the session (nothing in the catalog, nothing
    # left behind if the process dies), its rows computed now and kept in memory (spilling to
    # local disk) until uncached.
    relation = table(name)
    return Materialisation(
        name,
        exp.Cache(this=relation, lazy=False, expression=query),
        (
            exp.Uncache(this=relation.copy(), exists=True),
            exp.Drop(tables=[relation.copy()], kind="VIEW", exists=True),
        ),
    )


def _model_id(spec: DiffSpec, alias: str | None = None) -> exp.Expr:
    return exp.cast(column(spec.id_column, alias), "VARCHAR")


def _duplicated_ids(spec: DiffSpec) -> exp.Select:
    """The hashes of the company_ids that appear more than once in the model (a superset of
    theirs when two ids share a hash: their rows are then normalised too, and the staged count
    of copies decides)."""
    hashed = fingerprint.text_hash(_model_id(spec), spec.dialect)
    query = exp.select(hashed.as_("h")).from_(spec.model.copy())
    query = query.where(column(spec.id_column).is_(exp.null()).not_())
    return query.group_by(hashed.copy()).having(template("count(*) > 1"))


def _aliased(relation: exp.Expr, alias: str) -> exp.Expr:
    """`relation` (a query, or a subquery) as a subquery named `alias`."""
    return exp.Subquery(
        this=_unwrapped(relation).copy(), alias=exp.TableAlias(this=identifier(alias))
    )


#: The prefix of state's columns carried along the pending rows (``<prefix>a:name`` ...).
_CARRIED = "_hoist_c:"


def _state_names(spec: DiffSpec) -> list[str]:
    """The state columns the changes read, carried through ``staged`` with a fingerprint."""
    names = ["company_id", "intercom_id", *(state_column(f.attribute) for f in spec.fields)]
    return [*names, FINGERPRINT_COLUMN]


def _pending(spec: DiffSpec, printed: exp.Expr) -> exp.Expr:
    """The model rows to normalise: those whose fingerprint is not the one state remembers
    (new, changed, never fingerprinted), and every copy of a duplicated company_id; each with
    the state row it joined (``_hoist_c:<column>``), so state is read once.

    One pass over the model that the warehouse can run in parallel. Whether any company_id is
    duplicated is asked once, first (an uncorrelated EXISTS: Postgres runs it once, before the
    workers start), so a model without duplicates never builds the set of duplicated ids; one
    with duplicates looks each row up in it. Both are subqueries, not a shared CTE: Postgres
    would materialise a CTE read twice and then join in a single process.
    """
    every = exp.Column(this=exp.Star(), table=identifier("m"))
    carried = [column(n, "c").as_(identifier(_CARRIED + n)) for n in _state_names(spec)]
    return (
        exp.select(every, printed.copy().as_(identifier(FINGERPRINT)), *carried)
        .from_(_aliased(spec.model, "m"))
        .join(
            _aliased(spec.state, "c"),
            on=exp.EQ(this=_model_id(spec, "m"), expression=column("company_id", "c")),
            join_type="LEFT",
        )
        .where(
            template(
                "c._fp IS NULL OR c._fp <> $fp OR (EXISTS ($any) AND $id IN ($dups))",
                fp=printed.copy(),
                any=_duplicated_ids(spec),
                id=fingerprint.text_hash(_model_id(spec, "m"), spec.dialect),
                dups=_duplicated_ids(spec),
            )
        )
        .subquery("pending")
    )


#: The column of `pending_keys_query` holding a pending row's company_id as text.
_KEY = "_hoist_k"


def pending_keys_query(spec: DiffSpec) -> exp.Query:
    """The company_ids (as text, ``_hoist_k``) of the model rows `_pending` selects, from a
    join of narrow rows: each model row's id and fingerprint against state's id and remembered
    fingerprint. For an engine that runs the diff in stages (Spark, `materialisation`): a join
    of whole rows moves every column of the model and of state across the shuffle, for the
    1% of rows that differ. A company_id that appears more than once is counted by a window
    over the joined narrow rows (no second and third scan of the model, as `_pending` makes);
    every row without one is pending, and is added back by `_keyed`.
    """
    assert spec.fingerprint is not None
    narrow = exp.select(
        _model_id(spec, "m").as_(_KEY), spec.fingerprint.copy().as_(identifier(FINGERPRINT))
    ).from_(_aliased(spec.model, "m"))
    remembered = exp.select(column("company_id"), column(FINGERPRINT_COLUMN)).from_(
        _aliased(spec.state, "c")
    )
    joined = template(
        "SELECT n._hoist_k, n._hoist_fp, c._fp, count(*) OVER (PARTITION BY n._hoist_k) AS _n "
        "FROM $n AS n LEFT JOIN $c AS c ON n._hoist_k = c.company_id",
        n=narrow.subquery(),
        c=remembered.subquery(),
    )
    assert isinstance(joined, exp.Select)
    keys = template(
        "SELECT DISTINCT _hoist_k FROM $j AS j WHERE _hoist_k IS NOT NULL "
        "AND (_fp IS NULL OR _fp <> _hoist_fp OR _n > 1)",
        j=joined.subquery(),
    )
    assert isinstance(keys, exp.Select)
    return keys


def _keyed(spec: DiffSpec, keys: str) -> exp.Expr:
    """`_pending`'s rows, found by the keys in the relation `keys` (`pending_keys_query`) and
    the rows without a company_id: a few rows from each side, joined."""
    assert spec.fingerprint is not None
    every = exp.Column(this=exp.Star(), table=identifier("m"))
    carried = [column(n, "c").as_(identifier(_CARRIED + n)) for n in _state_names(spec)]
    pending = exp.select(column(_KEY)).from_(table(keys))
    state = exp.select("*").from_(_aliased(spec.state, "s"))
    state = state.where(template("s.company_id IN ($k)", k=pending))
    return (
        exp.select(every, spec.fingerprint.copy().as_(identifier(FINGERPRINT)), *carried)
        .from_(_aliased(spec.model, "m"))
        .join(
            state.subquery("c"),
            on=exp.EQ(this=_model_id(spec, "m"), expression=column("company_id", "c")),
            join_type="LEFT",
        )
        .where(
            template(
                "$id IN ($k) OR $raw IS NULL",
                id=_model_id(spec, "m"),
                k=pending.copy(),
                raw=column(spec.id_column, "m"),
            )
        )
        .subquery("pending")
    )


def _from_carried(node: exp.Expr) -> exp.Expr:
    """A reference to state (``c.<column>``) as the staged column carrying it."""
    if isinstance(node, exp.Column) and node.table == "c":
        return column(_CARRIED + node.name, "s")
    return node


class _Row:
    """The fetched row's columns, in order, NULL unless a part sets them."""

    def __init__(self, names: Sequence[str]) -> None:
        self.kinds: dict[str, str] = {
            "company_id": "VARCHAR",
            "intercom_id": "VARCHAR",
            "_new": "BOOLEAN",
            **{value_column(a): "VARCHAR" for a in names},
            **{old_column(a): "VARCHAR" for a in names},
            **{new_column(a): "VARCHAR" for a in names},
            "_missing_hash": "VARCHAR",
            FINGERPRINT_COLUMN: "VARCHAR",
            "_code": "VARCHAR",
            "_message": "VARCHAR",
            "attribute": "VARCHAR",
            "_rows": "BIGINT",
            "_bad": "BIGINT",
        }

    def select(self, kind: str, given: Mapping[str, exp.Expr]) -> exp.Select:
        """``SELECT kind AS _kind, <every column: given or NULL>``."""
        listed = [
            (given[name] if name in given else _null(type_)).as_(identifier(name))
            for name, type_ in self.kinds.items()
        ]
        return exp.select(literal(kind).as_("_kind"), *listed)


def _changes(spec: DiffSpec, row: _Row) -> exp.Select:
    news, olds, differs = change_columns(spec.fields)
    given: dict[str, exp.Expr] = {
        "company_id": column("company_id", "s"),
        "intercom_id": column("intercom_id", "c"),
        "_new": template("c.company_id IS NULL"),
    }
    for expression in (*news, *olds):
        assert isinstance(expression, exp.Alias)
        given[expression.alias] = expression.this
    for field in spec.fields:
        given[new_column(field.attribute)] = column(value_column(field.attribute), "s")
    if spec.missing is not None:
        given["_missing_hash"] = column("row_hash", "m")
    if spec.fingerprint is not None:
        given[FINGERPRINT_COLUMN] = _confirmable_fingerprint(spec)
    query = row.select("c", given).from_(exp.alias_(table("staged"), "s"))
    if spec.fingerprint is None:
        query = query.join(
            exp.alias_(table("hoist_state"), "c"),
            on=template("s.company_id = c.company_id"),
            join_type="LEFT",
        )
    if spec.missing is not None:
        query = query.join(
            exp.alias_(table("hoist_missing"), "m"),
            on=template("s.company_id = m.company_id"),
            join_type="LEFT",
        )
    query = query.where(template("s._code IS NULL AND (c.company_id IS NULL OR $d)", d=differs))
    if spec.fingerprint is None:
        return query
    # With a fingerprint each staged row carries its state row: no second read of state.
    carried = query.transform(_from_carried)
    assert isinstance(carried, exp.Select)
    return carried


def _confirmable_fingerprint(spec: DiffSpec) -> exp.Expr:
    """The row's fingerprint, or '' when one of its values is held back (state will then not
    hold all of the row's values, so the row must not be skipped next time)."""
    reasons = [
        column(reason_column(f.attribute), "s").is_(exp.null())
        for f in spec.fields
        if reason_expression(f) is not None
    ]
    held = exp.not_(exp.and_(*reasons)) if reasons else exp.false()
    return exp.case().when(held, literal("")).else_(column(FINGERPRINT, "s"))


def _rejections(spec: DiffSpec, row: _Row) -> exp.Select:
    # From the few rows with a verdict or a reason (``rejectable``, one scan of ``staged``), not
    # one scan per checked attribute: Spark recomputes a CTE at every reference.
    given = {name: column(name) for name in ("company_id", "_code", "_message", "attribute")}
    rows = rejection_rows(spec.fields, "rejectable").subquery("rejected")
    return row.select("r", given).from_(rows)


def _removals(spec: DiffSpec, row: _Row) -> exp.Select:
    present = None
    if spec.fingerprint is not None:  # ``staged`` holds only the pending rows
        ids = exp.select(_model_id(spec).as_("company_id")).from_(spec.model.copy())
        present = ids.subquery()
    candidates = removal_candidates(
        spec.fields, table("hoist_state"), spec.on_removal, insert=spec.insert, present=present
    )
    given = {"company_id": column("company_id"), "intercom_id": column("intercom_id")}
    given |= {old_column(f.attribute): column(old_column(f.attribute)) for f in spec.fields}
    return row.select("x", given).from_(candidates.subquery("removed"))


def _summary(spec: DiffSpec, row: _Row) -> exp.Select:
    rows = template("count(*)")
    if spec.fingerprint is not None:  # ``staged`` holds only the pending rows
        rows = exp.select(template("count(*)")).from_(spec.model.copy()).subquery()
    given = {
        "_rows": exp.cast(rows, "BIGINT"),
        "_bad": exp.cast(template("sum(CASE WHEN _code IS NULL THEN 0 ELSE 1 END)"), "BIGINT"),
    }
    return row.select("s", given).from_(table("staged"))


def _null(kind: str) -> exp.Expr:
    return exp.cast(exp.null(), exp.DataType.build(kind, dialect="duckdb"))


def _unwrapped(relation: exp.Expr) -> exp.Expr:
    return relation.this if isinstance(relation, exp.Subquery) else relation


def portable(expression: exp.Expr, dialect: str) -> exp.Expr:
    """`expression` (written for DuckDB) rewritten where `dialect` lacks what it uses (the
    rewrites are the warehouse's, `hoist.sources.<name>.dialect`)."""
    return dialect_of(dialect).portable(expression)


def schema_query(model_sql: str, dialect: str) -> exp.Expr:
    """The model with no rows: its columns and types, at no cost."""
    return exp.select("*").from_(model_relation(model_sql, dialect)).limit(0)


#: The local scratch tables the fetched rows land in (besides ``changes`` and ``removals``).
REJECTIONS: Final = "native_rejections"
MISSING_SEEN: Final = "missing_seen"


def landing_statements(fields: Sequence[Field], fetched: str) -> list[exp.Expr]:
    """The local scratch tables from the rows the warehouse sent (the registered `fetched`),
    shaped as the local diff leaves them: ``changes`` (row hashes computed here, by DuckDB,
    exactly as the local diff does), ``removals``, the rejections, and the companies last not
    found with the row hash recorded then (``missing_seen``)."""
    names = [f.attribute for f in fields]
    source = table(fetched)
    changed = [column(value_column(a)) for a in names] + [column(old_column(a)) for a in names]
    hashed = row_hash([column(new_column(a)) for a in names] or [column("company_id")])
    changes = (
        exp.select(
            template("row_number() OVER (ORDER BY company_id)").as_("_seq"),
            column("company_id"),
            column("intercom_id"),
            column("_new"),
            *changed,
            hashed.as_("_row_hash"),
            column(FINGERPRINT_COLUMN),
        )
        .from_(source)
        .where(template("_kind = 'c'"))
    )
    removed = exp.select(
        column("company_id"), column("intercom_id"), *(column(old_column(a)) for a in names)
    )
    removed = removed.from_(source).where(template("_kind = 'x'"))
    rejected = exp.select(*(column(c) for c in ("company_id", "_code", "_message", "attribute")))
    rejected = rejected.from_(source).where(template("_kind = 'r'"))
    seen = template(
        "SELECT company_id, CAST(_missing_hash AS UBIGINT) AS row_hash FROM $f "
        "WHERE _kind = 'c' AND _missing_hash IS NOT NULL",
        f=source,
    )
    return [
        temp_table_as("changes", changes),
        removals_table(removed.subquery("candidates")),
        temp_table_as(REJECTIONS, rejected),
        temp_table_as(MISSING_SEEN, seen),
    ]


def landed_counts_query(fetched: str) -> exp.Expr:
    """(model rows, rejected rows, changes, new changes, rows fetched), from what was sent."""
    return template(
        "SELECT coalesce(sum(CASE WHEN _kind = 's' THEN _rows END), 0), "
        "coalesce(sum(CASE WHEN _kind = 's' THEN _bad END), 0), "
        "count(*) FILTER (WHERE _kind = 'c'), "
        "count(*) FILTER (WHERE _kind = 'c' AND _new), "
        "count(*) FILTER (WHERE _kind <> 's') FROM $f",
        f=table(fetched),
    )
