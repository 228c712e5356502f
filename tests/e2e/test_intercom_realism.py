"""What a real Intercom workspace does, end to end through the `hoist` command (issue 8).

One test per behaviour: nulls, bad values, data attributes, update-only lookups, archiving,
the removal policy and the API version, each against the emulator that models it.
"""

from __future__ import annotations

from typing import Any

from hoist.emulator.testing import EmulatorHandle
from tests.harness.activation import Activation, company_rows


def custom(emulator: EmulatorHandle, company_id: str) -> dict[str, Any]:
    """The custom attributes the emulated workspace holds for `company_id`."""
    company = emulator.emulator.company_by_company_id(company_id)
    assert company is not None, company_id
    held: dict[str, Any] = company["custom_attributes"]
    return held


def test_plan_reports_the_room_left_and_refuses_an_archived_attribute(
    activation: Activation, emulator: EmulatorHandle
) -> None:
    """`hoist plan` says how many custom attributes remain; an archived one stops it (exit 2)."""
    activation.write_rows(company_rows(3))
    plan = activation.run_json("plan")
    assert plan["_exit"] == 0
    assert plan["custom_attributes_remaining"] == 250 - 2  # health_score and seats to create
    attr = emulator.emulator.run(
        lambda ws: ws.attributes.create(
            {"name": "seats", "model": "company", "data_type": "integer"}, 0
        )
    )
    emulator.emulator.run(lambda ws: ws.attributes.update(str(attr["id"]), {"archived": True}, 0))
    refused = activation.run_json("plan")
    assert refused["_exit"] == 2
    assert "sync.custom_attributes" in refused["message"]
    assert "unarchive it in Intercom" in refused["message"]


def test_removal_policies_clear_or_delete_only_what_hoist_delivered(
    activation: Activation, emulator: EmulatorHandle
) -> None:
    """`clear` nulls a departed company's attributes once, `delete` archives it; others stay."""
    emulator.emulator.seed_company(company_id="foreign", name="Not ours")
    activation.configure(on_removal="clear", max_removals="100%")
    activation.write_rows(company_rows(4))
    assert activation.run_json()["created"] == 4
    activation.write_rows(company_rows(3))  # acct-0003 leaves the model
    cleared = activation.run_json()
    assert (cleared["status"], cleared["removed"]) == ("success", 1)
    gone = emulator.emulator.company_by_company_id("acct-0003")
    assert gone is not None
    assert "name" not in gone
    assert gone["custom_attributes"] == {}
    assert activation.run_json()["removed"] == 0  # cleared once, not on every run

    activation.configure(on_removal="delete", max_removals="100%")
    activation.write_rows(company_rows(2))  # acct-0002 leaves too
    deleted = activation.run_json()
    assert deleted["removed"] == 2  # acct-0002, and acct-0003 which hoist still delivered nulls to
    assert emulator.emulator.company_by_company_id("acct-0002") is None
    assert {c["company_id"] for c in emulator.emulator.archived_companies()} == {
        "acct-0002",
        "acct-0003",
    }
    assert emulator.emulator.company_by_company_id("foreign") is not None


def test_a_model_that_shrinks_past_max_removals_stops_before_sending(
    activation: Activation, emulator: EmulatorHandle
) -> None:
    """An emptied model with `delete` stops with exit 2 naming sync.max_removals; nothing goes."""
    activation.configure(on_removal="delete")
    activation.write_rows(company_rows(20))
    activation.run_json()
    before = len(emulator.emulator.requests())
    activation.write_rows(company_rows(20)[:-3])  # 3 of 20 leave: more than 10% (2)
    stopped = activation.run_json()
    assert stopped["_exit"] == 2
    assert "sync.max_removals" in stopped["message"]
    writes = [r for r in emulator.emulator.requests()[before:] if r.method != "GET"]
    assert writes == []
    assert len(emulator.emulator.companies()) == 20


