"""First contact: a company hoist did not create may hold values a person typed.

A model null is sent only to clear a value Intercom holds, and what Intercom holds is known only
from its own answers: the upsert's response (insert mode) or the company an update-only run's
lookup read. Whatever those show for an attribute whose model value is null, and which the write
did not already clear, is cleared, so after hoist's first write every mapped attribute equals the
model. With ``sync.nulls: keep`` the diff never carries a model null, so nothing here applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from hoist.compare import intercom_value, same_value
from hoist.diff.changes import Change

__all__ = ["clearing", "held_texts", "held_values"]


def held_values(change: Change, company: Mapping[str, Any]) -> dict[str, Any]:
    """The values `company` holds for attributes whose model null `change` did not send.

    Compared as `hoist verify` compares (a ``monthly_spend`` of 0 and ``plan: {}`` are empty).
    """
    held = {}
    for attribute, text in change.texts.items():
        if text != "null" or attribute in change.old:
            continue
        value = intercom_value(company, attribute)
        if not same_value(attribute, None, value):
            held[attribute] = value
    return held


def clearing(change: Change, company: Mapping[str, Any]) -> Change | None:
    """The write that clears what `company` holds where the model has null (None: nothing).

    It carries the nulls only (`old` names the values it replaces), by the same company.
    """
    held = held_values(change, company)
    if not held:
        return None
    texts = dict.fromkeys(held, "null")
    return Change(change.company_id, str(company["id"]), False, texts, held)


def held_texts(company: Mapping[str, Any], attributes: Iterable[str]) -> dict[str, str]:
    """The JSON text of each of `attributes` that `company` holds a value for."""
    texts = {}
    for attribute in attributes:
        value = intercom_value(company, attribute)
        if not same_value(attribute, None, value):
            texts[attribute] = orjson.dumps(value).decode()
    return texts
