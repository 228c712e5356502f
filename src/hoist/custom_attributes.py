"""Custom attributes: check the ones the mapping names, create the ones the activation lists.

NOTES §2.2: there is no upsert for data attributes, so we list first, create only the missing
names, and treat a "You already have" 400 as success (someone created it meanwhile).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from hoist.company_attributes import custom_name, is_custom
from hoist.config import SyncConfig
from hoist.errors import ConfigError, RecordRejectedError, SchemaConflictError
from hoist.intercom import IntercomClient
from hoist.mapping import column_category, compatible, infer_data_type, missing_column

__all__ = ["AttributePlan", "create_missing", "plan_custom_attributes"]


@dataclass(frozen=True)
class AttributePlan:
    """Each custom attribute's Intercom data type, and those that must be created first."""

    types: dict[str, str]
    to_create: tuple[tuple[str, str], ...]


def plan_custom_attributes(
    sync: SyncConfig, schema: pa.Schema, existing: Sequence[dict[str, Any]], *, file: str
) -> AttributePlan:
    """Check mapped custom attributes exist and listed ones fit; decide what to create."""
    known = {a["name"]: a for a in existing if a.get("custom")}
    types: dict[str, str] = {}
    for attribute in sync.mapping:
        if is_custom(attribute):
            name = custom_name(attribute)
            if name not in known:
                raise ConfigError(
                    f"Intercom has no company custom attribute {name!r}; create it in Intercom "
                    f"or list the column under sync.custom_attributes to have hoist create it",
                    file=file,
                    key=f"sync.mapping.{attribute}",
                )
            types[name] = known[name]["data_type"]
    to_create = []
    for column in sync.custom_attributes:
        category = _category(schema, column, file)
        if column in known:
            _check_compatible(column, category, known[column]["data_type"])
            types[column] = known[column]["data_type"]
        else:
            types[column] = infer_data_type(category)
            to_create.append((column, types[column]))
    return AttributePlan(types=types, to_create=tuple(to_create))


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