def test_nulls_are_sent_only_to_clear_a_value_intercom_holds(
    activation: Activation, emulator: EmulatorHandle
) -> None:
    """A never-set null sends no key and is recorded; a null after a value clears it once."""
    rows = company_rows(2, plan_name=lambda i: None, health_score=lambda i: None)
    activation.write_rows(rows)
    assert activation.run_json()["created"] == 2
    bodies = [r.json for r in emulator.emulator.requests() if r.method == "POST"]
    company_bodies = [b for b in bodies if "company_id" in b]
    assert all("plan" not in b for b in company_bodies)
    assert all("health_score" not in b.get("custom_attributes", {}) for b in company_bodies)

    activation.configure(
        mapping={
            "name": "account_name",
            "plan": "plan_name",
            "monthly_spend": "mrr",
            "industry": "tier",
        },
    )
    activation.write_rows(
        company_rows(2, plan_name=lambda i: None, tier=lambda i: None, health_score=lambda i: None)
    )
    before = len(emulator.emulator.requests())
    backfill = activation.run_json()
    assert (backfill["updated"], backfill["unchanged"]) == (0, 2)  # nulls never set: recorded
    assert [r for r in emulator.emulator.requests()[before:] if r.method != "GET"] == []

    activation.write_rows(company_rows(2, plan_name=lambda i: "Pro", health_score=lambda i: None))
    activation.run_json()
    activation.write_rows(company_rows(2, plan_name=lambda i: None, health_score=lambda i: None))
    before = len(emulator.emulator.requests())
    cleared = activation.run_json()
    assert cleared["updated"] == 2
    writes = [r.json for r in emulator.emulator.requests()[before:] if r.method == "POST"]
    assert all(b["plan"] is None for b in writes)
    assert all("industry" not in b for b in writes)
    company = emulator.emulator.company_by_company_id("acct-0000")
    assert company is not None
    assert company["plan"] == {}  # cleared: the company object shows no plan


def test_a_bad_value_holds_back_that_attribute_only(
    activation: Activation, emulator: EmulatorHandle
) -> None:
    """NaN, over-long text and a too-large spend are reported per attribute; the rest goes."""
    activation.configure(custom_attributes=["health_score", "seats", "tier"])
    rows = company_rows(3)
    rows[0]["health_score"] = float("nan")
    rows[1]["tier"] = "t" * 256
    rows[2]["mrr"] = str(2**31)
    activation.write_rows(rows)
    report = activation.run_json()
    assert (report["status"], report["created"], report["rejected"]) == ("partial", 3, 3)
    assert {(e["company_id"], e["attribute"]) for e in report["errors"]} == {
        ("acct-0000", "custom_attributes.health_score"),
        ("acct-0001", "custom_attributes.tier"),
        ("acct-0002", "monthly_spend"),
    }
    assert custom(emulator, "acct-0001")["seats"] == rows[1]["seats"]
    assert "tier" not in custom(emulator, "acct-0001")

    before = len(emulator.emulator.requests())
    again = activation.run_json()
    assert again["rejected"] == 3  # still reported, never sent
    assert [r for r in emulator.emulator.requests()[before:] if r.method != "GET"] == []

    rows[1]["tier"] = "gold"
    activation.write_rows(rows)
    fixed = activation.run_json()
    assert fixed["updated"] == 1
    assert custom(emulator, "acct-0001")["tier"] == "gold"


def test_a_deleted_company_that_returns_is_created_anew(
    activation: Activation, emulator: EmulatorHandle
) -> None:
    """After `delete` archived it, a company back in the model is a new Intercom company."""
    activation.configure(on_removal="delete", max_removals="100%")
    activation.write_rows(company_rows(2))
    activation.run_json()
    first = emulator.emulator.company_by_company_id("acct-0001")
    assert first is not None
    activation.write_rows(company_rows(1))
    assert activation.run_json()["removed"] == 1
    activation.write_rows(company_rows(2))
    back = activation.run_json()
    assert back["created"] == 1
    again = emulator.emulator.company_by_company_id("acct-0001")
    assert again is not None
    assert again["id"] != first["id"]
    assert again["name"] == first["name"]


def test_an_api_version_intercom_refuses_names_the_key(
    activation: Activation, emulator: EmulatorHandle
) -> None:
    """`destination.api_version: '2.99'` stops the run (exit 2) naming the key; nothing is sent."""
    text = activation.file.read_text().replace(
        "type: intercom", "type: intercom\n  api_version: '2.99'"
    )
    activation.file.write_text(text)
    activation.write_rows(company_rows(2))
    report = activation.run_json()
    assert report["_exit"] == 2
    assert "destination.api_version" in report["message"]
    assert "'2.99'" in report["message"]
    assert [r.status for r in emulator.emulator.requests()] == [400]
    assert emulator.emulator.companies() == []
