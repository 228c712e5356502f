"""Contacts in the emulator: create, search (query shapes, limits, pages), attach and detach."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hoist.emulator import Emulator

Pair = tuple[httpx.Client, Emulator]


def emails(body: dict[str, Any]) -> list[str]:
    """The emails of a search result page, sorted."""
    return sorted(c["email"] for c in body["data"])


def search(client: httpx.Client, query: Any, **extra: Any) -> httpx.Response:
    """`POST /contacts/search` with `query` and extra top-level keys."""
    return client.post("/contacts/search", json={"query": query, **extra})


def test_create_returns_a_contact_with_no_companies(client: httpx.Client) -> None:
    """`POST /contacts` creates a user whose companies list is empty."""
    body = client.post("/contacts", json={"email": "a@x.io", "external_id": "u1"}).json()
    assert (body["type"], body["role"], body["email"], body["external_id"]) == (
        "contact",
        "user",
        "a@x.io",
        "u1",
    )
    assert body["email_domain"] == "x.io"
    assert body["companies"]["total_count"] == 0


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({}, 400, "parameter_not_found"),
        ({"email": "a@x.io", "colour": "red"}, 400, "bad_request"),
        ({"email": "a@x.io", "role": "admin"}, 400, "parameter_invalid"),
        ({"email": 3}, 400, "parameter_invalid"),
    ],
)
def test_create_refuses_bad_bodies(
    client: httpx.Client, payload: dict[str, Any], status: int, code: str
) -> None:
    """A body without identity, with an unknown key, a bad role or a non-string email is a 400."""
    response = client.post("/contacts", json=payload)
    assert response.status_code == status
    assert response.json()["errors"][0]["code"] == code


def test_a_second_user_with_a_taken_identity_is_a_conflict(client: httpx.Client) -> None:
    """A second user with the same email (any case) or external_id is refused with 409."""
    client.post("/contacts", json={"email": "a@x.io", "external_id": "u1"})
    for body in ({"email": "A@X.io"}, {"external_id": "u1", "email": "b@x.io"}):
        assert client.post("/contacts", json=body).status_code == 409
    lead = client.post("/contacts", json={"email": "a@x.io", "role": "lead"})
    assert lead.status_code == 200


def test_search_by_email_in_is_case_insensitive(pair: Pair) -> None:
    """`email IN [...]` finds the listed contacts whatever the case, and no others."""
    client, emu = pair
    for i in range(5):
        emu.seed_contact(email=f"p{i}@x.io", external_id=f"u{i}")
    body = search(client, {"field": "email", "operator": "IN", "value": ["P1@x.io", "p3@x.io"]})
    assert body.status_code == 200
    assert emails(body.json()) == ["p1@x.io", "p3@x.io"]
    assert body.json()["total_count"] == 2


def test_search_single_and_grouped_filters(pair: Pair) -> None:
    """`=`, `!=`, `^`, `$`, `~`, NIN and AND/OR groups select the right contacts."""
    client, emu = pair
    for i in range(4):
        emu.seed_contact(email=f"p{i}@x.io", external_id=f"u{i}")
    cases: list[tuple[Any, list[str]]] = [
        ({"field": "external_id", "operator": "=", "value": "u2"}, ["p2@x.io"]),
        (
            {"field": "external_id", "operator": "!=", "value": "u2"},
            ["p0@x.io", "p1@x.io", "p3@x.io"],
        ),
        ({"field": "email", "operator": "^", "value": "p1"}, ["p1@x.io"]),
        ({"field": "email", "operator": "$", "value": "3@x.io"}, ["p3@x.io"]),
        ({"field": "email", "operator": "~", "value": "0@"}, ["p0@x.io"]),
        (
            {"field": "external_id", "operator": "NIN", "value": ["u0", "u1"]},
            ["p2@x.io", "p3@x.io"],
        ),
        (
            {
                "operator": "OR",
                "value": [
                    {"field": "external_id", "operator": "=", "value": "u0"},
                    {
                        "operator": "AND",
                        "value": [
                            {"field": "email", "operator": "~", "value": "p"},
                            {"field": "external_id", "operator": "=", "value": "u3"},
                        ],
                    },
                ],
            },
            ["p0@x.io", "p3@x.io"],
        ),
    ]
    for query, expected in cases:
        assert emails(search(client, query).json()) == expected, query


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "parameter_not_found"),
        ({"query": "email = a"}, "parameter_invalid"),
        ({"query": {"operator": "AND", "value": []}}, "parameter_invalid"),
        (
            {"query": {"field": "id", "operator": "=", "value": "1"}, "pagination": 5},
            "parameter_invalid",
        ),
        ({"query": {"field": "email", "operator": "IN", "value": "a@x.io"}}, "parameter_invalid"),
        (
            {"query": {"field": "email", "operator": "IN", "value": [f"{i}@x" for i in range(16)]}},
            "parameter_invalid",
        ),
        (
            {
                "query": {
                    "operator": "OR",
                    "value": [{"field": "email", "operator": "=", "value": "a"}] * 16,
                }
            },
            "parameter_invalid",
        ),
        (
            {
                "query": {
                    "operator": "OR",
                    "value": [
                        {
                            "operator": "AND",
                            "value": [
                                {
                                    "operator": "OR",
                                    "value": [{"field": "id", "operator": "=", "value": "1"}],
                                }
                            ],
                        }
                    ],
                }
            },
            "parameter_invalid",
        ),
        ({"query": {"field": "shoe_size", "operator": "=", "value": "9"}}, "parameter_invalid"),
        ({"query": {"field": "email", "operator": ">", "value": "a"}}, "parameter_invalid"),
        ({"query": {"field": "email", "operator": "=", "value": 3}}, "parameter_invalid"),
        (
            {
                "query": {"field": "email", "operator": "=", "value": "a"},
                "pagination": {"per_page": 151},
            },
            "parameter_invalid",
        ),
        (
            {
                "query": {"field": "email", "operator": "=", "value": "a"},
                "pagination": {"per_page": 0},
            },
            "parameter_invalid",
        ),
        (
            {
                "query": {"field": "email", "operator": "=", "value": "a"},
                "pagination": {"starting_after": "zz"},
            },
            "parameter_invalid",
        ),
        (
            {"query": {"field": "email", "operator": "=", "value": "a"}, "sort": {"order": "desc"}},
            "invalid_sort_order",
        ),
    ],
)
def test_search_refuses_what_the_spec_does_not_allow(
    client: httpx.Client, body: dict[str, Any], code: str
) -> None:
    """No query, IN without an array, more than 15 values or filters, 3 levels, unknown fields or
    operators, a bad per_page, cursor or sort order are 400s."""
    response = client.post("/contacts/search", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == code


def test_search_pages_with_starting_after(pair: Pair) -> None:
    """Results come `per_page` at a time; following `pages.next.starting_after` visits each once."""
    client, emu = pair
    for i in range(7):
        emu.seed_contact(email=f"p{i}@x.io")
    query = {"field": "email", "operator": "~", "value": "@x.io"}
    seen: list[str] = []
    pagination: dict[str, Any] = {"per_page": 3}
    while True:
        body = search(
            client, query, pagination=pagination, sort={"field": "email", "order": "ascending"}
        ).json()
        seen += [c["email"] for c in body["data"]]
        assert body["total_count"] == 7
        nxt = body["pages"].get("next")
        if nxt is None:
            break
        pagination = {"per_page": 3, "starting_after": nxt["starting_after"]}
    assert seen == [f"p{i}@x.io" for i in range(7)]


def test_attach_and_detach_keep_user_count(pair: Pair) -> None:
    """Attaching raises the company's user_count and lists it; detaching lowers it again."""
    client, emu = pair
    company = emu.seed_company(company_id="c1")
    a = emu.seed_contact(email="a@x.io")["id"]
    b = emu.seed_contact(email="b@x.io")["id"]
    assert client.post("/companies/list").json()["total_count"] == 0
    first = client.post(f"/contacts/{a}/companies", json={"id": company["id"]}).json()
    again = client.post(f"/contacts/{a}/companies", json={"id": company["id"]}).json()
    second = client.post(f"/contacts/{b}/companies", json={"id": company["id"]}).json()
    assert (first["user_count"], again["user_count"], second["user_count"]) == (1, 1, 2)
    assert client.post("/companies/list").json()["total_count"] == 1
    contact = search(client, {"field": "id", "operator": "=", "value": a}).json()["data"][0]
    assert [c["id"] for c in contact["companies"]["data"]] == [company["id"]]
    detached = client.delete(f"/contacts/{a}/companies/{company['id']}").json()
    assert detached["user_count"] == 1
    assert emu.company_by_company_id("c1")["user_count"] == 1  # type: ignore[index]


