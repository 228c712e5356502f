"""The verify comparison: state's delivered JSON texts against Intercom's company objects."""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from hoist.compare import Drift, compare_company, intercom_value, same_value
from hoist.diff.values import value_expression
from hoist.emulator.workspace import Workspace
from hoist.mapping import Field
from hoist.sql import render


def company(**fields: Any) -> dict[str, Any]:
    """A company object shaped as Intercom returns it."""
    base: dict[str, Any] = {"type": "company", "id": "i1", "company_id": "c1", "plan": {}}
    base.setdefault("custom_attributes", {})
    return base | {"monthly_spend": 0, "custom_attributes": {}} | fields


def test_equal_values_are_no_drift() -> None:
    """A company holding exactly what was delivered has no drift."""
    delivered = {"name": '"Acme"', "size": "12", "custom_attributes.tier": '"gold"'}
    held = company(name="Acme", size=12, custom_attributes={"tier": "gold"})
    assert compare_company("c1", delivered, held) == []


def test_a_changed_value_is_reported_with_both_sides() -> None:
    """An edited attribute is one drift naming the company, the attribute and both values."""
    delivered = {"name": '"Acme"', "custom_attributes.tier": '"gold"'}
    held = company(name="Acme", custom_attributes={"tier": "bronze"})
    assert compare_company("c1", delivered, held) == [
        Drift("c1", "custom_attributes.tier", "gold", "bronze")
    ]


def test_a_value_removed_in_intercom_is_drift_to_null() -> None:
    """A delivered value Intercom no longer holds drifts to null (absent reads as null)."""
    held = company()
    assert compare_company("c1", {"website": '"https://a.test"'}, held) == [
        Drift("c1", "website", "https://a.test", None)
    ]


def test_a_delivered_null_matches_an_absent_value() -> None:
    """A null state delivered matches an attribute Intercom does not hold."""
    assert (
        compare_company("c1", {"industry": "null", "custom_attributes.x": "null"}, company()) == []
    )


def test_never_delivered_attributes_are_not_compared() -> None:
    """An attribute state has no text for (None) is skipped, whatever Intercom holds."""
    assert compare_company("c1", {"name": None}, company(name="Someone else's")) == []


def test_plan_compares_by_name() -> None:
    """`plan` is delivered as a name and read back as a plan object; the names compare."""
    held = company(plan={"type": "plan", "id": "9", "name": "pro"})
    assert intercom_value(held, "plan") == "pro"
    assert compare_company("c1", {"plan": '"pro"'}, held) == []
    assert compare_company("c1", {"plan": '"free"'}, held) == [Drift("c1", "plan", "free", "pro")]
    assert compare_company("c1", {"plan": "null"}, company()) == []


def test_an_unset_monthly_spend_reads_back_as_zero() -> None:
    """A cleared `monthly_spend` (delivered null) matches the 0 Intercom reports for unset."""
    assert compare_company("c1", {"monthly_spend": "null"}, company(monthly_spend=0)) == []
    assert compare_company("c1", {"monthly_spend": "7"}, company(monthly_spend=0)) == [
        Drift("c1", "monthly_spend", 7, 0)
    ]


def test_numbers_compare_by_value_and_booleans_by_type() -> None:
    """5 equals 5.0, but true is not 1 and "1" is not 1."""
    assert same_value("custom_attributes.score", 5, 5.0)
    assert not same_value("custom_attributes.flag", True, 1)
    assert not same_value("custom_attributes.flag", 1, True)
    assert not same_value("name", "1", 1)
    assert same_value("custom_attributes.flag", False, False)


def test_a_company_under_another_intercom_id_is_drift_of_id() -> None:
    """When Intercom holds the company_id under another id, the id is reported as drifted."""
    held = company(id="i2", name="Acme")
    assert compare_company("c1", {"name": '"Acme"'}, held, intercom_id="i1") == [
        Drift("c1", "id", "i1", "i2")
    ]
    assert compare_company("c1", {"name": '"Acme"'}, held, intercom_id="i2") == []


