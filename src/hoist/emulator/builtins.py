"""The standard (built-in) data attributes of companies and contacts, and the names they reserve.

A custom attribute may not take a standard attribute's name, of its own model or the other one,
compared case-insensitively: "'Name' is one of our standard attributes for your people data. To
save this as new people data, use a different name." (2.4 docs, NOTES §2.2).
"""

from __future__ import annotations

from typing import Any

__all__ = ["BUILTINS", "RESERVED"]

# NOTES §2.1: company built-ins, listed with custom:false and no id (the spec says ids are
# "only available for custom attributes"). `monthly_spend` is listed as float although the
# company object carries it as an integer; that is what Intercom shows.
_COMPANY: tuple[tuple[str, str, str, bool], ...] = (
    ("name", "Company name", "string", True),
    ("company_id", "Company ID", "string", False),
    ("last_request_at", "Company last seen", "date", False),
    ("remote_created_at", "Company created at", "date", True),
    ("user_count", "People", "integer", False),
    ("session_count", "Company web sessions", "integer", False),
    ("plan.name", "Plan", "string", False),
    ("plan.id", "Plan ID", "string", False),
    ("monthly_spend", "Monthly Spend", "float", True),
    ("size", "Company size", "integer", True),
    ("industry", "Company industry", "string", True),
    ("website", "Company website", "string", True),
    ("id", "Company Intercom ID", "string", False),
    ("created_at", "Company created at (Intercom)", "date", False),
    ("updated_at", "Company updated at", "date", False),
    ("app_id", "App ID", "string", False),
)

# The scalar properties of the spec's `contact` schema (api.intercom.io.yaml, components.schemas.
# contact); writable are those of `create_contact_request`. Timestamps are Unix seconds: "date".
_CONTACT_WRITABLE = frozenset(
    {"external_id", "role", "email", "phone", "name", "owner_id", "unsubscribed_from_emails"}
    | {"signed_up_at", "last_seen_at"}
)
_CONTACT_STRINGS = (
    "id",
    "external_id",
    "workspace_id",
    "role",
    "email",
    "email_domain",
    "phone",
    "name",
    "owner_id",
    "language_override",
    "browser",
    "browser_version",
    "browser_language",
    "os",
    "android_app_name",
    "android_app_version",
    "android_device",
    "android_os_version",
    "android_sdk_version",
    "ios_app_name",
    "ios_app_version",
    "ios_device",
    "ios_os_version",
    "ios_sdk_version",
)
_CONTACT_BOOLEANS = ("has_hard_bounced", "marked_email_as_spam", "unsubscribed_from_emails")
_CONTACT_DATES = (
    "created_at",
    "updated_at",
    "signed_up_at",
    "last_seen_at",
    "last_replied_at",
    "last_contacted_at",
    "last_email_opened_at",
    "last_email_clicked_at",
    "android_last_seen_at",
    "ios_last_seen_at",
)
#: Names taken without being listed: object-valued contact properties, and the company request
#: fields that the listing shows under another name (`plan` is listed as `plan.name`).
_UNLISTED = {
    **dict.fromkeys(
        ("avatar", "tags", "notes", "companies", "location", "social_profiles"), "contact"
    ),
    "merge_history": "contact",
    "email_verified": "contact",
    "plan": "company",
}


def _row(model: str, name: str, label: str, data_type: str, writable: bool) -> dict[str, Any]:
    return {
        "type": "data_attribute",
        "model": model,
        "name": name,
        "full_name": name,
        "label": label,
        "description": label,
        "data_type": data_type,
        "api_writable": writable,
        "ui_writable": writable,
        "messenger_writable": False,
        "custom": False,
        "archived": False,
    }


def _contact_rows() -> list[dict[str, Any]]:
    typed = [
        *((n, "string") for n in _CONTACT_STRINGS),
        *((n, "boolean") for n in _CONTACT_BOOLEANS),
        *((n, "date") for n in _CONTACT_DATES),
    ]
    return [
        _row("contact", n, n.replace("_", " ").capitalize(), t, n in _CONTACT_WRITABLE)
        for n, t in typed
    ]


#: Every built-in data attribute, company ones first, as `GET /data_attributes` lists them.
BUILTINS: tuple[dict[str, Any], ...] = (
    *(_row("company", *row) for row in _COMPANY),
    *_contact_rows(),
)

#: Lower-cased standard names -> the model they belong to ("company" or "contact").
RESERVED: dict[str, str] = {
    **_UNLISTED,
    **{b["name"].lower(): b["model"] for b in reversed(BUILTINS)},
}
