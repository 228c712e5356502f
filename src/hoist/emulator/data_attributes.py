"""Company and contact data attributes: built-ins, creation rules and value checks."""

from __future__ import annotations

import unicodedata
from typing import Any

from hoist.emulator.builtins import BUILTINS, RESERVED
from hoist.emulator.error_envelope import ApiError, bad_parameter, invalid

__all__ = ["MAX_CUSTOM_ATTRIBUTES", "AttributeRegistry", "check_custom_value"]

_DATA_TYPES = frozenset({"string", "integer", "float", "boolean", "date", "datetime", "options"})
_CREATE_KEYS = frozenset({"name", "model", "data_type", "description", "messenger_writable"})
_UPDATE_KEYS = frozenset({"archived", "description", "messenger_writable", "options"})
_MODEL_WORDS = {"company": "company", "contact": "people"}
#: Beyond this, Intercom rejects custom string values (NOTES §2.3).
MAX_STRING = 255
#: "limit of 250 custom data attributes per workspace", and archiving frees space (NOTES §2.3,
#: Intercom help article 179). The article is about people data and does not say whether company
#: attributes share the cap; the emulator takes it literally (per workspace: contact and company
#: attributes together), the stricter reading. The error is not documented: a 400
#: `parameter_invalid`, the code this endpoint uses for every refused attribute (NOTES §2.2).
MAX_CUSTOM_ATTRIBUTES = 250


def _valid_name(name: str) -> bool:
    # The error text names alphanumerics, currency symbols and hyphens; the spec's own
    # successful examples add spaces and underscores (NOTES §2.3).
    return bool(name.strip()) and all(
        ch.isalnum() or ch in " _-" or unicodedata.category(ch) == "Sc" for ch in name
    )


def _check_options(options: Any) -> list[str]:
    if not isinstance(options, list) or not all(
        isinstance(o, dict) and isinstance(o.get("value"), str) for o in options
    ):
        raise invalid("Options isn't an array", "options")
    if len(options) < 2:
        raise invalid("At least two options are required.", "options")
    return [o["value"] for o in options]


