"""`/data_attributes`: list, create (name, duplicate and type rules) and update."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hoist.emulator.data_attributes import MAX_CUSTOM_ATTRIBUTES


def create(client: httpx.Client, **body: Any) -> httpx.Response:
    """POST a company data attribute with `body` over sensible defaults."""
    return client.post("/data_attributes", json={"model": "company", "data_type": "string", **body})


def test_list_has_company_builtins_not_custom(client: httpx.Client) -> None:
    """The company list includes built-ins such as name and monthly_spend with custom:false."""
    body = client.get("/data_attributes", params={"model": "company"}).json()
    by_name = {a["name"]: a for a in body["data"]}
    assert body["type"] == "list"
    assert by_name["name"]["custom"] is False
    assert by_name["monthly_spend"]["api_writable"] is True
    assert by_name["company_id"]["api_writable"] is False


def test_create_returns_custom_attribute(client: httpx.Client) -> None:
    """A created attribute has an integer id, full_name custom_attributes.<name> and custom:true."""
    attr = create(client, name="health score", data_type="float").json()
    assert isinstance(attr["id"], int)
    assert attr["full_name"] == "custom_attributes.health score"
    assert (attr["custom"], attr["api_writable"], attr["archived"]) == (True, True, False)
    listed = client.get("/data_attributes", params={"model": "company"}).json()["data"]
    assert attr in listed


@pytest.mark.parametrize("name", ["bad!name", "a@b", "dots.here", ""])
def test_create_rejects_bad_names(client: httpx.Client, name: str) -> None:
    """Names with characters other than alphanumerics, spaces, _, - or currency are refused."""
    response = create(client, name=name)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parameter_invalid"


def test_create_accepts_currency_symbols(client: httpx.Client) -> None:
    """Currency symbols, spaces, underscores and hyphens are allowed in names."""
    assert create(client, name="spend_€ in-£").status_code == 200


@pytest.mark.parametrize("name", ["tier", "Tier", "TIER"])
def test_create_rejects_duplicates_case_insensitively(client: httpx.Client, name: str) -> None:
    """A name a custom attribute already has, in any case, is a 400 "You already have"."""
    create(client, name="tier")
    response = create(client, name=name)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "parameter_invalid"
    assert error["message"].startswith(f"You already have '{name}' in your company data")


def test_a_contact_attribute_name_is_taken_for_companies(client: httpx.Client) -> None:
    """A custom attribute's name collides across models: a contact's "plan" blocks a company's."""
    create(client, name="plan level", model="contact")
    response = create(client, name="Plan Level")
    assert response.json()["errors"][0]["message"].startswith(
        "You already have 'Plan Level' in your people data"
    )


@pytest.mark.parametrize(
    ("name", "word"),
    [("website", "company"), ("Name", "company"), ("Email", "people"), ("PHONE", "people")],
)
def test_standard_company_and_contact_names_are_reserved(
    client: httpx.Client, name: str, word: str
) -> None:
    """Standard company and contact attribute names are refused in any case (NOTES §2.2)."""
    response = create(client, name=name)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "parameter_invalid"
    assert error["message"] == (
        f"'{name}' is one of our standard attributes for your {word} data. "
        "To save this as new company data, use a different name."
    )


def test_contact_listing_shows_standard_contact_attributes(client: httpx.Client) -> None:
    """`model=contact` lists standard contact attributes such as email with custom:false."""
    data = client.get("/data_attributes", params={"model": "contact"}).json()["data"]
    by_name = {a["name"]: a for a in data}
    assert by_name["email"]["custom"] is False
    assert by_name["email"]["model"] == "contact"
    assert all(a["model"] == "contact" for a in data)


def test_the_workspace_holds_at_most_250_live_custom_attributes(client: httpx.Client) -> None:
    """The 251st custom attribute is refused; archiving one makes room (NOTES §2.3)."""
    ids = [
        create(client, name=f"a{i}", model=("company", "contact")[i % 2]).json()["id"]
        for i in range(MAX_CUSTOM_ATTRIBUTES)
    ]
    refused = create(client, name="one too many")
    assert refused.status_code == 400
    assert "limit of 250 custom data attributes" in refused.json()["errors"][0]["message"]
    client.put(f"/data_attributes/{ids[0]}", json={"archived": True})
    assert create(client, name="one too many").status_code == 200
    unarchive = client.put(f"/data_attributes/{ids[0]}", json={"archived": False})
    assert unarchive.status_code == 400


def test_archived_attribute_keeps_its_name_and_takes_no_values(client: httpx.Client) -> None:
    """An archived attribute still holds its name, and companies can no longer be given it."""
    attr = create(client, name="legacy").json()
    client.put(f"/data_attributes/{attr['id']}", json={"archived": True})
    assert create(client, name="legacy").status_code == 400
    body = {"company_id": "c1", "custom_attributes": {"legacy": "x"}}
    response = client.post("/companies", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "legacy"


def test_create_rejects_unknown_data_type(client: httpx.Client) -> None:
    """A data_type that is not an option is refused with "Data Type isn't an option."."""
    response = create(client, name="x", data_type="money")
    assert response.json()["errors"][0]["message"] == "Data Type isn't an option."


def test_list_attribute_needs_two_options(client: httpx.Client) -> None:
    """An options attribute with fewer than two options is refused."""
    response = create(client, name="band", data_type="options", options=[{"value": "S"}])
    assert response.status_code == 400


def test_conversation_model_is_422(client: httpx.Client) -> None:
    """Listing `model=conversation` is no longer supported in 2.16: 422 parameter_invalid."""
    response = client.get("/data_attributes", params={"model": "conversation"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "parameter_invalid"


def test_archive_hides_unless_include_archived(client: httpx.Client) -> None:
    """An archived attribute is listed only with include_archived=true."""
    attr = create(client, name="old").json()
    updated = client.put(f"/data_attributes/{attr['id']}", json={"archived": True}).json()
    assert updated["archived"] is True

    def names(**params: str) -> set[str]:
        data = client.get("/data_attributes", params={"model": "company", **params}).json()["data"]
        return {a["name"] for a in data}

    assert "old" not in names()
    assert "old" in names(include_archived="true")


def test_update_cannot_change_data_type(client: httpx.Client) -> None:
    """PUT with data_type is refused: the type of an attribute never changes."""
    attr = create(client, name="seats", data_type="integer").json()
    response = client.put(f"/data_attributes/{attr['id']}", json={"data_type": "string"})
    assert response.status_code == 400


def test_update_unknown_attribute_is_field_not_found(client: httpx.Client) -> None:
    """PUT on an unknown id answers 404 field_not_found."""
    response = client.put("/data_attributes/999", json={"archived": True})
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "field_not_found"
