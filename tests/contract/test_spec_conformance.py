"""Every response in these scenarios validates against Intercom's official 2.16 description.

Where the spec contradicts itself or Intercom's observed behaviour (NOTES.md), the body is
validated against the schema that applies instead of being skipped:
- `GET /companies?company_id=` returns a `company` (NOTES §1.2), the spec says `company_list`;
- `custom_attributes` values are typed per data attribute, the spec says strings only;
- 429, 5xx and some 400/404/422 answers are undocumented for an operation: their bodies are
  validated against the `error` schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from hoist.emulator.testing import EmulatorHandle, running_emulator

pytestmark = pytest.mark.contract
TYPED_CUSTOM = {"custom_attributes": {"type": "object"}}


@pytest.fixture(scope="module")
def served() -> Iterator[EmulatorHandle]:
    """One emulator for the module's scenarios."""
    with running_emulator(rate_limit=None) as handle:
        yield handle


@pytest.fixture
def api(served: EmulatorHandle) -> Iterator[httpx.Client]:
    """An authenticated client pinned to 2.16, over a freshly reset emulator."""
    served.emulator.reset()
    headers = {"Authorization": "Bearer t", "Intercom-Version": "2.16"}
    with httpx.Client(base_url=served.base_url, headers=headers) as client:
        yield client


