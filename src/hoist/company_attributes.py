"""Intercom's standard company attributes that hoist may write, and their value kinds.

`kind` says how a column is normalised before it is sent: ``string`` as text, ``integer`` as a
whole number (Intercom truncates floats), ``timestamp`` as Unix seconds.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CUSTOM_PREFIX",
    "PUT_ATTRIBUTES",
    "STANDARD_ATTRIBUTES",
    "custom_name",
    "is_custom",
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

#: Standard attributes `PUT /companies/{id}` accepts (`update_company_request` has no
#: `remote_created_at`), which is all an update-only run can write.
PUT_ATTRIBUTES: Final[frozenset[str]] = frozenset(STANDARD_ATTRIBUTES) - {"remote_created_at"}

#: Mapping keys of the form ``custom_attributes.<name>`` address a custom attribute.
CUSTOM_PREFIX: Final[str] = "custom_attributes."


def is_custom(attribute: str) -> bool:
    """Whether a mapping key addresses a custom attribute (``custom_attributes.<name>``)."""
    return attribute.startswith(CUSTOM_PREFIX)


def custom_name(attribute: str) -> str:
    """The attribute's name in Intercom: without the ``custom_attributes.`` prefix."""
    return attribute.removeprefix(CUSTOM_PREFIX)
