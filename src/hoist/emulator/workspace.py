"""One Intercom workspace's data and the company/data-attribute operations on it.

Not thread-safe by itself: `Emulator` calls every method with its lock held.
"""

from __future__ import annotations

import math
from typing import Any

from hoist.emulator.companies import (
    CREATE_FIELDS,
    UPDATE_FIELDS,
    Changes,
    apply_changes,
    check_fields,
    missing_company,
    render,
)
from hoist.emulator.contact_search import search_page
from hoist.emulator.contact_store import ContactStore
from hoist.emulator.data_attributes import AttributeRegistry
from hoist.emulator.error_envelope import ApiError, invalid
from hoist.emulator.scroll import Scrolls

__all__ = ["APP_ID", "Workspace"]

APP_ID = "hoistemu"
_ID_PREFIX = 0x6762F076  # ids look like Intercom's 24-hex ObjectIds, but are sequential


class Workspace:
    """Companies, data attributes, plans and the scroll slot of one app."""

    def __init__(self, app_id: str = APP_ID) -> None:
        self.app_id = app_id
        self.companies: dict[str, dict[str, Any]] = {}  # Intercom id -> record
        self.archived: dict[str, dict[str, Any]] = {}  # deleted (archived) companies, by id
        self.contacts = ContactStore()
        self.by_company_id: dict[str, str] = {}
        self.creating: set[str] = set()  # company_ids whose first create is in flight
        self.attributes = AttributeRegistry()
        self.scrolls = Scrolls()
        self._plans: dict[str, str] = {}
        self._serial = 0

    def render(self, company: dict[str, Any]) -> dict[str, Any]:
        """The API view of a stored company."""
        return render(company, self.app_id, self._plan_id, self.contacts.user_count(company["id"]))

    def _plan_id(self, name: str) -> str:
        return self._plans.setdefault(name, str(269315 + len(self._plans)))

    def _lookup(self, name: str) -> dict[str, Any] | None:
        return self.attributes.custom("company", name)

    def check_create(self, body: Any) -> Changes:
        """Validate a `POST /companies` body."""
        changes = check_fields(body, CREATE_FIELDS, self._lookup)
        if "company_id" not in changes:
            raise ApiError(400, "parameter_not_found", "company_id not specified", "company_id")
        return changes

    def reserve(self, company_id: str) -> bool:
        """Mark a first create of `company_id` as in flight; False if it already exists.

        A second first-create while one is in flight gets Intercom's observed race error.
        """
        if company_id in self.by_company_id:
            return False
        if company_id in self.creating:
            raise ApiError(400, "unique_company_constraint", "Company already exists.")
        self.creating.add(company_id)
        return True

    def upsert(self, changes: Changes, now: int) -> dict[str, Any]:
        """Create or update by `company_id` and return the company object."""
        cid = changes["company_id"]
        self.creating.discard(cid)
        intercom_id = self.by_company_id.get(cid)
        company = self.companies[intercom_id] if intercom_id else self.new_company(cid, now)
        apply_changes(company, changes, now)
        return self.render(company)

    def new_company(self, company_id: str, now: int) -> dict[str, Any]:
        """Store an empty company record with a fresh Intercom id."""
        self._serial += 1
        intercom_id = f"{_ID_PREFIX:08x}{self._serial:016x}"
        company: dict[str, Any] = {
            "id": intercom_id,
            "company_id": company_id,
            "created_at": now,
            "updated_at": now,
            "custom_attributes": {},
        }
        self.companies[intercom_id] = company
        self.by_company_id[company_id] = intercom_id
        return company

    def get(self, intercom_id: str) -> dict[str, Any]:
        """A company by Intercom id, or 404 `company_not_found`."""
        company = self.companies.get(intercom_id)
        if company is None:
            raise missing_company()
        return company

    def update(self, intercom_id: str, body: Any, now: int) -> dict[str, Any]:
        """`PUT /companies/{id}`: only `update_company_request` fields."""
        company = self.get(intercom_id)
        apply_changes(company, check_fields(body, UPDATE_FIELDS, self._lookup), now)
        return self.render(company)

    def delete(self, intercom_id: str) -> dict[str, Any]:
        """Archive a company: its contacts are detached and the API no longer shows it.

        NOTES §1.5: DELETE "archives the company record and detaches any contacts attached to
        it", and integrations "will recreate any company deleted through this endpoint on their
        next sync". So later reads by its id or company_id answer 404, and a `POST /companies`
        with the same company_id creates a new company with a new id. Whether Intercom would
        instead revive the archived record is not documented; a new record is the reading that
        lets no one mistake the archived company for a live one.
        """
        company = self.get(intercom_id)
        self.contacts.detach_all(intercom_id)
        del self.companies[intercom_id]
        del self.by_company_id[company["company_id"]]
        self.archived[intercom_id] = company
        return {"id": intercom_id, "object": "company", "deleted": True}

    def find(self, company_id: str | None, name: str | None) -> dict[str, Any]:
        """`GET /companies?company_id=|name=`: one company object, or 404."""
        if company_id is not None:
            intercom_id = self.by_company_id.get(company_id)
            if intercom_id is not None:
                return self.render(self.companies[intercom_id])
        else:
            for company in self.companies.values():
                if company.get("name") == name:
                    return self.render(company)
        raise missing_company()

    def listed(self) -> list[dict[str, Any]]:
        """The companies Intercom's listings show: those with at least one contact.

        Listings, their `total_count` and their pages leave out companies without contacts
        (spec L6739, NOTES §1.6, §1.10); see `hoist.emulator.contact_store`.
        """
        return [c for c in self.companies.values() if self.contacts.user_count(c["id"]) > 0]

    def active(self, order: str) -> list[dict[str, Any]]:
        """Listed companies, by `last_request_at` as `POST /companies/list` orders them."""
        rows = self.listed()
        rows.sort(key=lambda c: c.get("last_request_at", 0), reverse=order == "desc")
        return rows

    # -- contacts ---------------------------------------------------------------------------

    def create_contact(self, body: Any, now: int) -> dict[str, Any]:
        """`POST /contacts`: a new contact object."""
        return self.contacts.render(self.contacts.create(body, now), self.app_id)

    def search_contacts(self, body: Any) -> dict[str, Any]:
        """`POST /contacts/search`: one `contact_list` page."""
        data, paging = search_page(body, list(self.contacts.contacts.values()))
        rendered = [self.contacts.render(c, self.app_id) for c in data]
        return {"type": "list", "data": rendered, **paging}

    def attach_contact(self, contact_id: str, body: Any) -> dict[str, Any]:
        """`POST /contacts/{id}/companies`: attach, and return the company (spec L6915)."""
        company_id = body.get("id") if isinstance(body, dict) else None
        if not company_id:
            raise ApiError(400, "parameter_not_found", "company not specified")
        company = self.get(str(company_id))
        self.contacts.get(contact_id)
        self.contacts.attach(contact_id, company["id"])
        return self.render(company)

    def detach_contact(self, contact_id: str, company_id: str) -> dict[str, Any]:
        """`DELETE /contacts/{id}/companies/{company_id}`: detach, return the company."""
        self.contacts.get(contact_id)  # the contact's 404 first, as the spec lists it
        company = self.get(company_id)
        self.contacts.detach(contact_id, company_id)
        return self.render(company)

    def scroll(self, param: str | None, now: float) -> dict[str, Any]:
        """One page of `GET /companies/scroll`."""
        param, ids = self.scrolls.next_page(param, list(self.companies), now)
        data = [self.render(self.companies[i]) for i in ids if i in self.companies]
        return {
            "type": "list",
            "data": data,
            "pages": None,
            "total_count": None,
            "scroll_param": param,
        }

    def page(self, rows: list[dict[str, Any]], page: int, per_page: int) -> dict[str, Any]:
        """A `company_list` page of `rows` (page numbers start at 1)."""
        start = (page - 1) * per_page
        total_pages = max(1, math.ceil(len(rows) / per_page))
        return {
            "type": "list",
            "data": [self.render(c) for c in rows[start : start + per_page]],
            "pages": {
                "type": "pages",
                "page": page,
                "per_page": per_page,
                "total_pages": total_pages,
            },
            "total_count": len(rows),
        }


def page_params(query: dict[str, str], max_per_page: int | None) -> tuple[int, int]:
    """Parse `page` and `per_page` (default 15); both must be positive integers."""
    values = []
    for key, default in (("page", 1), ("per_page", 15)):
        raw = query.get(key)
        if raw is None:
            values.append(default)
        elif not raw.isdigit() or int(raw) < 1:
            raise invalid(f"{key} must be a positive integer", key)
        else:
            values.append(int(raw))
    if max_per_page is not None and values[1] > max_per_page:
        raise invalid(f"per_page must be at most {max_per_page}", "per_page")
    return values[0], values[1]
