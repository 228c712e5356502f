"""A segment's condition tree as one sqlglot SELECT, checked against the table's real columns.

Every rule is two-valued: a comparison with a null is false (``COALESCE(<comparison>, FALSE)``),
so ``not`` negates exactly what the rule matched and ``not {eq: pro}`` keeps the nulls, like
``ne`` does. Values are sqlglot literals and names quoted identifiers: nothing the user wrote is
pasted into SQL text. Problems are collected over the whole tree, each under the dotted key of
its condition (``segments.paying-eu.where.all[2].any[0].column``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import SqlglotError

from hoist.config import AllOf, AnyOf, Condition, DbtRef, NotOf, Rule, SegmentConfig, config_error
from hoist.dbt import dbt_relation
from hoist.segments._columns import Kind, fitting_operators, kind_of, literal_for
from hoist.segments._columns import timestamp_literal as _timestamp_literal
from hoist.segments._time import window_start
from hoist.suggest import did_you_mean

__all__ = ["segment_problems", "segment_query", "table_expression"]

#: A negative operator is exactly NOT of its positive one (so it keeps the nulls).
_NEGATED = {
    "ne": "eq",
    "not_in": "in",
    "is_not_null": "is_null",
    "not_within_last": "within_last",
}
_ORDER: dict[str, type[exp.Binary]] = {"gt": exp.GT, "gte": exp.GTE, "lt": exp.LT, "lte": exp.LTE}


def segment_query(
    segment: SegmentConfig, columns: pa.Schema, dialect: str, *, now: datetime | None = None
) -> exp.Select:
    """``SELECT * FROM <table> WHERE <conditions>`` for `segment` over a table of `columns`.

    `now` (default: the current time) anchors ``within_last``. Raises `ConfigError` listing
    every problem (unknown column, value of the wrong type, operator unfit for the column).
    """
    compiler = _Compiler(segment, columns, now or datetime.now(UTC))
    select = compiler.select(dialect)
    if compiler.problems:
        raise config_error(compiler.problems, segment.file)
    return select


def segment_problems(
    segment: SegmentConfig, columns: pa.Schema, dialect: str
) -> list[tuple[str, str]]:
    """Every (dotted key, message) problem of `segment` over a table of `columns`."""
    compiler = _Compiler(segment, columns, datetime.now(UTC))
    compiler.select(dialect)
    return compiler.problems


def table_expression(segment: SegmentConfig, dialect: str) -> exp.Table:
    """The segment's table as a sqlglot table; `ConfigError` when it is not a table name.

    A dbt model (``from: {dbt: NAME}``) is the relation dbt built, from the manifest of the
    segment's source's dbt project.
    """
    if isinstance(segment.from_, DbtRef):
        key = f"{segment.key}.from.dbt"
        return dbt_relation(segment.source.dbt, segment.from_.dbt, file=segment.file, key=key)
    table = _parse_table(segment.from_, dialect)
    if isinstance(table, str):
        raise config_error([(f"{segment.key}.from", table)], segment.file)
    return table


#: A character no catalog name needs but every file path or URL has.
_PATHLIKE = re.compile(r"[/\\:.]|^~")


def _parse_table(text: str, dialect: str) -> exp.Table | str:
    """`text` as a table name (up to catalog.schema.table), or what is wrong with it."""
    try:
        table = exp.to_table(text, dialect=dialect)
    except SqlglotError as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    else:
        # Only names: no table function (read_csv(...)), no comment, nothing else the parser
        # would accept in a FROM clause.
        parts = {key: value for key, value in table.args.items() if value is not None}
        named = set(parts) <= {"this", "db", "catalog"}
        names = [v for v in parts.values() if isinstance(v, exp.Identifier)]
        if named and not table.comments and len(names) == len(parts):
            if not any(_PATHLIKE.search(v.name) for v in names):
                return table
            # DuckDB reads a table named like a file ('data.csv', "/etc/x") as that file.
            problem = "a segment reads a table or view of the catalog, never a file path"
        else:
            problem = "only a name is allowed here"
    return (
        f"{text!r} is not a table name ({problem}); write it as schema.table and put a part "
        'holding unusual characters in double quotes, e.g. analytics."my table"'
    )


class _Compiler:
    """Compiles one segment, collecting problems instead of stopping at the first."""

    def __init__(self, segment: SegmentConfig, columns: pa.Schema, now: datetime) -> None:
        self.segment = segment
        self.kinds = {field.name: kind_of(field.type) for field in columns}
        self.now = now.astimezone(UTC)
        self.problems: list[tuple[str, str]] = []

    def select(self, dialect: str) -> exp.Select:
        from_ = self.segment.from_
        table: exp.Table | str
        if isinstance(from_, DbtRef):
            table = table_expression(self.segment, dialect)
        else:
            table = _parse_table(from_, dialect)
        if isinstance(table, str):
            self.problems.append((f"{self.segment.key}.from", table))
            table = exp.to_table("unknown")
        select = exp.select(exp.Star()).from_(table)
        if self.segment.where is None:
            return select
        return select.where(self.condition(self.segment.where, f"{self.segment.key}.where"))

    def condition(self, node: Condition, path: str) -> exp.Expr:
        """`node` as a two-valued SQL condition."""
        if isinstance(node, AllOf):
            parts = [self.condition(c, f"{path}.all[{i}]") for i, c in enumerate(node.all)]
            return exp.and_(*map(_grouped, parts))
        if isinstance(node, AnyOf):
            parts = [self.condition(c, f"{path}.any[{i}]") for i, c in enumerate(node.any)]
            return exp.or_(*map(_grouped, parts))
        if isinstance(node, NotOf):
            return exp.not_(exp.paren(self.condition(node.not_, f"{path}.not")))
        return self.rule(node, path)

    def rule(self, rule: Rule, path: str) -> exp.Expr:
        """One rule; a rule with problems compiles to FALSE (the problems stop the run)."""
        kind = self._kind(rule, path)
        if kind is None:
            return exp.false()
        if rule.op in _NEGATED:
            positive = rule.model_copy(update={"op": _NEGATED[rule.op]})
            return exp.not_(exp.paren(_RULES[positive.op](self, positive, kind, path)))
        return _RULES[rule.op](self, rule, kind, path)

    def _kind(self, rule: Rule, path: str) -> Kind | None:
        kind = self.kinds.get(rule.column)
        if kind is None:
            hint = did_you_mean(rule.column, self.kinds)
            where = f"{self.segment.from_text} has no column {rule.column!r};{hint}"
            self.problems.append(
                (f"{path}.column", f"{where} its columns: {', '.join(self.kinds)}")
            )
            return None
        if rule.op not in fitting_operators(kind):
            fits = ", ".join(fitting_operators(kind))
            message = f"{rule.op} does not fit column {rule.column!r} ({kind}); use one of {fits}"
            self.problems.append((f"{path}.op", message))
            return None
        return kind

    def literal(self, kind: Kind, value: Any, key: str) -> exp.Expr:
        """`value` as a literal for a column of `kind`; a problem (and NULL) if it does not fit."""
        made = literal_for(kind, value)
        if isinstance(made, str):
            self.problems.append((key, made))
            return exp.null()
        return made

    def column(self, rule: Rule) -> exp.Expr:
        """The rule's column, lower-cased when the rule ignores case."""
        node: exp.Expr = exp.column(exp.to_identifier(rule.column, quoted=True))
        return exp.Lower(this=node) if rule.ignore_case else node

    def value(self, rule: Rule, kind: Kind, value: Any, key: str) -> exp.Expr:
        node = self.literal(kind, value, key)
        return exp.Lower(this=node) if rule.ignore_case else node


