"""A segment is checked before anything runs; every problem names the segment and the condition."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from pydantic import ValidationError

from hoist.config._load import describe_errors
from hoist.config._segment import SegmentDefinition
from hoist.errors import ConfigError
from hoist.segments import segment_query
from tests.harness.segments import make_segment, schema_of

PAYING_EU: dict[str, Any] = {
    "all": [
        {"column": "name", "op": "in", "value": ["pro", "enterprise"]},
        {"column": "mrr", "op": "gte", "value": 100},
        {
            "any": [
                {"column": "nmae", "op": "eq", "value": "eu"},
                {"not": {"column": "seats", "op": "eq", "value": "12"}},
            ]
        },
        {"column": "seen_at", "op": "within_last", "value": "30 days"},
    ]
}


def problems(where: dict[str, Any], con: duckdb.DuckDBPyConnection) -> str:
    """The message of the ConfigError compiling `where` over the reference table raises."""
    with pytest.raises(ConfigError) as caught:
        segment_query(make_segment(where, name="paying-eu"), schema_of(con), "duckdb")
    return str(caught.value)


def shape_problems(where: Any) -> list[tuple[str, str]]:
    """(key, message) for each problem a segment definition has on its own (no warehouse)."""
    with pytest.raises(ValidationError) as caught:
        SegmentDefinition.model_validate({"source": "w", "from": "t", "where": where})
    return describe_errors(caught.value, sections={(): SegmentDefinition})


def test_every_problem_is_listed_with_its_condition_path(duck: duckdb.DuckDBPyConnection) -> None:
    """An unknown column (with a did-you-mean) and a wrong value type are reported together."""
    message = problems(PAYING_EU, duck)
    assert "2 problems" in message
    assert "segments.paying-eu.where.all[2].any[0].column" in message
    assert "did you mean 'name'?" in message
    assert "segments.paying-eu.where.all[2].any[1].not.value" in message
    assert "'12' is text but the column is integer" in message


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"column": "name", "op": "gt", "value": "a"}, "gt does not fit column 'name' (text)"),
        ({"column": "mrr", "op": "contains", "value": "1"}, "contains does not fit column 'mrr'"),
        ({"column": "active", "op": "within_last", "value": "1 day"}, "within_last does not fit"),
        ({"column": "seats", "op": "is_true"}, "is_true does not fit column 'seats' (integer)"),
        ({"column": "name", "op": "eq", "value": 42}, "42 is a number but the column is text"),
        (
            {"column": "name", "op": "eq", "value": False},
            "False is true/false but the column is text",
        ),
        ({"column": "active", "op": "eq", "value": "yes"}, "write true or false without quotes"),
        (
            {"column": "renew", "op": "gt", "value": "next week"},
            "is not a date; write it as YYYY-MM-DD",
        ),
        ({"column": "seen_at", "op": "lt", "value": "soon"}, "is not a date or time"),
        ({"column": "renew", "op": "within_last", "value": "3 hours"}, "use days, weeks or months"),
        ({"column": "seats", "op": "in", "value": [1, "2"]}, "where.all[0].value[1]"),
    ],
)
def test_a_rule_that_does_not_fit_its_column_is_a_clear_error(
    duck: duckdb.DuckDBPyConnection, rule: dict[str, Any], expected: str
) -> None:
    """Operator/type mismatches are caught against the real column types, with the fix."""
    assert expected in problems({"all": [rule]}, duck)


@pytest.mark.parametrize(
    ("rule", "key", "expected"),
    [
        ({"column": "c", "op": "in", "value": []}, "where.value", "the in list is empty"),
        ({"column": "c", "op": "eqq", "value": 1}, "where.op", "did you mean 'eq'?"),
        ({"column": "c", "op": "is_null", "value": 1}, "where.value", "is_null takes no value"),
        ({"column": "c", "op": "eq"}, "where.value", "eq needs a value; add value"),
        ({"column": "c", "op": "eq", "value": None}, "where.value", "use op: is_null"),
        ({"column": "c", "op": "between", "value": [1]}, "where.value", "between needs two values"),
        (
            {"column": "c", "op": "within_last", "value": "3 fortnights"},
            "where.value",
            "not a span",
        ),
        ({"column": "c", "op": "contains", "value": ""}, "where.value", "non-empty text"),
        ({"column": "c", "op": "gt", "value": 1, "ignore_case": True}, "where.ignore_case", "text"),
        ({"column": "c", "op": "eq", "value": [1]}, "where.value", "not a single value"),
        ({"all": []}, "where.all", "the all group is empty"),
        ({"any": [{"not": 3}]}, "where.any[0].not", "a condition is a mapping"),
        ({"column": "c", "op": "eq", "value": 1, "colour": "red"}, "where.colour", "unknown key"),
    ],
)
def test_the_shape_of_each_rule_is_checked_without_the_warehouse(
    rule: dict[str, Any], key: str, expected: str
) -> None:
    """Shape problems (empty in list, unknown operator, missing value) name the exact key."""
    found = shape_problems(rule)
    assert any(k == key and expected in m for k, m in found), found


def test_problems_deep_in_a_tree_carry_the_whole_path() -> None:
    """A bad rule nested in groups is reported at its full path, like all[2].any[0]."""
    tree = {
        "all": [
            {"column": "a", "op": "is_null"},
            {"any": [{"not": {"column": "b", "op": "in", "value": []}}]},
        ]
    }
    assert shape_problems(tree)[0][0] == "where.all[1].any[0].not.value"


def test_a_table_name_that_does_not_parse_is_a_config_error(
    duck: duckdb.DuckDBPyConnection,
) -> None:
    """An unbalanced quote in `from` points at the segment's from key and how to quote."""
    with pytest.raises(ConfigError, match=r"segments\.s\.from: .*double quotes"):
        segment_query(make_segment(None, table='analytics."broken'), schema_of(duck), "duckdb")
