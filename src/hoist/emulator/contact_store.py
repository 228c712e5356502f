"""Contacts, and which companies each one is attached to; the source of every `user_count`.

A company's `user_count` is the number of contacts attached to it (the detach example in the
spec shows it going down by one, NOTES §1.8). Intercom leaves companies without contacts out of
its listings: "the API does not include companies who have no associated users in list
responses" (spec L6739, NOTES §1.6, §1.10), and the listing's `total_count` and pages count only
the companies it shows. Deleting a company detaches its contacts (NOTES §1.5). The workspace
asks `ContactStore` those two things only, through `user_count` and `detach_all`.

Tests that only need a company to *look* attached can still set a bare count per company
(`set`): such contacts exist only as a number, added to the real attachments.
"""

from __future__ import annotations

from typing import Any

from hoist.emulator.error_envelope import ApiError, bad_parameter, invalid

__all__ = ["MAX_COMPANIES_PER_CONTACT", "ContactStore", "missing_contact"]

#: "Contact has reached the maximum of 1000 company associations" (spec L6980, NOTES §1.8).
MAX_COMPANIES_PER_CONTACT = 1000
#: `create_contact_request`'s properties (api.intercom.io.yaml, components.schemas).
_CREATE_KEYS = frozenset(
    {"role", "external_id", "email", "email_verified", "phone", "name", "avatar"}
    | {"signed_up_at", "last_seen_at", "owner_id", "unsubscribed_from_emails", "custom_attributes"}
)
_ID_PREFIX = 0x6762F0DD  # like Intercom's 24-hex ObjectIds, sequential
#: The contact object shows at most this many attached companies (`contact_companies`).
_SHOWN_COMPANIES = 10


def missing_contact() -> ApiError:
    """The documented 404 for an unknown contact (spec L7190: "User Not Found")."""
    return ApiError(404, "not_found", "User Not Found")


