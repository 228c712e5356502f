"""The company field rules of `POST /companies` and `PUT /companies/{id}`, and the company object.

Where the spec is silent, the choices are:
- standard string fields (name, website, industry, plan) accept any string, of any length;
- `size` and `remote_created_at` must be integers (the spec's `'100'` example is an error);
- `null` for a standard field removes it, as `null` for a custom attribute does;
- `company_id` is required on `POST /companies` (400 `parameter_not_found` without it) and must be
  a non-empty string;
- unset optional fields are absent from the company object, `plan` is `{}`, and
  `monthly_spend`/`session_count`/`user_count` are 0, as in the spec's response example.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hoist.company_attributes import UPDATE_KEYS, UPSERT_KEYS
from hoist.emulator.data_attributes import check_custom_value
from hoist.emulator.error_envelope import ApiError, bad_parameter, invalid

__all__ = ["CREATE_FIELDS", "UPDATE_FIELDS", "Changes", "apply_changes", "check_fields", "render"]

#: `create_or_update_company_request` keys (2.16).
CREATE_FIELDS = UPSERT_KEYS
#: `update_company_request` keys: no company_id, remote_created_at or update_last_request_at.
UPDATE_FIELDS = UPDATE_KEYS
_STRINGS = ("name", "plan", "website", "industry")
_INTEGERS = ("size", "remote_created_at")
_INT32_MAX = 2**31 - 1

#: Validated changes: standard field -> value (None = remove), plus "custom_attributes".
Changes = dict[str, Any]
#: Looks up a company custom attribute by name (archived ones included).
AttrLookup = Callable[[str], "dict[str, Any] | None"]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _standard(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key in _STRINGS and not isinstance(value, str):
        raise invalid(f"{key} must be a string", key)
    if key in _INTEGERS and not _is_int(value):
        raise invalid(f"{key} must be an integer", key)
    if key == "monthly_spend":
        if not (_is_int(value) or isinstance(value, float)):
            raise invalid("monthly_spend must be a number", key)
        # Intercom truncates decimals and stores a signed 32-bit integer (NOTES §1.1).
        if not -_INT32_MAX - 1 <= value <= _INT32_MAX:
            raise invalid(f"monthly_spend must be at most {_INT32_MAX}", key)
        return int(value)
    if key == "update_last_request_at" and not isinstance(value, bool):
        raise invalid("update_last_request_at must be a boolean", key)
    return value


def _custom(values: Any, lookup: AttrLookup) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise invalid("custom_attributes must be an object", "custom_attributes")
    for name, value in values.items():
        attr = lookup(name)
        if attr is None:
            raise invalid(f"Custom attribute '{name}' does not exist", name)
        if attr["archived"]:
            # Undocumented; the stricter reading: an archived attribute takes no new values
            # (it is hidden from the UI and from default listings, NOTES §2.1, §2.4).
            raise invalid(f"Custom attribute '{name}' is archived", name)
        if value is not None:
            check_custom_value(attr, value)
    return dict(values)


def check_fields(body: Any, allowed: frozenset[str], lookup: AttrLookup) -> Changes:
    """Validate a request body against `allowed` keys and the field rules; return the changes."""
    if not isinstance(body, dict):
        raise invalid("Request body must be a JSON object")
    changes: Changes = {}
    for key, value in body.items():
        if key not in allowed:
            raise bad_parameter(key)
        if key == "custom_attributes":
            changes[key] = {} if value is None else _custom(value, lookup)
        elif key == "company_id":
            if not isinstance(value, str) or not value:
                raise invalid("company_id must be a non-empty string", key)
            changes[key] = value
        else:
            changes[key] = _standard(key, value)
    return changes


def apply_changes(company: dict[str, Any], changes: Changes, now: int) -> None:
    """Write validated `changes` into a stored company record."""
    for key, value in changes.items():
        if key == "custom_attributes":
            custom = company["custom_attributes"]
            for name, item in value.items():
                if item is None:
                    custom.pop(name, None)
                else:
                    custom[name] = item
        elif key == "update_last_request_at":
            if value:
                company["last_request_at"] = now
        elif key == "company_id":
            continue  # immutable after creation
        elif value is None:
            company.pop(key, None)
        else:
            company[key] = value
    company["updated_at"] = now


def render(
    company: dict[str, Any], app_id: str, plan_id: Callable[[str], str], user_count: int
) -> dict[str, Any]:
    """The company object as the API returns it (spec schema `company`)."""
    out: dict[str, Any] = {
        "type": "company",
        "id": company["id"],
        "app_id": app_id,
        "company_id": company["company_id"],
        "created_at": company["created_at"],
        "updated_at": company["updated_at"],
        "monthly_spend": company.get("monthly_spend", 0),
        "session_count": company.get("session_count", 0),
        "user_count": user_count,
    }
    for key in ("name", "remote_created_at", "last_request_at", "size", "website", "industry"):
        if key in company:
            out[key] = company[key]
    plan = company.get("plan")
    out["plan"] = {"type": "plan", "id": plan_id(plan), "name": plan} if plan else {}
    out["custom_attributes"] = dict(company["custom_attributes"])
    out["tags"] = {"type": "tag.list", "tags": []}
    out["segments"] = {"type": "segment.list", "segments": []}
    out["notes"] = {"type": "note.list", "notes": []}
    return out


def missing_company() -> ApiError:
    """The 404 for an unknown company."""
    return ApiError(404, "company_not_found", "Company Not Found")