class AttributeRegistry:
    """The workspace's data attributes. Not locked itself: the `Emulator` holds the lock."""

    def __init__(self) -> None:
        self._custom: dict[int, dict[str, Any]] = {}
        self._next_id = 12878

    def listing(self, model: str | None, include_archived: bool) -> list[dict[str, Any]]:
        """Built-ins then custom attributes of `model` (all models when None)."""
        rows = [dict(b) for b in BUILTINS if model in (None, b["model"])]
        for attr in self._custom.values():
            if (model is None or attr["model"] == model) and (
                include_archived or not attr["archived"]
            ):
                rows.append(_public(attr))
        return rows

    def custom(self, model: str, name: str) -> dict[str, Any] | None:
        """The custom attribute `name` of `model`, archived or not."""
        for attr in self._custom.values():
            if attr["model"] == model and attr["name"] == name:
                return attr
        return None

    def create(self, body: dict[str, Any], now: int) -> dict[str, Any]:
        """Validate a `create_data_attribute_request` and store the attribute."""
        for key in body:
            if key not in _CREATE_KEYS | {"options"}:
                raise bad_parameter(key)
        model, name, data_type = body.get("model"), body.get("name"), body.get("data_type")
        if model not in _MODEL_WORDS:
            raise invalid("The Data Attribute model field must be either contact or company.")
        if not isinstance(name, str) or not _valid_name(name):
            raise invalid(
                "Your name for this attribute must only contain alphanumeric characters, "
                "currency symbols, and hyphens",
                "name",
            )
        self._check_unique(name, model)
        self._check_room()
        if data_type not in _DATA_TYPES:
            raise invalid("Data Type isn't an option.", "data_type")
        options = None
        if data_type == "options" or "options" in body:
            options = _check_options(body.get("options"))
        attr = {
            "id": self._next_id,
            "model": model,
            "name": name,
            "data_type": data_type,
            "options": options,
            "description": body.get("description") or "",
            "messenger_writable": bool(body.get("messenger_writable", False)),
            "archived": False,
            "created_at": now,
            "updated_at": now,
        }
        self._next_id += 1
        self._custom[attr["id"]] = attr
        return _public(attr)

    def update(self, attr_id: str, body: dict[str, Any], now: int) -> dict[str, Any]:
        """Apply an `update_data_attribute_request`; the data type can never change."""
        attr = self._custom.get(int(attr_id)) if attr_id.isdigit() else None
        if attr is None:
            raise ApiError(404, "field_not_found", "We couldn't find that data attribute to update")
        if "data_type" in body:
            raise invalid("The data type of an attribute can't be changed.", "data_type")
        for key in body:
            if key not in _UPDATE_KEYS:
                raise bad_parameter(key)
        if attr["archived"] and body.get("archived") is False:
            self._check_room()  # unarchiving takes a place under the cap again
        if "options" in body:
            attr["options"] = _check_options(body["options"])
        for key in ("archived", "messenger_writable"):
            if key in body:
                attr[key] = bool(body[key])
        if "description" in body:
            attr["description"] = body["description"] or ""
        attr["updated_at"] = now
        return _public(attr)

    def _check_unique(self, name: str, model: str) -> None:
        # Names collide case-insensitively with the standard attributes of both models, and
        # with custom ones of either model, archived ones included (NOTES §2.2).
        new_word = _MODEL_WORDS[model]
        standard = RESERVED.get(name.lower())
        if standard is not None:
            raise invalid(
                f"'{name}' is one of our standard attributes for your {_MODEL_WORDS[standard]} "
                f"data. To save this as new {new_word} data, use a different name.",
                "name",
            )
        for attr in self._custom.values():
            if attr["name"].lower() == name.lower():
                raise invalid(
                    f"You already have '{name}' in your {_MODEL_WORDS[attr['model']]} data. "
                    f"To save this as new {new_word} data, use a different name.",
                    "name",
                )

    def _check_room(self) -> None:
        live = sum(1 for a in self._custom.values() if not a["archived"])
        if live >= MAX_CUSTOM_ATTRIBUTES:
            raise invalid(
                f"You have reached the limit of {MAX_CUSTOM_ATTRIBUTES} custom data attributes. "
                "Archive attributes you no longer need to make room.",
                "name",
            )


def _public(attr: dict[str, Any]) -> dict[str, Any]:
    # A list attribute is shown as a string attribute with options: the response schema's
    # data_type enum has no "options" and its options are plain strings.
    data_type = "string" if attr["data_type"] == "options" else attr["data_type"]
    out = {
        "type": "data_attribute",
        "id": attr["id"],
        "model": attr["model"],
        "name": attr["name"],
        "full_name": f"custom_attributes.{attr['name']}",
        "label": attr["name"],
        "description": attr["description"],
        "data_type": data_type,
        "api_writable": True,
        "ui_writable": False,
        "messenger_writable": attr["messenger_writable"],
        "custom": True,
        "archived": attr["archived"],
        "created_at": attr["created_at"],
        "updated_at": attr["updated_at"],
        "admin_id": "991267",
    }
    if attr["options"] is not None:
        out["options"] = list(attr["options"])
    return out


def check_custom_value(attr: dict[str, Any], value: Any) -> None:
    """Raise 400 `parameter_invalid` naming the attribute if `value` does not fit its type."""
    name, data_type = attr["name"], attr["data_type"]
    is_int = isinstance(value, int) and not isinstance(value, bool)
    ok = {
        "string": isinstance(value, str),
        "options": isinstance(value, str) and value in (attr["options"] or ()),
        "integer": is_int,
        "float": is_int or isinstance(value, float),
        "boolean": isinstance(value, bool),
        # The spec documents date attributes as "Date (UNIX Timestamp)": integers only.
        "date": is_int,
        "datetime": is_int,
    }[data_type]
    if not ok:
        raise invalid(f"Custom attribute '{name}' must be of type {data_type}", name)
    if isinstance(value, str) and len(value) > MAX_STRING:
        raise invalid(f"Custom attribute '{name}' is longer than {MAX_STRING} characters", name)
