"""Columns -> Intercom attributes: which column feeds which attribute, and whether it can.

Every mapped attribute becomes a `Field`: which column feeds it, what kind of column it is, and
what Intercom expects. How a field's values are normalised into what Intercom stores is SQL, built
in `hoist.diff.values`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pyarrow as pa

from hoist.company_attributes import STANDARD_ATTRIBUTES, custom_name, is_custom
from hoist.errors import ConfigError, SchemaConflictError
from hoist.suggest import did_you_mean

__all__ = [
    "Field",
    "build_fields",
    "column_category",
    "compatible",
    "infer_data_type",
    "missing_column",
    "standard_mismatch",
]

# Column category -> the Intercom data types a column of that category can be sent as.
_COMPATIBLE: Final[dict[str, frozenset[str]]] = {
    "boolean": frozenset({"boolean"}),
    "integer": frozenset({"integer", "float"}),
    "float": frozenset({"float"}),
    "string": frozenset({"string", "options", "list"}),
    "date": frozenset({"date", "datetime"}),
    "datetime": frozenset({"datetime", "date"}),
}

# Standard attribute kind -> the column categories that can feed it.
_STANDARD_SOURCES: Final[dict[str, frozenset[str]]] = {
    "string": frozenset({"string", "integer", "float", "boolean", "date", "datetime"}),
    "integer": frozenset({"integer", "float", "string"}),
    "timestamp": frozenset({"date", "datetime", "integer", "string"}),
}


#: Standard attribute kinds a run parses from text, value by value: text that does not parse
#: is rejected at every run, so `hoist validate` asks for a cast in the model instead.
_PARSED_FROM_TEXT: Final[dict[str, tuple[str, str]]] = {
    "integer": ("a whole number", "CAST({column} AS BIGINT)"),
    "timestamp": ("a timestamp", "CAST({column} AS TIMESTAMP)"),
}


@dataclass(frozen=True)
class Field:
    """One Intercom attribute fed by one column.

    `target` is what Intercom holds: ``string``, ``integer`` or ``timestamp`` for standard
    attributes, the data attribute's ``data_type`` for custom ones.
    """

    attribute: str
    column: str
    category: str
    target: str
    #: ``sync.nulls: keep``: a null in the model never overwrites a value in Intercom.
    keep_null: bool = False

    @property
    def custom(self) -> bool:
        """Whether the attribute lives under ``custom_attributes``."""
        return is_custom(self.attribute)


def column_category(arrow_type: pa.DataType) -> str:
    """Classify an Arrow column type as boolean, integer, float, string, date, datetime or other."""
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "float"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "datetime"
    return "other"


def infer_data_type(category: str) -> str:
    """The Intercom data type a new custom attribute gets for a column of `category`."""
    if category not in _COMPATIBLE:
        raise ValueError(f"no Intercom data type holds a column of category {category!r}")
    return category


def compatible(category: str, data_type: str) -> bool:
    """Whether a column of `category` can be sent to an attribute of Intercom `data_type`."""
    return data_type in _COMPATIBLE.get(category, frozenset())


def build_fields(
    pairs: tuple[tuple[str, str], ...],
    schema: pa.Schema,
    custom_types: dict[str, str],
    *,
    file: str,
) -> tuple[Field, ...]:
    """Resolve (attribute, column) pairs against the model's columns and Intercom's types.

    `custom_types` maps custom attribute names to their Intercom data type. A missing column is
    a `ConfigError`; a column that cannot feed its attribute is a `SchemaConflictError`.
    """
    fields = []
    for attribute, column in pairs:
        category = _category_of(schema, column, attribute, file)
        target = _target_of(attribute, custom_types)
        allowed = (
            _STANDARD_SOURCES[target]
            if attribute in STANDARD_ATTRIBUTES
            else frozenset(c for c, types in _COMPATIBLE.items() if target in types)
        )
        if category not in allowed:
            raise SchemaConflictError(
                f"column {column!r} ({schema.field(column).type}) cannot be sent to "
                f"{attribute!r}, which Intercom holds as {target}",
                code="type_conflict",
            )
        fields.append(Field(attribute, column, category, target))
    return tuple(fields)


def missing_column(column: str, schema: pa.Schema, *, file: str, key: str) -> ConfigError:
    """The error for a configured column the model does not have, listing the ones it has."""
    return ConfigError(missing_column_message(column, schema.names), file=file, key=key)


def missing_column_message(column: str, names: list[str], what: str = "the model") -> str:
    """A column `what` lacks: the closest name it has, then every name."""
    hint = did_you_mean(column, names)
    return f"column {column!r} is not in {what};{hint} it has: {', '.join(names)}"


def standard_mismatch(attribute: str, column: str, arrow_type: pa.DataType) -> str | None:
    """Why a column of `arrow_type` should not feed standard `attribute` (None: it may).

    Stricter than a run, which parses text for numbers and times value by value and rejects
    what does not parse: `hoist validate` names that before the rejections pile up.
    """
    kind = STANDARD_ATTRIBUTES[attribute]
    category = column_category(arrow_type)
    if category not in _STANDARD_SOURCES[kind]:
        return (
            f"column {column!r} ({arrow_type}) cannot be sent to {attribute!r}, which Intercom "
            f"holds as {kind}; map another column, or cast this one in the model"
        )
    if category == "string" and kind in _PARSED_FROM_TEXT:
        holds, cast = _PARSED_FROM_TEXT[kind]
        return (
            f"column {column!r} is text, but Intercom holds {attribute!r} as {holds}: each "
            f"value that is not one is rejected at every run; cast it in the model, e.g. "
            f"{cast.format(column=column)}"
        )
    return None


def _category_of(schema: pa.Schema, column: str, attribute: str, file: str) -> str:
    if column not in schema.names:
        raise missing_column(column, schema, file=file, key=f"sync.mapping.{attribute}")
    return column_category(schema.field(column).type)


def _target_of(attribute: str, custom_types: dict[str, str]) -> str:
    if attribute in STANDARD_ATTRIBUTES:
        return STANDARD_ATTRIBUTES[attribute]
    return custom_types[custom_name(attribute)]
