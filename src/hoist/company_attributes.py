"""Intercom's standard company attributes that hoist may write, their value kinds, and the keys
each company write route accepts.

`kind` says how a column is normalised before it is sent: ``string`` as text, ``integer`` as a
whole number (Intercom truncates floats), ``timestamp`` as Unix seconds.

The two write routes take different bodies (NOTES §1.1, §1.4): `POST /companies` takes
`create_or_update_company_request`, `PUT /companies/{id}` takes `update_company_request`, which
has no `company_id`, `remote_created_at` or `update_last_request_at`. Intercom refuses any other
top-level key (400 ``bad 'remote_created_at' parameter``), so every body is cut to its route's
keys here (a test holds these sets equal to the spec's schemas).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

__all__ = [
    "CUSTOM_PREFIX",
    "PUT_ATTRIBUTES",
    "STANDARD_ATTRIBUTES",
    "UPDATE_KEYS",
    "UPSERT_KEYS",
    "custom_name",
    "for_update",
    "is_custom",
    "not_clearable",
    "update_takes",
]

#: Attribute name -> value kind, per `create_or_update_company_request` in the 2.16 spec.
STANDARD_ATTRIBUTES: Final[dict[str, str]] = {
    "name": "string",
    "plan": "string",
    "size": "integer",
    "website": "string",
    "industry": "string",
    "monthly_spend": "integer",
    "remote_created_at": "timestamp",
}

#: Top-level keys of `create_or_update_company_request` (`POST /companies`, 2.16).
UPSERT_KEYS: Final[frozenset[str]] = frozenset(
    {*STANDARD_ATTRIBUTES, "company_id", "custom_attributes", "update_last_request_at"}
)

#: Top-level keys of `update_company_request` (`PUT /companies/{id}`, 2.16).
UPDATE_KEYS: Final[frozenset[str]] = frozenset(
    {"name", "plan", "size", "website", "industry", "monthly_spend", "custom_attributes"}
)

#: Standard attributes `PUT /companies/{id}` accepts, which is all an update-only run can write.
PUT_ATTRIBUTES: Final[frozenset[str]] = frozenset(STANDARD_ATTRIBUTES) & UPDATE_KEYS

#: Mapping keys of the form ``custom_attributes.<name>`` address a custom attribute.
CUSTOM_PREFIX: Final[str] = "custom_attributes."


def is_custom(attribute: str) -> bool:
    """Whether a mapping key addresses a custom attribute (``custom_attributes.<name>``)."""
    return attribute.startswith(CUSTOM_PREFIX)


def custom_name(attribute: str) -> str:
    """The attribute's name in Intercom: without the ``custom_attributes.`` prefix."""
    return attribute.removeprefix(CUSTOM_PREFIX)


def update_takes(attribute: str) -> bool:
    """Whether `PUT /companies/{id}` can carry mapped `attribute` (so set or clear it)."""
    return is_custom(attribute) or attribute in PUT_ATTRIBUTES


def not_clearable(attributes: Iterable[str]) -> list[str]:
    """Those of `attributes` that `PUT /companies/{id}` cannot clear, in order."""
    return [attribute for attribute in attributes if not update_takes(attribute)]


def for_update(body: Mapping[str, Any]) -> dict[str, Any]:
    """`body` cut to the keys `PUT /companies/{id}` accepts."""
    return {key: value for key, value in body.items() if key in UPDATE_KEYS}