def _grouped(condition: exp.Expr) -> exp.Expr:
    """`condition` in parentheses when it is an AND, OR or NOT, so nesting keeps its meaning."""
    return exp.paren(condition) if isinstance(condition, exp.Connector | exp.Not) else condition


def _leaf(predicate: exp.Expr) -> exp.Expr:
    """`predicate` made two-valued: NULL (a comparison with a null) counts as false."""
    return exp.Coalesce(this=predicate, expressions=[exp.false()])


def _eq(c: _Compiler, rule: Rule, kind: Kind, path: str) -> exp.Expr:
    return _leaf(
        exp.EQ(this=c.column(rule), expression=c.value(rule, kind, rule.value, f"{path}.value"))
    )


def _in(c: _Compiler, rule: Rule, kind: Kind, path: str) -> exp.Expr:
    values = [c.value(rule, kind, v, f"{path}.value[{i}]") for i, v in enumerate(rule.value)]
    return _leaf(exp.In(this=c.column(rule), expressions=values))


def _ordered(c: _Compiler, rule: Rule, kind: Kind, path: str) -> exp.Expr:
    value = c.literal(kind, rule.value, f"{path}.value")
    return _leaf(_ORDER[rule.op](this=c.column(rule), expression=value))


def _between(c: _Compiler, rule: Rule, kind: Kind, path: str) -> exp.Expr:
    low, high = (c.literal(kind, v, f"{path}.value[{i}]") for i, v in enumerate(rule.value))
    return _leaf(exp.Between(this=c.column(rule), low=low, high=high))


