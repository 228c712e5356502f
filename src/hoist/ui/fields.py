"""The activation form's fields: mapping rows and custom attributes, checked against the model's
real columns and the workspace's real attributes.

A mapping row whose column cannot feed its attribute is flagged with the reason the run would
give (`hoist.mapping.build_fields`); each column offered as a custom attribute shows the
Intercom type it will get: the existing attribute's type, or the type inferred from the column.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from hoist.company_attributes import STANDARD_ATTRIBUTES, custom_name, is_custom
from hoist.errors import HoistError
from hoist.mapping import build_fields, column_category, compatible, infer_data_type
from hoist.ui.workspace import Attribute

__all__ = ["CustomChoice", "MappingRow", "custom_choices", "mapping_rows"]


@dataclass(frozen=True)
class MappingRow:
    """One row of the mapping: Intercom attribute <- column, and what is wrong with it."""

    attribute: str
    column: str
    problem: str | None = None


@dataclass(frozen=True)
class CustomChoice:
    """A column offered as a custom attribute, the type it gets, and whether it can."""

    column: str
    column_type: str
    data_type: str | None
    problem: str | None
    chosen: bool


def mapping_rows(
    pairs: list[tuple[str, str]], schema: pa.Schema | None, attributes: list[Attribute]
) -> list[MappingRow]:
    """Each (attribute, column) pair with its problem, if the columns are known."""
    types = {custom_name(a.key): a.type for a in attributes if a.custom}
    rows = []
    for attribute, column in pairs:
        problem = None
        if schema is not None and attribute and column:
            problem = _pair_problem(attribute, column, schema, types)
        rows.append(MappingRow(attribute, column, problem))
    return rows


def _pair_problem(
    attribute: str, column: str, schema: pa.Schema, types: dict[str, str]
) -> str | None:
    if is_custom(attribute) and custom_name(attribute) not in types:
        return f"the workspace has no custom attribute {custom_name(attribute)!r}"
    try:
        build_fields(((attribute, column),), schema, types, file="")
    except HoistError as exc:
        return str(exc).removeprefix(": ")
    return None


def custom_choices(
    schema: pa.Schema | None, chosen: list[str], attributes: list[Attribute], company_id: str
) -> list[CustomChoice]:
    """Every column but the identifier, as a custom attribute: its Intercom type or problem."""
    if schema is None:
        return [CustomChoice(c, "", None, None, True) for c in chosen]
    existing = {custom_name(a.key): a.type for a in attributes if a.custom}
    choices = []
    for field in schema:
        if field.name == company_id:
            continue
        category = column_category(field.type)
        data_type, problem = _custom_type(field.name, category, existing.get(field.name))
        choices.append(
            CustomChoice(field.name, str(field.type), data_type, problem, field.name in chosen)
        )
    return choices


#: Names Intercom keeps for itself: a column of one of these names cannot be a custom attribute.
_RESERVED = frozenset(STANDARD_ATTRIBUTES) | {"id", "company_id", "created_at", "updated_at"}


def _custom_type(column: str, category: str, existing: str | None) -> tuple[str | None, str | None]:
    if column in _RESERVED:
        where = "Fields mapping" if column in STANDARD_ATTRIBUTES else "Company ID"
        return None, f"{column!r} is a standard Intercom attribute: map it under {where}"
    if existing is not None:
        if compatible(category, existing):
            return existing, None
        return existing, f"Intercom holds {column!r} as {existing}; a {category} cannot go there"
    try:
        return infer_data_type(category), None
    except ValueError:
        return None, f"no Intercom type holds a {category} column"
