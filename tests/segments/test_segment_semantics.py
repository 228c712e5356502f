"""What a segment means, rule by rule: nulls, `not`, wildcards, case, calendar months, UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pytest

from hoist.config._segment import Span
from hoist.segments import render, segment_query
from hoist.segments._time import window_start
from tests.harness.segments import fill, make_segment, schema_of

PLANS = {"id": ("INTEGER", "integer"), "plan": ("VARCHAR", "text")}


@pytest.fixture
def plans() -> duckdb.DuckDBPyConnection:
    """A table of plans with a null, wildcards and mixed case."""
    con = duckdb.connect()
    texts = ["pro", "Pro", None, "free", "50%_off", "50 off", "a_b", "axb"]
    fill(con, "t", [{"id": i, "plan": p} for i, p in enumerate(texts)], PLANS)
    return con


def plans_of(con: duckdb.DuckDBPyConnection, where: dict[str, Any]) -> list[Any]:
    """The plans the segment selects, in id order."""
    query = segment_query(make_segment(where), schema_of(con), "duckdb")
    return [row[1] for row in sorted(con.sql(render(query, "duckdb")).fetchall())]


def test_not_eq_keeps_nulls_like_ne(plans: duckdb.DuckDBPyConnection) -> None:
    """`not {eq: pro}` and `ne: pro` both keep the row whose plan is null."""
    negated = plans_of(plans, {"not": {"column": "plan", "op": "eq", "value": "pro"}})
    assert negated == plans_of(plans, {"column": "plan", "op": "ne", "value": "pro"})
    assert None in negated
    assert "pro" not in negated


def test_a_comparison_with_null_is_false(plans: duckdb.DuckDBPyConnection) -> None:
    """`eq` never selects a null; `not_in` keeps it (it negates `in`)."""
    assert None not in plans_of(plans, {"column": "plan", "op": "in", "value": ["pro", "free"]})
    assert None in plans_of(plans, {"column": "plan", "op": "not_in", "value": ["pro", "free"]})


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("contains", "%_", ["50%_off"]),
        ("starts_with", "50%", ["50%_off"]),
        ("ends_with", "_b", ["a_b"]),
        ("contains", "_", ["50%_off", "a_b"]),
    ],
)
def test_wildcards_match_only_themselves(
    plans: duckdb.DuckDBPyConnection, op: str, value: str, expected: list[str]
) -> None:
    """`%` and `_` in contains/starts_with/ends_with are plain characters, not LIKE wildcards."""
    assert plans_of(plans, {"column": "plan", "op": op, "value": value}) == expected


def test_ignore_case_compares_lower_cased_values(plans: duckdb.DuckDBPyConnection) -> None:
    """`ignore_case: true` matches pro and Pro; without it only the exact case matches."""
    rule = {"column": "plan", "op": "eq", "value": "PRO"}
    assert plans_of(plans, rule) == []
    assert plans_of(plans, {**rule, "ignore_case": True}) == ["pro", "Pro"]
    starts = {"column": "plan", "op": "starts_with", "value": "PR", "ignore_case": True}
    assert plans_of(plans, starts) == ["pro", "Pro"]


@pytest.mark.parametrize(
    ("now", "span", "start"),
    [
        (
            datetime(2026, 3, 31, 12, tzinfo=UTC),
            Span(count=1, unit="months"),
            datetime(2026, 2, 28, 12, tzinfo=UTC),
        ),
        (
            datetime(2024, 3, 31, 12, tzinfo=UTC),
            Span(count=1, unit="months"),
            datetime(2024, 2, 29, 12, tzinfo=UTC),
        ),
        (
            datetime(2026, 1, 15, 0, tzinfo=UTC),
            Span(count=13, unit="months"),
            datetime(2024, 12, 15, 0, tzinfo=UTC),
        ),
        (
            datetime(2026, 3, 1, 0, 30, tzinfo=UTC),
            Span(count=90, unit="minutes"),
            datetime(2026, 2, 28, 23, 0, tzinfo=UTC),
        ),
        (date(2026, 3, 31), Span(count=2, unit="weeks"), date(2026, 3, 17)),
        (date(2026, 5, 31), Span(count=3, unit="months"), date(2026, 2, 28)),
    ],
)
def test_within_last_counts_calendar_months(now: Any, span: Span, start: Any) -> None:
    """A month back from 31 March is 28 (or 29) February; fixed units are exact durations."""
    assert window_start(now, span) == start


def test_a_plain_timestamp_is_read_as_utc_whatever_the_session_zone() -> None:
    """within_last on a timestamp without time zone measures from now in UTC."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Pacific/Kiritimati'")  # UTC+14
    columns = {"id": ("INTEGER", "integer"), "seen": ("TIMESTAMP", "timestamp")}
    rows = [
        {"id": 0, "seen": datetime(2026, 3, 31, 11, 0)},
        {"id": 1, "seen": datetime(2026, 3, 31, 13, 0)},
    ]
    fill(con, "t", rows, columns)
    now = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    query = segment_query(
        make_segment({"column": "seen", "op": "within_last", "value": "2 hours"}),
        schema_of(con),
        "duckdb",
        now=now,
    )
    assert [row[0] for row in con.sql(render(query, "duckdb")).fetchall()] == [0]  # 13:00 is ahead


def test_values_are_literals_built_by_sqlglot(plans: duckdb.DuckDBPyConnection) -> None:
    """A quote in a value is escaped in the SQL text, for every dialect."""
    query = segment_query(
        make_segment({"column": "plan", "op": "eq", "value": "it's"}), schema_of(plans), "duckdb"
    )
    assert "'it''s'" in render(query, "duckdb")
    assert "'it''s'" in render(query, "postgres")
    assert "'it\\'s'" in render(query, "spark")


def test_a_segment_without_conditions_holds_every_row(plans: duckdb.DuckDBPyConnection) -> None:
    """No `where`: the whole table."""
    query = segment_query(make_segment(None), schema_of(plans), "duckdb")
    assert len(plans.sql(render(query, "duckdb")).fetchall()) == 8