def _contains(c: _Compiler, rule: Rule, kind: Kind, path: str) -> exp.Expr:
    # A position, not LIKE: % and _ in the value are plain characters.
    found = exp.StrPosition(
        this=c.column(rule), substr=c.value(rule, kind, rule.value, f"{path}.value")
    )
    return _leaf(exp.GT(this=found, expression=exp.Literal.number(0)))


def _starts_with(c: _Compiler, rule: Rule, kind: Kind, path: str) -> exp.Expr:
    return _affix(exp.Left, c, rule, kind, path)


def _ends_with(c: _Compiler, rule: Rule, kind: Kind, path: str) -> exp.Expr:
    return _affix(exp.Right, c, rule, kind, path)


def _affix(
    part: type[exp.Left] | type[exp.Right], c: _Compiler, rule: Rule, kind: Kind, path: str
) -> exp.Expr:
    value = c.value(rule, kind, rule.value, f"{path}.value")
    head = part(this=c.column(rule), expression=exp.Length(this=value.copy()))
    return _leaf(exp.EQ(this=head, expression=value))


def _is_null(c: _Compiler, rule: Rule, kind: Kind, path: str) -> exp.Expr:
    return exp.Is(this=c.column(rule), expression=exp.null())


def _is_true(c: _Compiler, rule: Rule, kind: Kind, path: str) -> exp.Expr:
    return _leaf(exp.EQ(this=c.column(rule), expression=exp.true()))


def _is_false(c: _Compiler, rule: Rule, kind: Kind, path: str) -> exp.Expr:
    return _leaf(exp.EQ(this=c.column(rule), expression=exp.false()))


def _within_last(c: _Compiler, rule: Rule, kind: Kind, path: str) -> exp.Expr:
    span = rule.span
    if kind is Kind.DATE:
        if span.unit in ("minutes", "hours"):
            c.problems.append(
                (f"{path}.value", f"{rule.column!r} is a date; use days, weeks or months")
            )
            return exp.false()
        today = c.now.date()  # the UTC day: a date column holds UTC days
        low: exp.Expr = c.literal(kind, window_start(today, span), f"{path}.value")
        high: exp.Expr = c.literal(kind, today, f"{path}.value")
    else:
        low = _timestamp_literal(window_start(c.now, span), kind)
        high = _timestamp_literal(c.now, kind)
    return _leaf(exp.Between(this=c.column(rule), low=low, high=high))


_Builder = Callable[[_Compiler, Rule, Kind, str], exp.Expr]
_RULES: Mapping[str, _Builder] = {
    "eq": _eq,
    "in": _in,
    **dict.fromkeys(_ORDER, _ordered),
    "between": _between,
    "contains": _contains,
    "starts_with": _starts_with,
    "ends_with": _ends_with,
    "is_null": _is_null,
    "is_true": _is_true,
    "is_false": _is_false,
    "within_last": _within_last,
}
