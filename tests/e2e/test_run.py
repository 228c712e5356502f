"""`hoist run` end to end: the real CLI, a DuckDB warehouse, the emulator over real HTTP."""

from __future__ import annotations

import json
from typing import Any

from tests.harness.activation import Activation, by_company_id, company_rows, writes


def test_first_run_creates_every_company_with_its_values(
    activation: Activation, emulator: Any
) -> None:
    """A first run creates one Intercom company per row, carrying the mapped values."""
    activation.write_rows(company_rows(30))
    report = activation.run_json()
    assert report["_exit"] == 0, report
    assert (report["status"], report["created"], report["updated"]) == ("success", 30, 0)
    assert report["api_calls"] >= 30
    companies = by_company_id(emulator.emulator)
    assert len(companies) == 30
    first = companies["acct-0001"]
    assert first["name"] == "Company 1 — Zürich"
    assert first["plan"]["name"] == "Pro"
    assert first["monthly_spend"] == 10  # 10.75 truncated, as Intercom does
    assert first["custom_attributes"] == {"health_score": 0.5, "seats": 1}
    # The access token is in no output and in no file hoist wrote.
    assert activation.token not in json.dumps(report)
    for written in activation.state_file.parent.rglob("*"):
        if written.is_file():
            assert activation.token.encode() not in written.read_bytes()


def test_second_run_without_changes_makes_no_write_call(
    activation: Activation, emulator: Any
) -> None:
    """Running again with an unchanged model sends nothing and reports every company unchanged."""
    activation.write_rows(company_rows(20))
    activation.run_json()
    before = len(emulator.emulator.requests())
    report = activation.run_json()
    assert (report["status"], report["unchanged"], report["created"], report["updated"]) == (
        "success",
        20,
        0,
        0,
    )
    assert writes(emulator.emulator, before) == []


def test_changed_values_update_exactly_those_attributes(
    activation: Activation, emulator: Any
) -> None:
    """Only the changed companies are written, each with exactly the attributes that changed."""
    rows = company_rows(10)
    activation.write_rows(rows)
    activation.run_json()
    rows[2]["account_name"] = "Renamed"
    rows[5]["seats"] = 99
    rows[5]["plan_name"] = "Enterprise"
    activation.write_rows(rows)
    before = len(emulator.emulator.requests())
    report = activation.run_json()
    assert (report["updated"], report["unchanged"], report["created"]) == (2, 8, 0)
    bodies = sorted(
        (r.json for r in writes(emulator.emulator, before)), key=lambda b: b["company_id"]
    )
    assert bodies == [
        {"company_id": "acct-0002", "name": "Renamed"},
        {"company_id": "acct-0005", "plan": "Enterprise", "custom_attributes": {"seats": 99}},
    ]
    assert by_company_id(emulator.emulator)["acct-0005"]["plan"]["name"] == "Enterprise"


def test_a_value_set_to_null_is_cleared(activation: Activation, emulator: Any) -> None:
    """A value that became null in the model is cleared in Intercom."""
    rows = company_rows(3)
    activation.write_rows(rows)
    activation.run_json()
    rows[1]["seats"] = None
    activation.write_rows(rows)
    report = activation.run_json()
    assert report["updated"] == 1
    assert "seats" not in by_company_id(emulator.emulator)["acct-0001"]["custom_attributes"]


def test_custom_attributes_are_created_with_the_column_types(
    activation: Activation, emulator: Any
) -> None:
    """Listed columns become Intercom custom attributes typed after the column."""
    activation.configure(
        custom_attributes=["health_score", "seats", "is_enterprise", "onboarded_at"]
    )
    activation.write_rows(company_rows(3, onboarded_at=lambda i: f"2024-01-0{i + 1} 00:00:00"))
    report = activation.run_json()
    assert report["status"] == "success", report
    assert sorted(report["attributes_created"]) == [
        "health_score",
        "is_enterprise",
        "onboarded_at",
        "seats",
    ]
    state = emulator.emulator
    types = {a["name"]: a["data_type"] for a in state.data_attributes() if a.get("custom")}
    assert types == {
        "health_score": "float",
        "seats": "integer",
        "is_enterprise": "boolean",
        "onboarded_at": "datetime",
    }
    assert by_company_id(state)["acct-0000"]["custom_attributes"]["onboarded_at"] == 1704067200


