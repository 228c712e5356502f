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