def test_attach_and_detach_errors(pair: Pair) -> None:
    """Unknown contact: 404 not_found; unknown company: 404 company_not_found; no id: 400."""
    client, emu = pair
    company = emu.seed_company(company_id="c1")["id"]
    contact = emu.seed_contact(email="a@x.io")["id"]
    cases = [
        (client.post(f"/contacts/{contact}/companies", json={}), 400, "parameter_not_found"),
        (
            client.post(f"/contacts/{contact}/companies", json={"id": "nope"}),
            404,
            "company_not_found",
        ),
        (client.post("/contacts/nope/companies", json={"id": company}), 404, "not_found"),
        (client.delete(f"/contacts/{contact}/companies/{company}"), 404, "company_not_found"),
        (client.delete(f"/contacts/nope/companies/{company}"), 404, "not_found"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code)


def test_archiving_a_company_detaches_its_contacts(pair: Pair) -> None:
    """`DELETE /companies/{id}` detaches every contact (NOTES §1.5)."""
    client, emu = pair
    company = emu.seed_company(company_id="c1")["id"]
    contact = emu.seed_contact(email="a@x.io")["id"]
    client.post(f"/contacts/{contact}/companies", json={"id": company})
    client.delete(f"/companies/{company}")
    assert emu.contacts()[0]["companies"]["total_count"] == 0


def test_a_contact_holds_at_most_1000_companies(pair: Pair) -> None:
    """The 1001st attachment is a 400 contact_company_limit_exceeded (spec L6980)."""
    client, emu = pair
    contact = emu.seed_contact(email="a@x.io")["id"]
    store = emu.workspace.contacts
    for i in range(1000):
        store.attach(contact, emu.seed_company(company_id=f"c{i}")["id"])
    extra = emu.seed_company(company_id="extra")["id"]
    response = client.post(f"/contacts/{contact}/companies", json={"id": extra})
    assert response.json()["errors"][0]["code"] == "contact_company_limit_exceeded"
    shown = emu.contacts()[0]["companies"]
    assert (len(shown["data"]), shown["has_more"]) == (10, True)


def test_bare_counts_add_to_attached_contacts(pair: Pair) -> None:
    """A count set by a test adds to the real attachments and goes when the company is archived."""
    client, emu = pair
    company = emu.seed_company(company_id="c1", user_count=2)["id"]
    contact = emu.seed_contact(email="a@x.io")["id"]
    body = client.post(f"/contacts/{contact}/companies", json={"id": company}).json()
    assert body["user_count"] == 3
    with pytest.raises(ValueError, match="fewer than 0"):
        emu.set_user_count(company, -1)