def company(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    """Upsert a company and return it."""
    body: dict[str, Any] = api.post("/companies", json={"company_id": "c1", **fields}).json()
    return body


def test_me(api: httpx.Client, spec: Any) -> None:
    """`GET /me` matches `admin_with_app`."""
    spec.response(api.get("/me"))


def test_upsert_success_and_errors(api: httpx.Client, spec: Any) -> None:
    """`POST /companies` 200, 400 and 401 match the documented responses."""
    ok = api.post("/companies", json={"company_id": "c1", "name": "A", "plan": "Pro", "size": 3})
    assert ok.status_code == 200
    spec.response(ok)
    bad = api.post("/companies", json={"company_id": "c1", "test": "x"})
    assert bad.status_code == 400
    spec.response(bad)
    unauthorized = httpx.post(f"{api.base_url}/companies", json={"company_id": "c1"})
    assert unauthorized.status_code == 401
    spec.response(unauthorized)


def test_typed_custom_attributes_fit_company_schema(api: httpx.Client, spec: Any) -> None:
    """A company with typed custom values matches `company` once custom_attributes is untyped."""
    api.post("/data_attributes", json={"name": "paid", "model": "company", "data_type": "boolean"})
    body = company(api, custom_attributes={"paid": True})
    spec.schema("company", body, **TYPED_CUSTOM)


def test_retrieve_by_company_id(api: httpx.Client, spec: Any) -> None:
    """The single company matches `company`; the 404 matches the documented error."""
    company(api, name="A")
    found = api.get("/companies", params={"company_id": "c1"})
    spec.schema("company", found.json())
    missing = api.get("/companies", params={"company_id": "nope"})
    assert missing.status_code == 404
    spec.response(missing)


def test_by_id_operations(api: httpx.Client, spec: Any) -> None:
    """GET, PUT and DELETE `/companies/{id}` and their 404s match the spec."""
    intercom_id = company(api, name="A")["id"]
    pattern = "/companies/{company_id}"
    for response in (
        api.get(f"/companies/{intercom_id}"),
        api.put(f"/companies/{intercom_id}", json={"name": "B", "monthly_spend": 3}),
        api.get("/companies/c1"),
        api.put("/companies/c1", json={"name": "B"}),
        api.delete(f"/companies/{intercom_id}"),
        api.delete(f"/companies/{intercom_id}"),
    ):
        spec.response(response, pattern)


def test_list_and_scroll(api: httpx.Client, served: EmulatorHandle, spec: Any) -> None:
    """`POST /companies/list` and `GET /companies/scroll` match their list schemas."""
    served.emulator.set_user_count(company(api, name="A")["id"], 2)
    spec.response(api.post("/companies/list", params={"per_page": 5}))
    first = api.get("/companies/scroll")
    spec.response(first)
    spec.response(
        api.get("/companies/scroll", params={"scroll_param": first.json()["scroll_param"]})
    )
    too_big = api.post("/companies/list", params={"per_page": 61})
    spec.schema("error", too_big.json())


def test_data_attributes(api: httpx.Client, spec: Any) -> None:
    """List, create, update and their errors match the data attribute operations."""
    spec.response(api.get("/data_attributes", params={"model": "company"}))
    created = api.post(
        "/data_attributes", json={"name": "tier", "model": "company", "data_type": "string"}
    )
    spec.response(created)
    duplicate = api.post(
        "/data_attributes", json={"name": "tier", "model": "company", "data_type": "string"}
    )
    assert duplicate.status_code == 400
    spec.response(duplicate)
    pattern = "/data_attributes/{data_attribute_id}"
    attr_id = created.json()["id"]
    spec.response(api.put(f"/data_attributes/{attr_id}", json={"archived": True}), pattern)
    missing = api.put("/data_attributes/999", json={"archived": True})
    assert missing.status_code == 404
    spec.response(missing, pattern)
    conversation = api.get("/data_attributes", params={"model": "conversation"})
    spec.schema("error", conversation.json())


def test_rate_limit_error_matches_error_schema(emulator_factory: Any, spec: Any) -> None:
    """The undocumented 429 body is an `error` list."""
    handle = emulator_factory(rate_limit=0)
    response = httpx.get(f"{handle.base_url}/me", headers={"Authorization": "Bearer t"})
    assert response.status_code == 429
    spec.schema("error", response.json())


def test_validation_catches_a_wrong_type(api: httpx.Client, spec: Any) -> None:
    """The checks have teeth: a company with a string `size` fails the `company` schema."""
    body = company(api, name="A")
    with pytest.raises(Exception, match=r"size|not of type"):
        spec.schema("company", {**body, "size": "100"})


def test_unknown_api_version_error_matches_error_schema(api: httpx.Client, spec: Any) -> None:
    """The 400 for an unknown `Intercom-Version` is an `error` list with the spec's code."""
    response = api.get("/me", headers={"Intercom-Version": "2.99"})
    assert response.status_code == 400
    spec.schema("error", response.json())
    assert response.json()["errors"][0]["code"] == "intercom_version_invalid"


def test_listing_without_contactless_companies(
    api: httpx.Client, served: EmulatorHandle, spec: Any
) -> None:
    """`GET /companies` leaving out contactless companies is still a valid `company_list`."""
    served.emulator.set_user_count(company(api, name="A")["id"], 1)
    api.post("/companies", json={"company_id": "c2"})
    listing = api.get("/companies", params={"per_page": 5})
    assert listing.json()["total_count"] == 1
    spec.response(listing)


def test_contact_attributes_and_refused_names(api: httpx.Client, spec: Any) -> None:
    """Contact built-ins and the 400 for a standard contact name match the documented bodies."""
    spec.response(api.get("/data_attributes", params={"model": "contact"}))
    reserved = api.post(
        "/data_attributes", json={"name": "Email", "model": "company", "data_type": "string"}
    )
    assert reserved.status_code == 400
    spec.response(reserved)


def test_contacts_create_and_search(api: httpx.Client, spec: Any) -> None:
    """`POST /contacts` and `POST /contacts/search` (one filter, IN, a group, pages) match."""
    created = api.post("/contacts", json={"email": "a@x.io", "external_id": "u1"})
    spec.response(created)
    api.post("/contacts", json={"email": "b@x.io"})
    spec.response(
        api.post(
            "/contacts/search",
            json={
                "query": {"field": "email", "operator": "IN", "value": ["a@x.io", "b@x.io"]},
                "pagination": {"per_page": 1},
            },
        )
    )
    group = {
        "operator": "OR",
        "value": [
            {"field": "external_id", "operator": "=", "value": "u1"},
            {"field": "email", "operator": "=", "value": "b@x.io"},
        ],
    }
    spec.response(api.post("/contacts/search", json={"query": group}))
    bad_sort = api.post("/contacts/search", json={"query": group, "sort": {"order": "desc"}})
    assert bad_sort.status_code == 400
    spec.response(bad_sort)


def test_contact_attach_and_detach(api: httpx.Client, spec: Any) -> None:
    """Attach and detach, with their 400 and 404s, match the documented responses."""
    intercom_id = company(api, name="A")["id"]
    contact = api.post("/contacts", json={"email": "a@x.io"}).json()["id"]
    attach = "/contacts/{contact_id}/companies"
    detach = "/contacts/{contact_id}/companies/{company_id}"
    attached = api.post(f"/contacts/{contact}/companies", json={"id": intercom_id})
    assert attached.json()["user_count"] == 1
    spec.response(attached, attach)
    spec.response(api.post(f"/contacts/{contact}/companies", json={}), attach)
    spec.response(api.post(f"/contacts/{contact}/companies", json={"id": "nope"}), attach)
    detached = api.delete(f"/contacts/{contact}/companies/{intercom_id}")
    assert detached.json()["user_count"] == 0
    spec.response(detached, detach)
    spec.response(api.delete(f"/contacts/nope/companies/{intercom_id}"), detach)
    spec.response(api.delete(f"/contacts/{contact}/companies/{intercom_id}"), detach)
