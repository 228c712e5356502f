"""Custom attributes: check the ones the mapping names, create the ones the activation lists.

NOTES §2.2: there is no upsert for data attributes, so we list first, create only the missing
names, and treat a "You already have" 400 as success (someone created it meanwhile).

Everything Intercom would refuse is found at plan time, before anything is written, from one
listing per model with archived attributes included (NOTES §2.1):
- an archived attribute still holds its name and takes no new values, so mapping or creating it
  is a config error (unarchive it in Intercom, or rename the column);
- names collide case-insensitively with the standard attributes of companies *and* contacts, and
  with custom attributes of either model (NOTES §2.2: "'Name' is one of our standard attributes
  for your people data", and a company name is refused when people data has it);
- a workspace holds at most 250 custom attributes (NOTES §2.3, Intercom help article 179). The
  article does not say whether company and contact attributes share the cap: counting both is
  the reading that never lets a run start that Intercom would stop half-way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import pyarrow as pa

from hoist.company_attributes import custom_name, is_custom
from hoist.config import SyncConfig
from hoist.errors import ConfigError, RecordRejectedError, SchemaConflictError
from hoist.intercom import IntercomClient
from hoist.mapping import column_category, compatible, infer_data_type, missing_column

__all__ = [
    "MAX_CUSTOM_ATTRIBUTES",
    "AttributePlan",
    "IntercomAttributes",
    "create_missing",
    "fetch_attributes",
    "plan_custom_attributes",
]

#: Intercom's cap on custom data attributes per workspace; archiving one frees a place.
MAX_CUSTOM_ATTRIBUTES: Final = 250

#: Standard names the listings may not show (object-valued contact properties, and `plan`,
#: listed as `plan.name`), from the spec's `contact` and `create_or_update_company_request`.
_UNLISTED_STANDARD: Final[dict[str, str]] = {
    **dict.fromkeys(
        ("avatar", "tags", "notes", "companies", "location", "social_profiles", "email"),
        "contact",
    ),
    **dict.fromkeys(("name", "phone", "external_id", "role", "owner_id"), "contact"),
    **dict.fromkeys(("plan", "company_id", "id", "created_at", "updated_at"), "company"),
}


@dataclass(frozen=True)
class IntercomAttributes:
    """Every data attribute of the workspace, archived ones included, for both models."""

    company: tuple[dict[str, Any], ...]
    contact: tuple[dict[str, Any], ...]

    def custom(self) -> list[dict[str, Any]]:
        """Custom attributes of both models."""
        return [a for a in (*self.company, *self.contact) if a.get("custom")]

    def standard(self) -> dict[str, str]:
        """Lower-cased standard attribute names -> the model they belong to."""
        names = dict(_UNLISTED_STANDARD)
        for attr in (*self.contact, *self.company):
            if not attr.get("custom"):
                names[str(attr.get("name", "")).lower()] = str(attr.get("model", "company"))
        return names

    def live_custom(self) -> int:
        """Custom attributes that count against the cap (archived ones do not)."""
        return sum(1 for a in self.custom() if not a.get("archived"))


@dataclass(frozen=True)
class AttributePlan:
    """Each custom attribute's Intercom data type, those to create first, and the room left."""

    types: dict[str, str]
    to_create: tuple[tuple[str, str], ...]
    remaining: int | None = None
    """Custom attributes the workspace can still take once `to_create` exist."""


async def fetch_attributes(client: IntercomClient) -> IntercomAttributes:
    """List company and contact attributes, archived ones included (two calls)."""
    company = await client.list_data_attributes("company", include_archived=True)
    contact = await client.list_data_attributes("contact", include_archived=True)
    return IntercomAttributes(tuple(company), tuple(contact))


