"""The segment semantics written a second time, in plain Python, and a table to test them on.

The compiler builds SQL; this module evaluates the same condition tree over rows fetched from
the table, so a property test can compare the two on random trees. It shares no code with
`hoist.segments` beyond the config models.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from hypothesis import strategies as st

from hoist.config._segment import SegmentConfig

#: The moment `within_last` is measured from: the end of a month, where calendar months matter.
NOW = datetime(2026, 3, 31, 12, 0, 0, tzinfo=UTC)

#: Column name -> (SQL type for DuckDB/Postgres, kind used to pick operators).
COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("INTEGER", "integer"),
    "name": ("VARCHAR", "text"),
    "mrr": ("DECIMAL(12, 2)", "number"),
    "seats": ("INTEGER", "integer"),
    "score": ("DOUBLE PRECISION", "number"),
    "active": ("BOOLEAN", "boolean"),
    "seen_at": ("TIMESTAMP", "timestamp"),
    "seen_tz": ("TIMESTAMPTZ", "timestamptz"),
    "renew": ("DATE", "date"),
}
# No upper-case letters outside ASCII: how LOWER() treats them depends on the warehouse's locale.
TEXTS = [
    "Pro",
    "pro",
    "PRO plan",
    "Enterprise",
    "50%_off",
    "50 off",
    "a_b",
    "axb",
    "x'; drop table t; --",
    'say "hi"',
    "back\\slash",
    "Zürich",
    "東京",
    "straße",
    "emoji 🎉",
    "",
]
SPANS = ["90 minutes", "12 hours", "1 day", "7 days", "2 weeks", "1 month", "3 months", "1 months"]


def months_back(moment: Any, months: int) -> Any:
    """`moment` moved back by calendar months, the day clamped to the month's last day."""
    year, month = moment.year, moment.month - months
    while month < 1:
        year, month = year - 1, month + 12
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def span_start(now: Any, span: str) -> Any:
    """`now` minus a span such as ``3 months`` or ``90 minutes``."""
    count_text, unit = span.split()
    count = int(count_text)
    if unit.startswith("month"):
        return months_back(now, count)
    seconds = {"minute": 60, "hour": 3600, "day": 86400, "week": 604800}[unit.rstrip("s")]
    if isinstance(now, datetime):
        return now - timedelta(seconds=seconds * count)
    return now - timedelta(days=seconds * count // 86400)


def table_rows(count: int = 60, seed: int = 7) -> list[dict[str, Any]]:
    """Rows with nulls in every column, unicode, LIKE wildcards and window boundaries."""
    rng = random.Random(seed)
    boundaries = [span_start(NOW, s) for s in SPANS] + [NOW, NOW + timedelta(days=3)]
    rows = []
    for i in range(count):
        moment = (
            rng.choice(boundaries)
            if i % 3 == 0
            else NOW - timedelta(minutes=rng.randrange(-4000, 200_000))
        )
        day = NOW.date() - timedelta(days=rng.randrange(-5, 120))
        row = {
            "id": i,
            "name": rng.choice(TEXTS),
            "mrr": Decimal(rng.randrange(0, 50_000)) / 100,
            "seats": rng.randrange(0, 20),
            "score": rng.choice([0.1, 0.5, 1.25, 2.0, 99.99, -3.5]),
            "active": rng.random() < 0.5,
            "seen_at": moment.replace(tzinfo=None),
            "seen_tz": moment,
            "renew": day,
        }
        for column in COLUMNS:
            if column != "id" and rng.random() < 0.15:
                row[column] = None
        rows.append(row)
    return rows


# -- the reference semantics -----------------------------------------------------------------


def matches(condition: Mapping[str, Any], row: Mapping[str, Any]) -> bool:
    """Whether `row` is in the segment `condition` (YAML form), by the documented semantics."""
    if "all" in condition:
        return all(matches(c, row) for c in condition["all"])
    if "any" in condition:
        return any(matches(c, row) for c in condition["any"])
    if "not" in condition:
        return not matches(condition["not"], row)
    negated = {
        "ne": "eq",
        "not_in": "in",
        "is_not_null": "is_null",
        "not_within_last": "within_last",
    }
    if condition["op"] in negated:
        return not matches({**condition, "op": negated[condition["op"]]}, row)
    value = row[condition["column"]]
    if condition["op"] == "is_null":
        return value is None
    if value is None:
        return False  # a comparison with a null is false
    return _RULES[condition["op"]](_norm(value, condition), condition)


def _norm(value: Any, condition: Mapping[str, Any]) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, str) and condition.get("ignore_case"):
        return value.lower()
    return value


