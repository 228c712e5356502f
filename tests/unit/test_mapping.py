"""Mapping: column types become Intercom types; values are normalised or rejected with a reason."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from hoist.diff.values import reason_expression, value_expression
from hoist.errors import ConfigError, SchemaConflictError
from hoist.mapping import Field, build_fields, column_category, compatible
from hoist.sql.build import render


@pytest.mark.parametrize(
    ("arrow_type", "category"),
    [
        (pa.bool_(), "boolean"),
        (pa.int32(), "integer"),
        (pa.float64(), "float"),
        (pa.decimal128(10, 2), "float"),
        (pa.string(), "string"),
        (pa.date32(), "date"),
        (pa.timestamp("us"), "datetime"),
        (pa.timestamp("us", tz="UTC"), "datetime"),
        (pa.list_(pa.int8()), "other"),
    ],
)
def test_column_types_are_classified(arrow_type: pa.DataType, category: str) -> None:
    """Each warehouse column type maps to the Intercom data type a new attribute gets."""
    assert column_category(arrow_type) == category


def test_integers_fit_float_attributes_but_not_the_reverse() -> None:
    """An integer column can feed a float attribute; a float column cannot feed an integer one."""
    assert compatible("integer", "float")
    assert not compatible("float", "integer")
    assert not compatible("string", "integer")


def value_sql(field: Field) -> tuple[str, str]:
    """DuckDB SQL for a field's value text and its rejection reason (NULL when always valid)."""
    reason = reason_expression(field)
    return render(value_expression(field)), "NULL" if reason is None else render(reason)


def normalise(field: Field, values: list[Any], arrow_type: pa.DataType) -> list[tuple[Any, Any]]:
    """Run a field's value and reason expressions over one column in DuckDB."""
    table = pa.table({field.column: pa.array(values, arrow_type)})
    value, reason = value_sql(field)
    con = duckdb.connect()
    con.register("t", table)
    return [
        (json.loads(v), r) for v, r in con.execute(f"SELECT {value}, {reason} FROM t").fetchall()
    ]


def test_timestamps_and_dates_become_unix_seconds() -> None:
    """remote_created_at and date attributes are sent as Unix seconds."""
    field = Field("remote_created_at", "at", "datetime", "timestamp")
    moment = datetime(2024, 1, 2, 3, 4, 5, 900000)
    assert normalise(field, [moment, None], pa.timestamp("us")) == [
        (1704164645, None),
        (None, None),
    ]
    day = Field("custom_attributes.renewal", "at", "date", "date")
    assert normalise(day, [date(2024, 1, 2)], pa.date32()) == [(1704153600, None)]
    aware = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert normalise(field, [aware], pa.timestamp("us", tz="UTC")) == [(1704164645, None)]


def test_monthly_spend_is_truncated_like_intercom_does() -> None:
    """Decimals sent as monthly_spend are truncated to whole numbers, as Intercom stores them."""
    field = Field("monthly_spend", "mrr", "float", "integer")
    assert normalise(field, [Decimal("155.98")], pa.decimal128(10, 2)) == [(155, None)]


def test_monthly_spend_over_the_cap_is_rejected_with_a_reason() -> None:
    """A monthly_spend above 2**31-1 is rejected before sending, naming the attribute."""
    field = Field("monthly_spend", "mrr", "integer", "integer")
    [(_, reason)] = normalise(field, [2**31], pa.int64())
    assert "monthly_spend" in reason
    assert "2147483647" in reason


def test_long_custom_strings_are_rejected_and_standard_ones_are_not() -> None:
    """Custom string values over 255 characters are rejected; the name attribute is not capped."""
    custom = Field("custom_attributes.note", "c", "string", "string")
    [(_, reason)] = normalise(custom, ["x" * 256], pa.string())
    assert "custom_attributes.note is 256 characters long" in reason
    name = Field("name", "c", "string", "string")
    assert normalise(name, ["x" * 300], pa.string()) == [("x" * 300, None)]


def test_text_that_is_not_a_number_is_rejected_for_size() -> None:
    """A text column mapped to size is converted when numeric and rejected otherwise."""
    field = Field("size", "s", "string", "integer")
    rows = normalise(field, ["12", "lots", None], pa.string())
    assert rows[0] == (12, None)
    assert "size value lots is not a whole number" in rows[1][1]
    assert rows[2] == (None, None)


def test_negative_zero_is_sent_as_zero() -> None:
    """-0.0 and 0.0 are one value for Intercom, so they normalise to the same text."""
    field = Field("custom_attributes.score", "s", "float", "float")
    assert normalise(field, [-0.0, 0.0], pa.float64()) == [(0.0, None), (0.0, None)]
    table = pa.table({"s": pa.array([-0.0], pa.float64())})
    con = duckdb.connect()
    con.register("t", table)
    assert con.execute(f"SELECT {value_sql(field)[0]} FROM t").fetchone() == ("0.0",)


def test_non_finite_floats_are_rejected() -> None:
    """NaN and infinity cannot travel as JSON and are rejected."""
    field = Field("custom_attributes.score", "s", "float", "float")
    rows = normalise(field, [1.5, float("nan")], pa.float64())
    assert rows[0] == (1.5, None)
    assert "not a finite number" in rows[1][1]


def test_a_missing_column_names_the_mapping_key() -> None:
    """Mapping a column the model lacks is a config error naming the key and the columns."""
    schema = pa.schema([("id", pa.string())])
    with pytest.raises(ConfigError) as caught:
        build_fields((("name", "nope"),), schema, {}, file="a.yml")
    assert "a.yml: sync.mapping.name" in str(caught.value)
    assert "'nope'" in str(caught.value)
    assert "id" in str(caught.value)


def test_an_incompatible_existing_attribute_is_a_conflict() -> None:
    """A text column mapped to an integer custom attribute stops the run with a clear message."""
    schema = pa.schema([("tier", pa.string())])
    with pytest.raises(SchemaConflictError, match="Intercom holds as integer"):
        build_fields((("custom_attributes.tier", "tier"),), schema, {"tier": "integer"}, file="f")
