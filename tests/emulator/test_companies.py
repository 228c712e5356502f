"""Reading, updating, deleting and listing companies."""

from __future__ import annotations

import httpx
import pytest

from hoist.emulator import Emulator


def test_get_by_company_id_returns_single_company(pair: tuple[httpx.Client, Emulator]) -> None:
    """`GET /companies?company_id=` returns one company object, not a list."""
    client, emu = pair
    created = emu.seed_company(company_id="c1", name="Acme")
    body = client.get("/companies", params={"company_id": "c1"}).json()
    assert body["type"] == "company"
    assert body["id"] == created["id"]


def test_get_by_absent_company_id_is_404(client: httpx.Client) -> None:
    """An unknown company_id gives 404 company_not_found."""
    response = client.get("/companies", params={"company_id": "nope"})
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "company_not_found"


def test_get_by_name_returns_single_company(pair: tuple[httpx.Client, Emulator]) -> None:
    """`GET /companies?name=` returns the company with that name."""
    client, emu = pair
    emu.seed_company(company_id="c1", name="Acme")
    assert client.get("/companies", params={"name": "Acme"}).json()["company_id"] == "c1"


def test_get_without_filter_lists_companies_with_contacts_in_pages(
    pair: tuple[httpx.Client, Emulator],
) -> None:
    """`GET /companies` without a filter pages through the companies that have contacts."""
    client, emu = pair
    for i in range(5):
        emu.seed_company(company_id=f"c{i}", user_count=1)
    body = client.get("/companies", params={"page": 2, "per_page": 2}).json()
    assert body["type"] == "list"
    assert body["total_count"] == 5
    assert body["pages"]["total_pages"] == 3
    assert [c["company_id"] for c in body["data"]] == ["c2", "c3"]


def test_listing_and_its_total_leave_out_companies_without_contacts(
    pair: tuple[httpx.Client, Emulator],
) -> None:
    """Companies with no contacts are missing from `GET /companies` pages and total_count.

    Intercom: "the API does not include companies who have no associated users in list
    responses" (spec L6739, NOTES §1.6, §1.10).
    """
    client, emu = pair
    emu.seed_company(company_id="with", user_count=2)
    for i in range(4):
        emu.seed_company(company_id=f"without{i}")
    body = client.get("/companies", params={"per_page": 50}).json()
    assert body["total_count"] == 1
    assert [c["company_id"] for c in body["data"]] == ["with"]
    assert client.get("/companies", params={"company_id": "without0"}).status_code == 200


def test_by_id_routes_take_intercom_id_not_company_id(pair: tuple[httpx.Client, Emulator]) -> None:
    """GET/PUT/DELETE by your external company_id answer 404 company_not_found."""
    client, emu = pair
    emu.seed_company(company_id="c1")
    for response in (
        client.get("/companies/c1"),
        client.put("/companies/c1", json={"name": "x"}),
        client.delete("/companies/c1"),
    ):
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "company_not_found"


def test_get_by_intercom_id(pair: tuple[httpx.Client, Emulator]) -> None:
    """`GET /companies/{id}` returns the company."""
    client, emu = pair
    created = emu.seed_company(company_id="c1", name="Acme")
    assert client.get(f"/companies/{created['id']}").json()["name"] == "Acme"


def test_put_updates_allowed_fields(pair: tuple[httpx.Client, Emulator]) -> None:
    """`PUT /companies/{id}` applies update_company_request fields."""
    client, emu = pair
    created = emu.seed_company(company_id="c1")
    body = {"name": "New", "plan": "Pro", "size": 10, "monthly_spend": 9.9}
    company = client.put(f"/companies/{created['id']}", json=body).json()
    assert (company["name"], company["plan"]["name"], company["size"]) == ("New", "Pro", 10)
    assert company["monthly_spend"] == 9


