"""What a column can be compared with: its kind (from its Arrow type) and the literal for a value.

A value that does not fit its column is a problem, never a cast: YAML reads ``NO`` as false and
``0042`` as a number, and a silent conversion would filter on something the user did not write.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import pyarrow as pa
from sqlglot import exp

__all__ = ["Kind", "fitting_operators", "kind_of", "literal_for"]


class Kind(StrEnum):
    """The kinds of column a segment can filter on."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    TIMESTAMP = "timestamp"
    TIMESTAMPTZ = "timestamp with time zone"
    DATE = "date"
    OTHER = "other"


_ORDERED = frozenset({Kind.INTEGER, Kind.NUMBER, Kind.TIMESTAMP, Kind.TIMESTAMPTZ, Kind.DATE})
_EQUATABLE = _ORDERED | {Kind.TEXT, Kind.BOOLEAN}
_TIMES = frozenset({Kind.TIMESTAMP, Kind.TIMESTAMPTZ, Kind.DATE})
# Text is not ordered: gt/lt on text would follow each warehouse's collation, and a segment
# must select the same rows everywhere.
_FITS: dict[str, frozenset[Kind]] = {
    **dict.fromkeys(("eq", "ne", "in", "not_in"), _EQUATABLE),
    **dict.fromkeys(("gt", "gte", "lt", "lte", "between"), _ORDERED),
    **dict.fromkeys(("contains", "starts_with", "ends_with"), frozenset({Kind.TEXT})),
    **dict.fromkeys(("is_null", "is_not_null"), frozenset(Kind)),
    **dict.fromkeys(("is_true", "is_false"), frozenset({Kind.BOOLEAN})),
    **dict.fromkeys(("within_last", "not_within_last"), _TIMES),
}


def kind_of(arrow_type: pa.DataType) -> Kind:
    """The kind of a column of `arrow_type`."""
    if pa.types.is_dictionary(arrow_type):  # e.g. a DuckDB ENUM
        return kind_of(arrow_type.value_type)
    if isinstance(arrow_type, pa.BaseExtensionType):
        # Postgres NUMERIC arrives from ADBC as an opaque extension type stored as text.
        numeric = getattr(arrow_type, "type_name", None) == "numeric"
        return Kind.NUMBER if numeric else Kind.OTHER
    checks = (
        (_is_text, Kind.TEXT),
        (pa.types.is_integer, Kind.INTEGER),
        (pa.types.is_floating, Kind.NUMBER),
        (pa.types.is_decimal, Kind.NUMBER),
        (pa.types.is_boolean, Kind.BOOLEAN),
        (pa.types.is_date, Kind.DATE),
    )
    for check, kind in checks:
        if check(arrow_type):
            return kind
    if pa.types.is_timestamp(arrow_type):
        return Kind.TIMESTAMPTZ if arrow_type.tz else Kind.TIMESTAMP
    return Kind.OTHER


def _is_text(arrow_type: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(arrow_type)
        or pa.types.is_large_string(arrow_type)
        or pa.types.is_string_view(arrow_type)
    )


def fitting_operators(kind: Kind) -> list[str]:
    """The operators a column of `kind` can be filtered with."""
    return [op for op, kinds in _FITS.items() if kind in kinds]


def literal_for(kind: Kind, value: Any) -> exp.Expr | str:
    """The SQL literal comparing `value` with a column of `kind`, or what is wrong with it."""
    if kind is Kind.TEXT:
        return exp.Literal.string(value) if isinstance(value, str) else _mismatch(value, kind)
    if kind in (Kind.INTEGER, Kind.NUMBER):
        return _number(value, kind)
    if kind is Kind.BOOLEAN:
        return exp.Boolean(this=value) if isinstance(value, bool) else _mismatch(value, kind)
    if kind is Kind.DATE:
        return _date(value)
    if kind in (Kind.TIMESTAMP, Kind.TIMESTAMPTZ):
        return _timestamp(value, kind)
    return f"a {kind} column can only be tested with is_null / is_not_null"


def _number(value: Any, kind: Kind) -> exp.Expr | str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _mismatch(value, kind)
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a finite number"
    # repr() is the shortest text that reads back as the same float; SQL reads it exactly.
    return exp.Literal.number(repr(value))


def _date(value: Any) -> exp.Expr | str:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return f"{value!r} is not a date; write it as YYYY-MM-DD"
    if isinstance(value, datetime) or not isinstance(value, date):
        return _mismatch(value, Kind.DATE)
    return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)


def _timestamp(value: Any, kind: Kind) -> exp.Expr | str:
    moment = as_utc(value)
    if moment is None:
        return f"{value!r} is not a date or time; write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS"
    return timestamp_literal(moment, kind)


def as_utc(value: Any) -> datetime | None:
    """`value` (a date, a datetime or ISO text) as an aware UTC datetime; naive means UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def timestamp_literal(moment: datetime, kind: Kind) -> exp.Expr:
    """`moment` (aware) as a literal of the column's type: naive UTC for a plain timestamp."""
    utc = moment.astimezone(UTC)
    if kind is Kind.TIMESTAMPTZ:
        text, target = utc.isoformat(sep=" "), exp.DataType.Type.TIMESTAMPTZ
    else:
        text, target = utc.replace(tzinfo=None).isoformat(sep=" "), exp.DataType.Type.TIMESTAMP
    return exp.cast(exp.Literal.string(text), target)


def _mismatch(value: Any, kind: Kind) -> str:
    written = _kind_of_value(value)
    fixes = {
        Kind.TEXT: f"quote it to compare as text: '{value}'",
        Kind.INTEGER: "write a number without quotes",
        Kind.NUMBER: "write a number without quotes",
        Kind.BOOLEAN: "write true or false without quotes",
        Kind.DATE: "write a date as YYYY-MM-DD",
    }
    return f"{value!r} is {written} but the column is {kind}; {fixes.get(kind, 'fix the value')}"


def _kind_of_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    return "text"
