"""Out-of-band edits and deletes (a person in Intercom's UI), through the admin routes."""

from __future__ import annotations

import httpx

from hoist.emulator.testing import EmulatorHandle

AUTH = {"Authorization": "Bearer t", "Intercom-Version": "2.16"}


def _attribute(handle: EmulatorHandle, name: str, data_type: str) -> None:
    body = {"name": name, "model": "company", "data_type": data_type}
    httpx.post(f"{handle.base_url}/data_attributes", json=body, headers=AUTH).raise_for_status()


def test_edit_changes_standard_and_custom_values(emulator: EmulatorHandle) -> None:
    """`PATCH /_emulator/companies/{company_id}` changes the values the API then returns."""
    _attribute(emulator, "tier", "string")
    emulator.emulator.seed_company(company_id="c1", name="Acme", custom_attributes={"tier": "a"})
    body = {"name": "Acme Corp", "custom_attributes": {"tier": "b"}}
    response = httpx.patch(f"{emulator.base_url}/_emulator/companies/c1", json=body)
    assert response.status_code == 200
    found = httpx.get(f"{emulator.base_url}/companies?company_id=c1", headers=AUTH).json()
    assert (found["name"], found["custom_attributes"]) == ("Acme Corp", {"tier": "b"})


def test_edit_with_null_removes_a_value(emulator: EmulatorHandle) -> None:
    """A null in an out-of-band edit removes the value, as clearing a field in the UI does."""
    emulator.emulator.seed_company(company_id="c1", name="Acme", website="https://a.test")
    httpx.patch(f"{emulator.base_url}/_emulator/companies/c1", json={"website": None})
    company = emulator.emulator.company_by_company_id("c1")
    assert company is not None
    assert "website" not in company
    assert company["name"] == "Acme"


def test_edit_is_neither_logged_nor_rate_limited(emulator: EmulatorHandle) -> None:
    """An out-of-band edit is not an API call: the request log and the budget ignore it."""
    emulator.emulator.configure(rate_limit=1)
    emulator.emulator.seed_company(company_id="c1")
    for name in ("a", "b", "c"):
        response = httpx.patch(f"{emulator.base_url}/_emulator/companies/c1", json={"name": name})
        assert response.status_code == 200
    assert emulator.emulator.requests() == []
    assert httpx.get(f"{emulator.base_url}/me", headers=AUTH).status_code == 200


def test_edit_refuses_what_intercom_would(emulator: EmulatorHandle) -> None:
    """An edit with a value of the wrong type or an unknown field is a 400 and changes nothing."""
    emulator.emulator.seed_company(company_id="c1", size=10)
    bad = httpx.patch(f"{emulator.base_url}/_emulator/companies/c1", json={"size": "ten"})
    unknown = httpx.patch(f"{emulator.base_url}/_emulator/companies/c1", json={"colour": "red"})
    assert (bad.status_code, unknown.status_code) == (400, 400)
    company = emulator.emulator.company_by_company_id("c1")
    assert company is not None
    assert company["size"] == 10


def test_delete_removes_the_company_from_the_api(emulator: EmulatorHandle) -> None:
    """`DELETE /_emulator/companies/{company_id}` makes it a 404 by id and company_id."""
    company = emulator.emulator.seed_company(company_id="c1")
    response = httpx.delete(f"{emulator.base_url}/_emulator/companies/c1")
    assert response.json() == {"company_id": "c1", "deleted": True}
    by_id = httpx.get(f"{emulator.base_url}/companies/{company['id']}", headers=AUTH)
    by_company_id = httpx.get(f"{emulator.base_url}/companies?company_id=c1", headers=AUTH)
    assert (by_id.status_code, by_company_id.status_code) == (404, 404)


def test_unknown_company_is_404(emulator: EmulatorHandle) -> None:
    """Editing or deleting a company_id the workspace does not hold is a 404."""
    edit = httpx.patch(f"{emulator.base_url}/_emulator/companies/nope", json={"name": "x"})
    delete = httpx.delete(f"{emulator.base_url}/_emulator/companies/nope")
    assert (edit.status_code, delete.status_code) == (404, 404)
    assert edit.json()["errors"][0]["code"] == "company_not_found"


def test_in_process_helpers_match_the_routes(emulator: EmulatorHandle) -> None:
    """`Emulator.edit_company` and `delete_company` do what the admin routes do."""
    emu = emulator.emulator
    emu.seed_company(company_id="c1", name="Acme")
    emu.seed_company(company_id="c2")
    assert emu.edit_company("c1", name="Other")["name"] == "Other"
    emu.delete_company("c2")
    assert [c["company_id"] for c in emu.companies()] == ["c1"]


def test_create_makes_a_company_with_values_the_api_then_returns(emulator: EmulatorHandle) -> None:
    """`POST /_emulator/companies` creates a company with standard and custom values."""
    _attribute(emulator, "tier", "string")
    body = {
        "company_id": "c1",
        "name": "Acme",
        "industry": "Retail",
        "size": 40,
        "website": "https://acme.test",
        "custom_attributes": {"tier": "gold"},
    }
    response = httpx.post(f"{emulator.base_url}/_emulator/companies", json=body)
    assert response.status_code == 200
    found = httpx.get(f"{emulator.base_url}/companies?company_id=c1", headers=AUTH).json()
    assert found["id"] == response.json()["id"]
    held = {key: found[key] for key in ("name", "industry", "size", "website")}
    assert held == {
        "name": "Acme",
        "industry": "Retail",
        "size": 40,
        "website": "https://acme.test",
    }
    assert found["custom_attributes"] == {"tier": "gold"}


def test_create_is_neither_logged_nor_rate_limited(emulator: EmulatorHandle) -> None:
    """Creating out of band is a person's work in the UI: no API call is logged or counted."""
    emulator.emulator.configure(rate_limit=1)
    for i in range(3):
        body = {"company_id": f"c{i}", "name": f"n{i}"}
        assert httpx.post(f"{emulator.base_url}/_emulator/companies", json=body).status_code == 200
    assert emulator.emulator.requests() == []
    assert [c["company_id"] for c in emulator.emulator.companies()] == ["c0", "c1", "c2"]


def test_create_refuses_a_taken_company_id_and_bad_values(emulator: EmulatorHandle) -> None:
    """An existing company_id is a 409; a missing one, a bad value or an unknown key a 400."""
    emulator.emulator.create_company(company_id="c1", name="Acme")
    url = f"{emulator.base_url}/_emulator/companies"
    taken = httpx.post(url, json={"company_id": "c1", "name": "Other"})
    assert (taken.status_code, taken.json()["errors"][0]["code"]) == (409, "conflict")
    refused = [
        httpx.post(url, json=body).status_code
        for body in (
            {"name": "no id"},
            {"company_id": "c2", "size": "ten"},
            {"company_id": "c3", "colour": "red"},
            [1],
        )
    ]
    assert refused == [400, 400, 400, 400]
    company = emulator.emulator.company_by_company_id("c1")
    assert company is not None
    assert company["name"] == "Acme"
    assert len(emulator.emulator.companies()) == 1