def plan_custom_attributes(
    sync: SyncConfig, schema: pa.Schema, existing: IntercomAttributes, *, file: str
) -> AttributePlan:
    """Check mapped custom attributes exist and listed ones fit; decide what to create."""
    known = {a["name"]: a for a in existing.company if a.get("custom")}
    types: dict[str, str] = {}
    for attribute in sync.mapping:
        if is_custom(attribute):
            name = custom_name(attribute)
            types[name] = _mapped_type(name, known.get(name), file, f"sync.mapping.{attribute}")
    to_create = []
    for column in sync.custom_attributes:
        category = _category(schema, column, file)
        attr = known.get(column)
        if attr is not None and not attr.get("archived"):
            _check_compatible(column, category, attr["data_type"])
            types[column] = attr["data_type"]
            continue
        _check_creatable(column, existing, file)
        types[column] = infer_data_type(category)
        to_create.append((column, types[column]))
    remaining = MAX_CUSTOM_ATTRIBUTES - existing.live_custom() - len(to_create)
    if remaining < 0:
        raise ConfigError(
            f"creating {len(to_create)} custom attributes would exceed Intercom's limit of "
            f"{MAX_CUSTOM_ATTRIBUTES} per workspace ({existing.live_custom()} in use, company "
            "and contact attributes together); archive attributes you no longer need in "
            "Intercom, or list fewer columns",
            file=file,
            key="sync.custom_attributes",
        )
    return AttributePlan(types=types, to_create=tuple(to_create), remaining=remaining)


def _mapped_type(name: str, attr: dict[str, Any] | None, file: str, key: str) -> str:
    if attr is None:
        raise ConfigError(
            f"Intercom has no company custom attribute {name!r}; create it in Intercom "
            f"or list the column under sync.custom_attributes to have hoist create it",
            file=file,
            key=key,
        )
    if attr.get("archived"):
        raise ConfigError(
            f"the company custom attribute {name!r} is archived in Intercom and takes no new "
            "values; unarchive it in Intercom, or map another attribute",
            file=file,
            key=key,
        )
    return str(attr["data_type"])


def _check_creatable(column: str, existing: IntercomAttributes, file: str) -> None:
    """Refuse a name Intercom would refuse: archived, standard, or taken in another case."""
    key = "sync.custom_attributes"
    standard = existing.standard().get(column.lower())
    if standard is not None:
        raise ConfigError(
            f"column {column!r} cannot become a custom attribute: Intercom has a standard "
            f"{standard} attribute of that name (names are compared ignoring case); rename the "
            "column in the model",
            file=file,
            key=key,
        )
    for attr in existing.custom():
        if str(attr["name"]).lower() != column.lower():
            continue
        state = "an archived" if attr.get("archived") else "a"
        fix = (
            "unarchive it in Intercom to use it again, or rename the column in the model"
            if attr.get("archived") and attr["name"] == column and attr["model"] == "company"
            else "rename the column in the model"
        )
        raise ConfigError(
            f"column {column!r} cannot become a custom attribute: Intercom has {state} "
            f"{attr['model']} custom attribute {attr['name']!r} (names are compared ignoring "
            f"case); {fix}",
            file=file,
            key=key,
        )


def _category(schema: pa.Schema, column: str, file: str) -> str:
    if column not in schema.names:
        raise missing_column(column, schema, file=file, key="sync.custom_attributes")
    category = column_category(schema.field(column).type)
    if category == "other":
        raise ConfigError(
            f"column {column!r} has type {schema.field(column).type}, which no Intercom "
            "attribute can hold; cast it to text, a number, a boolean or a timestamp in the model",
            file=file,
            key="sync.custom_attributes",
        )
    return category


def _check_compatible(name: str, category: str, data_type: str) -> None:
    if not compatible(category, data_type):
        raise SchemaConflictError(
            f"custom attribute {name!r} exists in Intercom as {data_type}, but the column is "
            f"{category}; Intercom cannot change an attribute's type through the API, so cast "
            f"the column in the model or use another attribute name",
            code="type_conflict",
        )


async def create_missing(client: IntercomClient, plan: AttributePlan) -> tuple[str, ...]:
    """Create the planned attributes; return the names created (or found created meanwhile)."""
    created = []
    for name, data_type in plan.to_create:
        try:
            await client.create_data_attribute(name=name, data_type=data_type)
        except RecordRejectedError as exc:
            if not _already_exists(exc):
                raise
            current = {a["name"]: a for a in await client.list_data_attributes() if a.get("custom")}
            if name not in current:
                raise
            _check_compatible(name, data_type, current[name]["data_type"])
        created.append(name)
    return tuple(created)


def _already_exists(exc: RecordRejectedError) -> bool:
    return "already have" in (exc.message or "")
