"""Compare what state says was delivered with what Intercom holds now: pure, no I/O.

State remembers each attribute as the JSON text of the value Intercom confirmed (see
`hoist.mapping.value_sql`: strings as text, whole numbers as integers, timestamps as Unix
seconds, custom attributes by their bare name). Intercom's company object spells some of those
differently, so each side is brought to one form before comparing:

- a custom attribute lives under ``custom_attributes``; a value absent there is null;
- ``plan`` comes back as ``{"type": "plan", "id", "name"}`` (``{}`` when unset): its name counts;
- ``monthly_spend`` comes back as 0 when unset (NOTES §1.9, spec example), so a delivered null
  and a read-back 0 agree (safe reading: otherwise every cleared spend would drift forever);
- numbers compare by value (``5`` equals ``5.0``), booleans only equal booleans, strings exactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hoist.company_attributes import CUSTOM_PREFIX

__all__ = ["ID_ATTRIBUTE", "Drift", "compare_company", "intercom_value", "same_value"]

#: The pseudo-attribute reported when Intercom holds the company under another Intercom id.
ID_ATTRIBUTE = "id"


@dataclass(frozen=True)
class Drift:
    """One attribute of one company whose value in Intercom is not what hoist delivered."""

    company_id: str
    attribute: str
    delivered: Any
    intercom: Any

    def to_json(self) -> dict[str, Any]:
        """The report entry: `{company_id, attribute, delivered, intercom}`."""
        return {
            "company_id": self.company_id,
            "attribute": self.attribute,
            "delivered": self.delivered,
            "intercom": self.intercom,
        }


def intercom_value(company: Mapping[str, Any], attribute: str) -> Any:
    """The value of mapped `attribute` in an Intercom company object, in hoist's form."""
    if attribute.startswith(CUSTOM_PREFIX):
        custom = company.get("custom_attributes") or {}
        return custom.get(attribute.removeprefix(CUSTOM_PREFIX))
    value = company.get(attribute)
    if attribute == "plan":
        return value.get("name") if isinstance(value, Mapping) else value
    return value


def same_value(attribute: str, delivered: Any, held: Any) -> bool:
    """Whether Intercom's `held` value is the `delivered` one, by the rules in the module doc."""
    if attribute == "monthly_spend":
        delivered, held = delivered or 0, held or 0
    if isinstance(delivered, bool) or isinstance(held, bool):
        return type(delivered) is type(held) and delivered == held
    if _number(delivered) and _number(held):
        return float(delivered) == float(held)
    return type(delivered) is type(held) and bool(delivered == held)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def compare_company(
    company_id: str,
    delivered: Mapping[str, str | None],
    company: Mapping[str, Any],
    *,
    intercom_id: str | None = None,
) -> list[Drift]:
    """Every attribute of `company` that differs from what state `delivered`.

    `delivered` maps attributes to the JSON text state holds; None means never delivered,
    so there is nothing to compare. With `intercom_id` (state's id for the company), a company
    held under another id is reported too, as attribute ``id``.
    """
    drifts = []
    held_id = str(company.get("id")) if company.get("id") is not None else None
    if intercom_id is not None and held_id is not None and held_id != intercom_id:
        drifts.append(Drift(company_id, ID_ATTRIBUTE, intercom_id, held_id))
    for attribute, text in delivered.items():
        if text is None:
            continue
        value, held = json.loads(text), intercom_value(company, attribute)
        if not same_value(attribute, value, held):
            drifts.append(Drift(company_id, attribute, value, held))
    return drifts