def _operand(value: Any, like: Any, condition: Mapping[str, Any]) -> Any:
    """A value of the condition, brought to the type of the row's value `like`."""
    if isinstance(like, Decimal) and isinstance(value, int | float):
        return Decimal(repr(value))
    if isinstance(like, datetime) and isinstance(value, datetime):
        return _norm(value, condition)
    if isinstance(value, str) and condition.get("ignore_case"):
        return value.lower()
    return value


def _cmp(check: Callable[[Any, Any], bool]) -> Callable[[Any, Mapping[str, Any]], bool]:
    return lambda v, c: check(v, _operand(c["value"], v, c))


def _between(v: Any, c: Mapping[str, Any]) -> bool:
    low, high = (_operand(x, v, c) for x in c["value"])
    return bool(low <= v <= high)


def _within(v: Any, c: Mapping[str, Any]) -> bool:
    if isinstance(v, datetime):
        return bool(span_start(NOW, c["value"]) <= v <= NOW)
    today = NOW.date()
    return bool(span_start(today, c["value"]) <= v <= today)


_RULES: dict[str, Callable[[Any, Mapping[str, Any]], bool]] = {
    "eq": _cmp(lambda v, x: v == x),
    "gt": _cmp(lambda v, x: v > x),
    "gte": _cmp(lambda v, x: v >= x),
    "lt": _cmp(lambda v, x: v < x),
    "lte": _cmp(lambda v, x: v <= x),
    "in": lambda v, c: any(v == _operand(x, v, c) for x in c["value"]),
    "between": _between,
    "contains": _cmp(lambda v, x: x in v),
    "starts_with": _cmp(lambda v, x: v.startswith(x)),
    "ends_with": _cmp(lambda v, x: v.endswith(x)),
    "is_true": lambda v, c: v is True,
    "is_false": lambda v, c: v is False,
    "within_last": _within,
}


# -- random condition trees ------------------------------------------------------------------


def _values(rows: list[dict[str, Any]], column: str) -> list[Any]:
    seen = [row[column] for row in rows if row[column] is not None]
    return list(dict.fromkeys(seen))


def _swapcase_ascii(text: str) -> str:
    return "".join(ch.swapcase() if ch.isascii() else ch for ch in text)


def _text_rule(rows: list[dict[str, Any]], column: str) -> st.SearchStrategy[dict[str, Any]]:
    texts = [t for t in _values(rows, column) if t] + ["nothing", "%", "_"]
    pieces = sorted({t[i : i + n] for t in texts for n in (1, 2, 4) for i in range(len(t))} - {""})
    ignore = st.booleans()
    one = st.sampled_from(texts)

    def rule(op: str, value: Any, caseless: bool) -> dict[str, Any]:
        if caseless:
            value = (
                [_swapcase_ascii(v) for v in value]
                if isinstance(value, list)
                else _swapcase_ascii(value)
            )
        return {"column": column, "op": op, "value": value, "ignore_case": caseless}

    return st.one_of(
        st.builds(rule, st.sampled_from(["eq", "ne"]), one, ignore),
        st.builds(
            rule, st.sampled_from(["in", "not_in"]), st.lists(one, min_size=1, max_size=3), ignore
        ),
        st.builds(
            rule,
            st.sampled_from(["contains", "starts_with", "ends_with"]),
            st.sampled_from(pieces),
            ignore,
        ),
    )


def _ordered_rule(
    rows: list[dict[str, Any]], column: str, extra: st.SearchStrategy[Any]
) -> st.SearchStrategy[dict[str, Any]]:
    one = st.one_of(st.sampled_from(_values(rows, column)).map(_plain), extra)
    ops = st.sampled_from(["eq", "ne", "gt", "gte", "lt", "lte"])
    return st.one_of(
        st.builds(lambda op, v: {"column": column, "op": op, "value": v}, ops, one),
        st.builds(
            lambda op, v: {"column": column, "op": op, "value": v},
            st.sampled_from(["in", "not_in"]),
            st.lists(one, min_size=1, max_size=3),
        ),
        st.builds(lambda lo, hi: {"column": column, "op": "between", "value": [lo, hi]}, one, one),
    )


