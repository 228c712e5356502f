"""Per attribute, the SQL that turns a column into the JSON text Intercom will store.

Values compare as JSON text (``'null'`` for a null) with what state remembers, so the diff is a
plain text comparison. Beside each value stands the reason a row must be rejected for it (NULL
when the value can be sent): numbers Intercom cannot hold, texts over its length cap, dates that
do not parse.
"""

from __future__ import annotations

from typing import Final

from sqlglot import exp

from hoist.mapping import Field
from hoist.sql.build import column, literal, template

__all__ = ["MAX_CUSTOM_STRING", "MAX_MONTHLY_SPEND", "reason_expression", "value_expression"]

#: NOTES §2.3: custom string values may hold up to 255 characters.
MAX_CUSTOM_STRING: Final = 255
#: NOTES §1.1: `monthly_spend` is capped at 2**31-1.
MAX_MONTHLY_SPEND: Final = 2**31 - 1

_TEXT_TARGETS = ("string", "options", "list")
_TIME_TARGETS = ("timestamp", "date", "datetime")


def value_expression(field: Field) -> exp.Expr:
    """The JSON text of `field`'s value, as Intercom will store it."""
    value, _ = _normalised(field)
    return template("coalesce(to_json($v), 'null')", v=value)


def reason_expression(field: Field) -> exp.Expr | None:
    """Why `field`'s value cannot be sent (NULL when it can); None for values always valid."""
    _, problem = _normalised(field)
    if problem is None:
        return None
    return exp.case().when(problem, _reason_text(field))


def _normalised(field: Field) -> tuple[exp.Expr, exp.Expr | None]:
    """(value, condition under which the value is unusable) for one field."""
    col = column(field.column)
    if field.target in _TEXT_TARGETS:
        return _text(field, col)
    if field.target in _TIME_TARGETS:
        return _time(field, col)
    if field.target == "integer":
        return _integer(field, col)
    if field.target == "float":
        return _float(col)
    return col, None  # boolean


def _text(field: Field, col: exp.Column) -> tuple[exp.Expr, exp.Expr | None]:
    text = template("CAST($c AS VARCHAR)", c=col)
    if not field.custom:
        return text, None
    return text, template("length($t) > $cap", t=text, cap=literal(MAX_CUSTOM_STRING))


def _time(field: Field, col: exp.Column) -> tuple[exp.Expr, exp.Expr | None]:
    if field.category == "integer":
        return template("CAST($c AS BIGINT)", c=col), None
    if field.category == "string":
        source = template("TRY_CAST($c AS TIMESTAMPTZ)", c=col)
    elif field.category == "date":
        # Midnight UTC, as a timestamp without time zone: no session's zone can move it.
        source = template("CAST($c AS TIMESTAMP)", c=col)
    else:
        source = col
    value = template("CAST(floor(epoch($s)) AS BIGINT)", s=source)
    return value, template("($c IS NOT NULL AND $s IS NULL)", c=col, s=source)


def _integer(field: Field, col: exp.Column) -> tuple[exp.Expr, exp.Expr | None]:
    number = template("TRY_CAST($c AS DOUBLE)", c=col) if field.category == "string" else col
    if field.category == "integer":  # already whole: no trunc to evaluate per row
        value = template("TRY_CAST($n AS BIGINT)", n=number)
    else:
        value = template("TRY_CAST(trunc($n) AS BIGINT)", n=number)
    bad = template("($c IS NOT NULL AND $v IS NULL)", c=col, v=value)
    if field.attribute == "monthly_spend":
        bad = template("($b OR $v > $cap)", b=bad, v=value, cap=literal(MAX_MONTHLY_SPEND))
    return value, bad


def _float(col: exp.Column) -> tuple[exp.Expr, exp.Expr | None]:
    number = template("CAST($c AS DOUBLE)", c=col)
    # -0.0 equals 0.0 for Intercom; one spelling keeps the text comparison from seeing a change.
    value = template("CASE WHEN $n = 0 THEN CAST(0.0 AS DOUBLE) ELSE $n END", n=number)
    return value, template("($c IS NOT NULL AND NOT isfinite($n))", c=col, n=number)


def _reason_text(field: Field) -> exp.Expr:
    col = column(field.column)
    name = literal(field.attribute)
    if field.target in _TEXT_TARGETS:
        tail = literal(f" characters long; Intercom accepts at most {MAX_CUSTOM_STRING}")
        return template(
            "$n || ' is ' || length(CAST($c AS VARCHAR)) || $tail", n=name, c=col, tail=tail
        )
    if field.attribute == "monthly_spend":
        detail = f"a whole number up to {MAX_MONTHLY_SPEND}"
    else:
        detail = {"integer": "a whole number", "float": "a finite number"}.get(
            field.target, "a date, a timestamp or Unix seconds"
        )
    tail = literal(f" is not {detail}")
    return template("$n || ' value ' || CAST($c AS VARCHAR) || $tail", n=name, c=col, tail=tail)