@pytest.mark.parametrize("field", ["company_id", "remote_created_at", "update_last_request_at"])
def test_put_rejects_fields_outside_update_request(
    pair: tuple[httpx.Client, Emulator], field: str
) -> None:
    """PUT refuses keys that are not in update_company_request with 400 bad_request."""
    client, emu = pair
    created = emu.seed_company(company_id="c1")
    response = client.put(f"/companies/{created['id']}", json={field: 1})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "bad_request"


def test_put_applies_custom_attribute_rules(pair: tuple[httpx.Client, Emulator]) -> None:
    """PUT rejects an unknown custom attribute just like POST."""
    client, emu = pair
    created = emu.seed_company(company_id="c1")
    response = client.put(f"/companies/{created['id']}", json={"custom_attributes": {"x": 1}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parameter_invalid"


def test_delete_returns_deleted_object_and_archives(pair: tuple[httpx.Client, Emulator]) -> None:
    """DELETE answers deleted_company_object; the company is archived, not live."""
    client, emu = pair
    created = emu.seed_company(company_id="c1", user_count=3)
    body = client.delete(f"/companies/{created['id']}").json()
    assert body == {"id": created["id"], "object": "company", "deleted": True}
    assert emu.company_by_company_id("c1") is None
    [archived] = emu.archived_companies()
    assert (archived["id"], archived["user_count"]) == (created["id"], 0)  # contacts detached


def test_an_archived_company_reads_404_and_its_company_id_can_be_created_again(
    pair: tuple[httpx.Client, Emulator],
) -> None:
    """After DELETE, reads by id or company_id 404, and a POST creates a new company.

    NOTES §1.5: DELETE archives the company; integrations "will recreate any company deleted
    through this endpoint on their next sync".
    """
    client, emu = pair
    old = emu.seed_company(company_id="c1", name="Old")
    client.delete(f"/companies/{old['id']}")
    for response in (
        client.get(f"/companies/{old['id']}"),
        client.get("/companies", params={"company_id": "c1"}),
        client.put(f"/companies/{old['id']}", json={"name": "x"}),
        client.delete(f"/companies/{old['id']}"),
    ):
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "company_not_found"
    again = client.post("/companies", json={"company_id": "c1", "industry": "Tools"}).json()
    assert again["id"] != old["id"]
    assert "name" not in again  # a new record: nothing carried over from the archived one
    found = client.get("/companies", params={"company_id": "c1"}).json()
    assert found["id"] == again["id"]


def test_list_shows_only_companies_with_users(pair: tuple[httpx.Client, Emulator]) -> None:
    """`POST /companies/list` omits companies without users."""
    client, emu = pair
    with_users = emu.seed_company(company_id="c1")
    emu.seed_company(company_id="c2")
    emu.set_user_count(with_users["id"], 3)
    body = client.post("/companies/list").json()
    assert [c["company_id"] for c in body["data"]] == ["c1"]
    assert body["total_count"] == 1


def test_list_orders_by_last_request_at(pair: tuple[httpx.Client, Emulator]) -> None:
    """`order=asc` sorts by last_request_at ascending, the default is descending."""
    client, emu = pair
    emu.seed_company(company_id="old", user_count=1, last_request_at=1_600_000_000)
    emu.seed_company(company_id="new", user_count=1, last_request_at=1_700_000_000)
    asc = client.post("/companies/list", params={"order": "asc"}).json()["data"]
    desc = client.post("/companies/list").json()["data"]
    assert [c["company_id"] for c in asc] == ["old", "new"]
    assert [c["company_id"] for c in desc] == ["new", "old"]


@pytest.mark.parametrize("params", [{"per_page": "61"}, {"order": "sideways"}, {"page": "x"}])
def test_list_rejects_bad_paging(client: httpx.Client, params: dict[str, str]) -> None:
    """per_page above 60, an unknown order or a non-numeric page give 400 parameter_invalid."""
    response = client.post("/companies/list", params=params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parameter_invalid"