def test_a_new_mapping_backfills_every_company(activation: Activation, emulator: Any) -> None:
    """Adding a mapping later sends that attribute, and only it, to every company."""
    activation.write_rows(company_rows(5))
    activation.run_json()
    activation.configure(
        mapping={
            "name": "account_name",
            "plan": "plan_name",
            "monthly_spend": "mrr",
            "size": "employees",
        }
    )
    before = len(emulator.emulator.requests())
    report = activation.run_json()
    assert report["updated"] == 5
    bodies = [r.json for r in writes(emulator.emulator, before)]
    assert sorted(b["size"] for b in bodies) == [1, 2, 3, 4, 5]
    assert all(set(b) == {"company_id", "size"} for b in bodies)


def test_rejected_rows_are_reported_and_the_rest_go_through(
    activation: Activation, emulator: Any
) -> None:
    """Rows without an id or with a duplicate id are rejected; an over-long value holds back
    only that attribute, and the company goes with the rest."""
    rows = company_rows(6)
    rows[0]["account_id"] = None
    rows[2]["account_id"] = rows[1]["account_id"]
    activation.configure(custom_attributes=["health_score", "seats", "tier"])
    rows[3]["tier"] = "x" * 300
    activation.write_rows(rows)
    report = activation.run_json()
    assert report["_exit"] == 1
    assert report["status"] == "partial"
    assert (report["created"], report["rejected"]) == (3, 3)
    reasons = {(e["company_id"], e["code"], e["attribute"]) for e in report["errors"]}
    assert reasons == {
        (None, "missing_company_id", None),
        ("acct-0001", "duplicate_company_id", None),
        ("acct-0003", "invalid_value", "custom_attributes.tier"),
    }
    held = by_company_id(emulator.emulator)
    assert sorted(held) == ["acct-0003", "acct-0004", "acct-0005"]
    assert "tier" not in held["acct-0003"]["custom_attributes"]
    assert held["acct-0003"]["name"] == rows[3]["account_name"]


def test_a_bad_token_exits_2_and_leaves_state_untouched(
    activation: Activation, emulator: Any
) -> None:
    """A token Intercom refuses stops the run with exit 2 and marks nothing as synced: the
    history records the failed attempt (issue 24), and the next run sends every change."""
    activation.write_rows(company_rows(4))
    activation.run_json()
    emulator.emulator.configure(token="the-only-valid-token")
    activation.write_rows(company_rows(4, account_name=lambda i: f"new {i}"))
    report = activation.run_json(token="wrong-token")
    assert report["_exit"] == 2
    assert "401" in report["_stderr"]
    assert "wrong-token" not in report["_stderr"] + str(report)
    history = json.loads(activation.hoist("runs", "--json", token="wrong-token").stdout)
    assert [run["status"] for run in history] == ["failed", "success"]
    assert "wrong-token" not in str(history)
    assert activation.run_json(token="the-only-valid-token")["updated"] == 4


def test_removing_a_mapping_sends_nothing_and_leaves_the_value(
    activation: Activation, emulator: Any
) -> None:
    """An attribute dropped from the mapping is no longer written, and Intercom keeps its value."""
    activation.write_rows(company_rows(3))
    activation.run_json()
    activation.configure(mapping={"name": "account_name", "plan": "plan_name"})
    before = len(emulator.emulator.requests())
    report = activation.run_json()
    assert (report["unchanged"], report["updated"]) == (3, 0)
    assert writes(emulator.emulator, before) == []
    assert by_company_id(emulator.emulator)["acct-0002"]["monthly_spend"] == 20
