"""Spark writes every value's JSON text (and every rejection message) as DuckDB writes it."""

from __future__ import annotations

import math
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoist.diff.in_warehouse import portable
from hoist.diff.values import value_expression
from hoist.mapping import Field
from hoist.sql.build import column, render, template

pytestmark = pytest.mark.spark

#: Each case: (Arrow type, column category, Intercom target).
_KINDS = {
    "double": (pa.float64(), "float", "float"),
    "text": (pa.string(), "string", "string"),
    "whole": (pa.int64(), "integer", "integer"),
    "flag": (pa.bool_(), "boolean", "boolean"),
}

_DOUBLES = [0.5, 1.0, 1e20, 1e21, 1e16, 1e15, 123456789.125, 1e-5, 1e-6, 1e-7, 0.1, -3.0, 2.5e-300]
_TEXTS = ['a"b', "back\\slash", "new\nline", "tab\t", "ctl\x01\x1f\x08\x0c\r", "del\x7f", "a/b"]


def _texts(spark: Any, kind: str, values: list[Any]) -> tuple[list[str], list[str]]:
    """(DuckDB's, Spark's) JSON texts of `values` as a column of `kind`."""
    arrow, category, target = _KINDS[kind]
    rows = pa.table({"i": pa.array(range(len(values)), pa.int64()), "x": pa.array(values, arrow)})
    value = value_expression(Field("attr", "x", category, target))
    query = template("SELECT $v AS t FROM rows ORDER BY i", v=value)
    con = duckdb.connect()
    con.register("rows", rows)
    duck = [r[0] for r in con.execute(render(query)).fetchall()]
    spark.createDataFrame(rows).createOrReplaceTempView("rows")
    on_spark = spark.sql(render(portable(query, "spark"), "spark")).toArrow()
    return duck, on_spark.column("t").to_pylist()


def test_chosen_values_are_written_as_duckdb_writes_them(spark: Any) -> None:
    """Doubles in either layout, escaped texts, whole numbers, booleans and nulls match."""
    cases: dict[str, list[Any]] = {
        "double": [*_DOUBLES, None, 0.0],
        "text": [*_TEXTS, "Zürich 😀", "", None],
        "whole": [0, -1, 2**62, None],
        "flag": [True, False, None],
    }
    for kind, values in cases.items():
        duck, on_spark = _texts(spark, kind, values)
        assert on_spark == duck, kind


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=40))
def test_any_finite_double_is_written_as_duckdb_writes_it(spark: Any, values: list[float]) -> None:
    """Random doubles (any magnitude) get DuckDB's exact JSON text from Spark."""
    duck, on_spark = _texts(spark, "double", values)
    differ = [(v, d, s) for v, d, s in zip(values, duck, on_spark, strict=True) if d != s]
    # Java 17's Double.toString is not always the shortest (JDK-4511638): the same value.
    assert all(float(s) == float(d) for _, d, s in differ), differ


def test_rejection_messages_spell_doubles_as_duckdb_does(spark: Any) -> None:
    """A held-back double's message shows it as DuckDB's CAST to VARCHAR does (inf, 1e+20)."""
    values = [math.inf, -math.inf, math.nan, 1e20, 3e9, 1e-5, 0.25]
    rows = pa.table({"i": pa.array(range(len(values))), "x": pa.array(values, pa.float64())})
    query = template("SELECT CAST($c AS VARCHAR) AS t FROM rows ORDER BY i", c=column("x"))
    con = duckdb.connect()
    con.register("rows", rows)
    duck = [r[0] for r in con.execute(render(query)).fetchall()]
    spark.createDataFrame(rows).createOrReplaceTempView("rows")
    on_spark = spark.sql(render(portable(query, "spark"), "spark")).toArrow()
    assert on_spark.column("t").to_pylist() == duck