def _plain(value: Any) -> Any:
    """A table value as a user would write it in YAML (decimals as numbers)."""
    return float(value) if isinstance(value, Decimal) else value


def _span_rule(column: str, spans: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    ops = st.sampled_from(["within_last", "not_within_last"])
    return st.builds(
        lambda op, s: {"column": column, "op": op, "value": s}, ops, st.sampled_from(spans)
    )


def rules(rows: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A random rule over any column of the table, with a value fit for the column."""
    nulls = st.builds(
        lambda column, op: {"column": column, "op": op},
        st.sampled_from(list(COLUMNS)),
        st.sampled_from(["is_null", "is_not_null"]),
    )
    booleans = st.one_of(
        st.builds(
            lambda op: {"column": "active", "op": op}, st.sampled_from(["is_true", "is_false"])
        ),
        st.builds(
            lambda op, v: {"column": "active", "op": op, "value": v},
            st.sampled_from(["eq", "ne"]),
            st.booleans(),
        ),
    )
    times = [t.astimezone(UTC) for t in _values(rows, "seen_tz")]
    return st.one_of(
        nulls,
        booleans,
        _text_rule(rows, "name"),
        _ordered_rule(rows, "seats", st.integers(-2, 25)),
        _ordered_rule(rows, "mrr", st.integers(0, 500) | st.sampled_from([0.5, 99.99, 250.01])),
        _ordered_rule(rows, "score", st.sampled_from([0.1, 1.25, -3.5, 2])),
        _ordered_rule(rows, "seen_at", st.sampled_from(times)),
        _ordered_rule(rows, "seen_tz", st.sampled_from(times)),
        _ordered_rule(rows, "renew", st.sampled_from(_values(rows, "renew"))),
        _span_rule("seen_at", SPANS),
        _span_rule("seen_tz", SPANS),
        _span_rule("renew", [s for s in SPANS if "minute" not in s and "hour" not in s]),
    )


def conditions(rows: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Random condition trees: all/any/not groups nested to any depth over random rules."""
    return st.recursive(
        rules(rows),
        lambda children: st.one_of(
            st.lists(children, min_size=1, max_size=3).map(lambda items: {"all": items}),
            st.lists(children, min_size=1, max_size=3).map(lambda items: {"any": items}),
            children.map(lambda item: {"not": item}),
        ),
        max_leaves=8,
    )


def expected_ids(condition: Mapping[str, Any], rows: list[dict[str, Any]]) -> set[int]:
    """The ids of the rows in the segment, by the reference semantics."""
    return {row["id"] for row in rows if matches(condition, row)}


ATTEMPTS = [
    "x'; drop table victim; --",
    'x"; drop table victim; --',
    "back\\slash\\'; drop table victim; --",
    'it\'s "quoted"',
    "Zürich 東京 🎉 \u202e",
    "$$; drop table victim; $$",
    "1); DROP TABLE victim; SELECT (1",
]


TABLE = '"x\'; drop table victim; --"'


COLUMN = "a\"b'; drop table victim; --"


ROWS = table_rows()


def make_segment(
    where: Mapping[str, Any] | None, table: str = "t", name: str = "s"
) -> SegmentConfig:
    """A segment of `table` filtered by `where` (YAML form), read from a DuckDB source."""
    return SegmentConfig.model_validate(
        {
            "name": name,
            "file": Path("/project/hoist.yml"),
            "source": {"type": "duckdb", "path": Path("/project/warehouse.duckdb")},
            "from": table,
            "where": where,
        }
    )


def fill(
    con: Any, table: str, rows: list[dict[str, Any]], columns: Mapping[str, tuple[str, str]]
) -> None:
    """Create `table` with `columns` in a DB-API / DuckDB connection and insert `rows`."""
    con.execute(f"CREATE TABLE {table} ({', '.join(f'{n} {t}' for n, (t, _) in columns.items())})")
    marks = ", ".join(["?" if isinstance(con, duckdb.DuckDBPyConnection) else "%s"] * len(columns))
    for row in rows:
        con.execute(f"INSERT INTO {table} VALUES ({marks})", [row[n] for n in columns])


def schema_of(con: duckdb.DuckDBPyConnection, table: str = "t") -> pa.Schema:
    """The Arrow schema of `table` (what a source reports)."""
    schema: pa.Schema = con.sql(f"SELECT * FROM {table} LIMIT 0").arrow().schema
    return schema