def test_drift_json_has_the_report_keys() -> None:
    """A drift's JSON entry has exactly `company_id`, `attribute`, `delivered`, `intercom`."""
    entry = Drift("c1", "size", 3, 4).to_json()
    assert entry == {"company_id": "c1", "attribute": "size", "delivered": 3, "intercom": 4}


# -- round trip: what the run normalises and Intercom stores compares equal --------------------

FIELDS = (
    Field("name", "name", "string", "string"),
    Field("plan", "plan", "string", "string"),
    Field("size", "size", "integer", "integer"),
    Field("monthly_spend", "spend", "float", "integer"),
    Field("remote_created_at", "created", "datetime", "timestamp"),
    Field("custom_attributes.score", "score", "float", "float"),
    Field("custom_attributes.seats", "seats", "integer", "integer"),
    Field("custom_attributes.active", "active", "boolean", "boolean"),
    Field("custom_attributes.signup", "signup", "date", "date"),
    Field("custom_attributes.tier", "tier", "string", "string"),
)
SCHEMA = pa.schema(
    [
        ("name", pa.string()),
        ("plan", pa.string()),
        ("size", pa.int64()),
        ("spend", pa.float64()),
        ("created", pa.timestamp("us", tz="UTC")),
        ("score", pa.float64()),
        ("seats", pa.int64()),
        ("active", pa.bool_()),
        ("signup", pa.date32()),
        ("tier", pa.string()),
    ]
)
text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)
moment = st.datetimes(dt.datetime(1971, 1, 1), dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC))
row = st.fixed_dictionaries(
    {
        "name": st.none() | text.filter(bool),
        "plan": st.none() | text.filter(bool),
        "size": st.none() | st.integers(0, 2**40),
        "spend": st.none() | st.floats(-2e9, 2e9, allow_nan=False),
        "created": st.none() | moment,
        "score": st.none() | st.floats(allow_nan=False, allow_infinity=False),
        "seats": st.none() | st.integers(-(2**53), 2**53),
        "active": st.none() | st.booleans(),
        "signup": st.none() | st.dates(dt.date(1971, 1, 1), dt.date(2100, 1, 1)),
        "tier": st.none() | text,
    }
)


@functools.cache
def connection() -> duckdb.DuckDBPyConnection:
    """One DuckDB connection for every example (opening one costs a tenth of a second)."""
    return duckdb.connect()


def delivered_texts(values: dict[str, Any]) -> dict[str, str]:
    """The JSON texts the run's normalisation (`diff.values.value_expression`) gives one row."""
    con = connection()
    con.register("model_rows", pa.Table.from_pylist([values], SCHEMA))
    columns = ", ".join(render(value_expression(f)) for f in FIELDS)
    (texts,) = con.execute(f"SELECT {columns} FROM model_rows").fetchall()
    con.unregister("model_rows")
    return {f.attribute: t for f, t in zip(FIELDS, texts, strict=True)}


def stored(texts: dict[str, str]) -> dict[str, Any]:
    """Send the delivered values to an emulated workspace as a run would; read the company back."""
    ws = Workspace()
    for name, data_type in (("score", "float"), ("seats", "integer"), ("active", "boolean")):
        ws.attributes.create({"name": name, "model": "company", "data_type": data_type}, 0)
    for name, data_type in (("signup", "date"), ("tier", "string")):
        ws.attributes.create({"name": name, "model": "company", "data_type": data_type}, 0)
    body: dict[str, Any] = {"company_id": "c1", "custom_attributes": {}}
    for attribute, value in ((a, json.loads(t)) for a, t in texts.items()):
        if attribute.startswith("custom_attributes."):
            body["custom_attributes"][attribute.removeprefix("custom_attributes.")] = value
        else:
            body[attribute] = value
    return ws.upsert(ws.check_create(body), 0)


@settings(max_examples=100, deadline=None)
@given(row)
def test_what_a_run_delivers_reads_back_equal(values: dict[str, Any]) -> None:
    """Any row normalised by the run and stored by Intercom compares equal: no false drift."""
    texts = delivered_texts(values)
    assert compare_company("c1", texts, stored(texts)) == []
