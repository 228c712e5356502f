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
from hoist.errors import HoistError, SchemaConflictError
from hoist.mapping import (
    build_fields,
    column_category,
    compatible,
    infer_data_type,
    standard_mismatch,
)
from hoist.ui.types import arrow_word, intercom_word, truncates
from hoist.ui.workspace_lookup import Attribute

__all__ = ["CustomChoice", "MappingRow", "custom_choices", "mapping_rows"]


@dataclass(frozen=True)
class MappingRow:
    """One row of the mapping: Intercom attribute <- column, and what is wrong with it."""

    attribute: str
    column: str
    problem: str | None = None
    warning: str | None = None
    """Allowed, but not sent as is (decimals into an integer attribute lose their digits)."""


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
        problem = warning = None
        if schema is not None and attribute and column:
            problem = _pair_problem(attribute, column, schema, types)
            if problem is None:
                warning = _pair_warning(attribute, schema.field(column).type, types)
        rows.append(MappingRow(attribute, column, problem, warning))
    return rows


def _target(attribute: str, types: dict[str, str]) -> str:
    """The Intercom data type of `attribute` (standard or custom)."""
    if is_custom(attribute):
        return types.get(custom_name(attribute), "string")
    return STANDARD_ATTRIBUTES.get(attribute, "string")


def _pair_problem(
    attribute: str, column: str, schema: pa.Schema, types: dict[str, str]
) -> str | None:
    if is_custom(attribute) and custom_name(attribute) not in types:
        return f"the workspace has no custom attribute {custom_name(attribute)!r}"
    try:
        build_fields(((attribute, column),), schema, types, file="")
    except SchemaConflictError:
        return _mismatch(attribute, column, schema.field(column).type, types)
    except HoistError as exc:
        return str(exc).removeprefix(": ")
    arrow_type = schema.field(column).type
    if attribute in STANDARD_ATTRIBUTES and standard_mismatch(attribute, column, arrow_type):
        # Text into a number or a time: every value that does not parse would be rejected at
        # every run (all 810 rows of a name column into `size`): refused before saving.
        return _mismatch(attribute, column, arrow_type, types)
    return None


def _mismatch(attribute: str, column: str, arrow_type: pa.DataType, types: dict[str, str]) -> str:
    held = intercom_word(_target(attribute, types))
    return (
        f"{column!r} is {arrow_word(arrow_type)} but Intercom holds {attribute!r} as {held}: "
        f"map another column, or cast this one in the model"
    )


def _pair_warning(attribute: str, arrow_type: pa.DataType, types: dict[str, str]) -> str | None:
    if truncates(arrow_type, _target(attribute, types)):
        return (
            f"decimals are truncated: Intercom holds {attribute!r} as integer "
            "(round the column in the model to choose how)"
        )
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
            CustomChoice(
                field.name, arrow_word(field.type), data_type, problem, field.name in chosen
            )
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
        held = intercom_word(existing)
        return existing, f"Intercom holds {column!r} as {held}; this column cannot go there"
    try:
        return infer_data_type(category), None
    except ValueError:
        return None, f"no Intercom type holds a {category} column"