class ContactStore:
    """Every contact of the workspace and the contact <-> company links, by Intercom ids."""

    def __init__(self) -> None:
        self.contacts: dict[str, dict[str, Any]] = {}  # contact id -> record
        self._by_company: dict[str, list[str]] = {}  # company id -> contact ids, attach order
        self._bare: dict[str, int] = {}  # company id -> contacts that exist only as a count
        self._serial = 0

    # -- what the workspace asks (the company side) -------------------------------------------

    def user_count(self, intercom_id: str) -> int:
        """How many contacts are attached to the company with Intercom id `intercom_id`."""
        return len(self._by_company.get(intercom_id, ())) + self._bare.get(intercom_id, 0)

    def detach_all(self, intercom_id: str) -> None:
        """Detach every contact from the company (it is being archived, NOTES §1.5)."""
        for contact_id in self._by_company.pop(intercom_id, []):
            self.contacts[contact_id]["company_ids"].remove(intercom_id)
        self._bare.pop(intercom_id, None)

    def set(self, intercom_id: str, n: int) -> None:
        """Pretend `n` contacts (beyond the real ones) are attached to the company."""
        if n < 0:
            raise ValueError("a company cannot have fewer than 0 contacts")
        self._bare[intercom_id] = n

    # -- contacts -------------------------------------------------------------------------

    def create(self, body: Any, now: int) -> dict[str, Any]:
        """`POST /contacts`: a new contact (no upsert: a taken identity is a 409)."""
        if not isinstance(body, dict):
            body = {}
        for key in body:
            if key not in _CREATE_KEYS:
                raise bad_parameter(key)
        role = body.get("role", "user")
        if role not in ("user", "lead"):
            raise invalid("role must be user or lead", "role")
        for key in ("email", "external_id"):
            if body.get(key) is not None and not isinstance(body[key], str):
                raise invalid(f"{key} must be a string", key)
        if not body.get("email") and not body.get("external_id") and role != "lead":
            # Undocumented message; a user needs an identity to be found again.
            raise ApiError(400, "parameter_not_found", "email or external_id is required")
        self._check_unique(body, role)
        return self._store(body, role, now)

    def _check_unique(self, body: dict[str, Any], role: str) -> None:
        # Undocumented for this operation; the stricter reading refuses a second user with the
        # same external_id or email (leads may share an email) with 409, the status NOTES §3
        # lists for clashing contacts.
        for other in self.contacts.values():
            same_external = body.get("external_id") and other["external_id"] == body["external_id"]
            same_email = (
                role == "user"
                and other["role"] == "user"
                and body.get("email")
                and (other["email"] or "").lower() == body["email"].lower()
            )
            if same_external or same_email:
                message = f"A contact matching those details already exists with id={other['id']}"
                raise ApiError(409, "conflict", message)

    def _store(self, body: dict[str, Any], role: str, now: int) -> dict[str, Any]:
        self._serial += 1
        contact_id = f"{_ID_PREFIX:08x}{self._serial:016x}"
        email = body.get("email")
        record: dict[str, Any] = {
            "id": contact_id,
            "role": role,
            "external_id": body.get("external_id"),
            "email": email,
            "email_domain": email.rsplit("@", 1)[-1] if email and "@" in email else None,
            "phone": body.get("phone"),
            "name": body.get("name"),
            "owner_id": body.get("owner_id"),
            "created_at": now,
            "updated_at": now,
            "signed_up_at": body.get("signed_up_at"),
            "last_seen_at": body.get("last_seen_at"),
            "custom_attributes": dict(body.get("custom_attributes") or {}),
            "company_ids": [],
        }
        self.contacts[contact_id] = record
        return record

    def get(self, contact_id: str) -> dict[str, Any]:
        """A contact by Intercom id, or the documented 404."""
        contact = self.contacts.get(contact_id)
        if contact is None:
            raise missing_contact()
        return contact

    # -- links ----------------------------------------------------------------------------

    def attach(self, contact_id: str, company_id: str) -> None:
        """Attach a contact to a company (both exist); attaching twice changes nothing."""
        contact = self.get(contact_id)
        if company_id in contact["company_ids"]:
            return  # undocumented; the idempotent reading: still attached once
        if len(contact["company_ids"]) >= MAX_COMPANIES_PER_CONTACT:
            raise ApiError(
                400,
                "contact_company_limit_exceeded",
                f"Contact has reached the maximum of {MAX_COMPANIES_PER_CONTACT} company "
                "associations",
            )
        contact["company_ids"].append(company_id)
        self._by_company.setdefault(company_id, []).append(contact_id)

    def detach(self, contact_id: str, company_id: str) -> None:
        """Detach a contact from a company; 404 `company_not_found` when it is not attached.

        Detaching a company the contact is not attached to is undocumented; the stricter
        reading is the documented 404 for the company, which a client must treat as "not
        attached" anyway.
        """
        contact = self.get(contact_id)
        if company_id not in contact["company_ids"]:
            raise ApiError(404, "company_not_found", "Company Not Found")
        contact["company_ids"].remove(company_id)
        self._by_company[company_id].remove(contact_id)

    def render(self, contact: dict[str, Any], app_id: str) -> dict[str, Any]:
        """The contact object as the API returns it (spec schema `contact`)."""
        out = {k: v for k, v in contact.items() if k != "company_ids"}
        ids = contact["company_ids"]
        url = f"/contacts/{contact['id']}"
        out.update(
            type="contact",
            workspace_id=app_id,
            has_hard_bounced=False,
            marked_email_as_spam=False,
            unsubscribed_from_emails=False,
            companies={
                "type": "list",
                "data": [
                    {"type": "company", "id": cid, "url": f"/companies/{cid}"}
                    for cid in ids[:_SHOWN_COMPANIES]
                ],
                "url": f"{url}/companies",
                "total_count": len(ids),
                "has_more": len(ids) > _SHOWN_COMPANIES,
            },
        )
        return out
