"""What a real Intercom workspace does, end to end through the `hoist` command (issue 8).

One test per behaviour: nulls, bad values, data attributes, update-only lookups, archiving,
the removal policy and the API version, each against the emulator that models it.
"""

from __future__ import annotations

from typing import Any

from hoist.emulator.testing import EmulatorHandle
from tests.e2e.conftest import Activation, company_rows


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
