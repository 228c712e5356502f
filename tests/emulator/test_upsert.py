"""`POST /companies`: upsert by company_id and every field rule."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from hoist.emulator import Emulator


def add_attribute(client: httpx.Client, name: str, data_type: str, **extra: Any) -> None:
    """Create a company data attribute, asserting success."""
    body = {"name": name, "model": "company", "data_type": data_type, **extra}
    assert client.post("/data_attributes", json=body).status_code == 200


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The first error of an error.list response."""
    assert response.json()["type"] == "error.list"
    error: dict[str, Any] = response.json()["errors"][0]
    return error


def test_first_post_creates_with_intercom_id(client: httpx.Client) -> None:
    """The first upsert of a company_id creates a company with a new 24-hex Intercom id."""
    response = client.post("/companies", json={"company_id": "c1", "name": "Acme"})
    assert response.status_code == 200
    company = response.json()
    assert company["type"] == "company"
    assert re.fullmatch(r"[0-9a-f]{24}", company["id"])
    assert (company["company_id"], company["name"]) == ("c1", "Acme")


def test_second_post_updates_same_company(pair: tuple[httpx.Client, Emulator]) -> None:
    """A second upsert of the same company_id updates it in place, keeping its id."""
    client, emu = pair
    first = client.post("/companies", json={"company_id": "c1", "name": "Acme"}).json()
    second = client.post("/companies", json={"company_id": "c1", "industry": "Tools"}).json()
    assert second["id"] == first["id"]
    assert (second["name"], second["industry"]) == ("Acme", "Tools")
    assert len(emu.companies()) == 1


def test_unknown_top_level_key_is_bad_request(client: httpx.Client) -> None:
    """An unknown body key is rejected with 400 bad_request "bad 'test' parameter"."""
    response = client.post("/companies", json={"company_id": "c1", "test": "x"})
    assert response.status_code == 400
    assert error_of(response) == {"code": "bad_request", "message": "bad 'test' parameter"}


def test_plan_is_returned_as_plan_object(client: httpx.Client) -> None:
    """A plan name is stored and returned as a `{type: plan, id, name}` object."""
    company = client.post("/companies", json={"company_id": "c1", "plan": "Pro"}).json()
    assert company["plan"]["type"] == "plan"
    assert company["plan"]["name"] == "Pro"
    assert isinstance(company["plan"]["id"], str)


def test_monthly_spend_is_truncated(client: httpx.Client) -> None:
    """A decimal monthly_spend is truncated to an integer."""
    company = client.post("/companies", json={"company_id": "c1", "monthly_spend": 155.98}).json()
    assert company["monthly_spend"] == 155


def test_monthly_spend_above_int32_is_rejected(client: httpx.Client) -> None:
    """A monthly_spend above 2**31-1 is rejected with parameter_invalid."""
    response = client.post("/companies", json={"company_id": "c1", "monthly_spend": 2**31})
    assert response.status_code == 400
    assert error_of(response)["code"] == "parameter_invalid"


def test_size_must_be_an_integer(client: httpx.Client) -> None:
    """`size` given as a string is rejected (the spec's '100' example is not honoured)."""
    response = client.post("/companies", json={"company_id": "c1", "size": "100"})
    assert response.status_code == 400
    assert error_of(response)["field"] == "size"


def test_unknown_custom_attribute_is_rejected_by_name(pair: tuple[httpx.Client, Emulator]) -> None:
    """A custom attribute that was never created is a 400 naming it, and nothing is stored."""
    client, emu = pair
    body = {"company_id": "c1", "custom_attributes": {"ghost": "x"}}
    response = client.post("/companies", json=body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "parameter_invalid"
    assert "ghost" in error["message"]
    assert emu.companies() == []


@pytest.mark.parametrize(
    ("data_type", "good", "bad"),
    [
        ("string", "gold", 5),
        ("integer", 7, 7.5),
        ("integer", 7, True),
        ("float", 7, "7"),
        ("float", 2.5, False),
        ("boolean", True, 1),
        ("date", 1_700_000_000, "2024-01-01"),
        ("datetime", 1_700_000_000, 1.5),
    ],
)
def test_custom_values_must_fit_the_data_type(
    client: httpx.Client, data_type: str, good: Any, bad: Any
) -> None:
    """A custom value is accepted only when it fits its attribute's data type."""
    add_attribute(client, "attr", data_type)
    ok = client.post("/companies", json={"company_id": "c1", "custom_attributes": {"attr": good}})
    assert ok.status_code == 200
    assert ok.json()["custom_attributes"]["attr"] == good
    wrong = client.post("/companies", json={"company_id": "c1", "custom_attributes": {"attr": bad}})
    assert wrong.status_code == 400
    assert error_of(wrong)["code"] == "parameter_invalid"
    assert "attr" in error_of(wrong)["message"]


def test_null_clears_a_custom_value(client: httpx.Client) -> None:
    """Sending null for a custom attribute removes its value."""
    add_attribute(client, "tier", "string")
    client.post("/companies", json={"company_id": "c1", "custom_attributes": {"tier": "gold"}})
    body = {"company_id": "c1", "custom_attributes": {"tier": None}}
    assert client.post("/companies", json=body).json()["custom_attributes"] == {}


def test_null_clears_a_standard_field(client: httpx.Client) -> None:
    """Sending null for a standard field removes it from the company object."""
    client.post("/companies", json={"company_id": "c1", "website": "https://a.example"})
    company = client.post("/companies", json={"company_id": "c1", "website": None}).json()
    assert "website" not in company


def test_custom_strings_over_255_characters_are_rejected(client: httpx.Client) -> None:
    """A custom string of 256 characters is rejected naming the attribute; 255 is fine."""
    add_attribute(client, "note", "string")
    ok = client.post(
        "/companies", json={"company_id": "c1", "custom_attributes": {"note": "x" * 255}}
    )
    body = {"company_id": "c1", "custom_attributes": {"note": "x" * 256}}
    long = client.post("/companies", json=body)
    assert ok.status_code == 200
    assert long.status_code == 400
    assert error_of(long)["field"] == "note"


def test_list_attribute_accepts_only_its_options(client: httpx.Client) -> None:
    """A list (options) attribute accepts one of its option values and rejects others."""
    add_attribute(client, "band", "options", options=[{"value": "S"}, {"value": "M"}])
    ok = client.post("/companies", json={"company_id": "c1", "custom_attributes": {"band": "S"}})
    bad = client.post("/companies", json={"company_id": "c1", "custom_attributes": {"band": "XL"}})
    assert (ok.status_code, bad.status_code) == (200, 400)


def test_update_last_request_at_sets_last_seen(client: httpx.Client, clock: Any) -> None:
    """`update_last_request_at: true` sets last_request_at to now."""
    body = {"company_id": "c1", "update_last_request_at": True}
    company = client.post("/companies", json=body).json()
    assert company["last_request_at"] == int(clock.now)


def test_company_id_is_required(client: httpx.Client) -> None:
    """An upsert without company_id is rejected (the emulator's documented choice)."""
    response = client.post("/companies", json={"name": "Nameless"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "parameter_not_found"


def test_invalid_json_is_parameter_invalid(client: httpx.Client) -> None:
    """A body that is not JSON is a 400 parameter_invalid."""
    response = client.post(
        "/companies", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "parameter_invalid"
