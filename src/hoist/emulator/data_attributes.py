"""Company and contact data attributes: built-ins, creation rules and value checks."""

from __future__ import annotations

import unicodedata
from typing import Any

from hoist.emulator.errors import ApiError, bad_parameter, invalid

__all__ = ["AttributeRegistry", "check_custom_value"]

# NOTES §2.1: company built-ins, listed with custom:false and no id (the spec says ids are
# "only available for custom attributes"). `monthly_spend` is listed as float although the
# company object carries it as an integer; that is what Intercom shows.
_COMPANY_BUILTINS: tuple[tuple[str, str, str, bool], ...] = (
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
_DATA_TYPES = frozenset({"string", "integer", "float", "boolean", "date", "datetime", "options"})
_CREATE_KEYS = frozenset({"name", "model", "data_type", "description", "messenger_writable"})
_UPDATE_KEYS = frozenset({"archived", "description", "messenger_writable", "options"})
_MODEL_WORDS = {"company": "company", "contact": "people"}
#: Beyond this, Intercom rejects custom string values (NOTES §2.3).
MAX_STRING = 255


def _builtin(name: str, label: str, data_type: str, writable: bool) -> dict[str, Any]:
    return {
        "type": "data_attribute",
        "model": "company",
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
        self._builtins = [_builtin(*row) for row in _COMPANY_BUILTINS]

    def listing(self, model: str | None, include_archived: bool) -> list[dict[str, Any]]:
        """Built-ins then custom attributes of `model` (all models when None)."""
        rows = [dict(b) for b in self._builtins if model in (None, "company")]
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
        # Names collide case-insensitively, with built-ins and across models (NOTES §2.2).
        taken = [(b["name"], "company") for b in self._builtins]
        taken += [(a["name"], a["model"]) for a in self._custom.values()]
        for other, other_model in taken:
            if other.lower() == name.lower():
                word = _MODEL_WORDS[other_model]
                raise invalid(
                    f"You already have '{name}' in your {word} data. To save this as new "
                    f"{_MODEL_WORDS[model]} data, use a different name.",
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
