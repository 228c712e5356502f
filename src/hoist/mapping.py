"""Columns -> Intercom attributes: type inference and value normalisation.

Every mapped attribute becomes a `Field`: which column feeds it, what kind of column it is, and
what Intercom expects. `value_sql` turns a field into two DuckDB expressions: the JSON text of the
value Intercom will store (so that what we send and what we remember compare as plain text), and
the reason a row must be rejected (NULL when the value can go).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pyarrow as pa
from sqlglot import exp

from hoist.attributes import CUSTOM_PREFIX, STANDARD_ATTRIBUTES
from hoist.errors import ConfigError, SchemaConflictError

__all__ = [
    "MAX_CUSTOM_STRING",
    "MAX_MONTHLY_SPEND",
    "Field",
    "build_fields",
    "column_category",
    "compatible",
    "infer_data_type",
    "quote",
    "value_sql",
]

#: NOTES §2.3: custom string values may hold up to 255 characters.
MAX_CUSTOM_STRING: Final = 255
#: NOTES §1.1: `monthly_spend` is capped at 2**31-1.
MAX_MONTHLY_SPEND: Final = 2**31 - 1

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

    @property
    def custom(self) -> bool:
        """Whether the attribute lives under ``custom_attributes``."""
        return self.attribute.startswith(CUSTOM_PREFIX)

    @property
    def key(self) -> str:
        """The attribute's name in a request body (inside ``custom_attributes`` if custom)."""
        return self.attribute.removeprefix(CUSTOM_PREFIX)


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


def _category_of(schema: pa.Schema, column: str, attribute: str, file: str) -> str:
    if column not in schema.names:
        raise ConfigError(
            f"column {column!r} is not in the model; it has: {', '.join(schema.names)}",
            file=file,
            key=_config_key(attribute),
        )
    return column_category(schema.field(column).type)


def _target_of(attribute: str, custom_types: dict[str, str]) -> str:
    if attribute in STANDARD_ATTRIBUTES:
        return STANDARD_ATTRIBUTES[attribute]
    return custom_types[attribute.removeprefix(CUSTOM_PREFIX)]


def _config_key(attribute: str) -> str:
    return f"sync.mapping.{attribute}"


def quote(name: str) -> str:
    """A DuckDB identifier for `name`, always quoted."""
    return exp.to_identifier(name, quoted=True).sql("duckdb")


def _literal(text: str) -> str:
    return exp.Literal.string(text).sql("duckdb")


def value_sql(field: Field) -> tuple[str, str]:
    """DuckDB expressions (value JSON text, rejection reason) for `field` over its column.

    The value is JSON text (``'null'`` for a null) so that values compare as text with what
    state remembers. The reason is NULL when the value can be sent.
    """
    col = quote(field.column)
    value, problem = _normalise(field, col)
    reason = f"CASE WHEN {problem} THEN {_reason_text(field, col)} END" if problem else "NULL"
    return f"coalesce(to_json({value}), 'null')", reason


def _normalise(field: Field, col: str) -> tuple[str, str | None]:
    """(value expression, condition under which the value is unusable) for one field."""
    target, category = field.target, field.category
    if target in ("string", "options", "list"):
        text = f"CAST({col} AS VARCHAR)"
        too_long = f"length({text}) > {MAX_CUSTOM_STRING}" if field.custom else None
        return text, too_long
    if target in ("timestamp", "date", "datetime"):
        if category == "integer":
            return f"CAST({col} AS BIGINT)", None
        source = f"TRY_CAST({col} AS TIMESTAMPTZ)" if category == "string" else col
        value = f"CAST(floor(epoch({source})) AS BIGINT)"
        return value, f"({col} IS NOT NULL AND {source} IS NULL)"
    if target == "integer":
        number = f"TRY_CAST({col} AS DOUBLE)" if category == "string" else col
        value = f"TRY_CAST(trunc({number}) AS BIGINT)"
        bad = f"({col} IS NOT NULL AND {value} IS NULL)"
        if field.attribute == "monthly_spend":
            bad = f"({bad} OR {value} > {MAX_MONTHLY_SPEND})"
        return value, bad
    if target == "float":
        number = f"CAST({col} AS DOUBLE)"
        # -0.0 equals 0.0 for Intercom; one spelling keeps the text comparison from seeing a change.
        value = f"CASE WHEN {number} = 0 THEN 0.0::DOUBLE ELSE {number} END"
        return value, f"({col} IS NOT NULL AND NOT isfinite({number}))"
    return col, None  # boolean


def _reason_text(field: Field, col: str) -> str:
    name = _literal(field.attribute)
    if field.target in ("string", "options", "list"):
        return (
            f"{name} || ' is ' || length(CAST({col} AS VARCHAR)) || "
            f"' characters long; Intercom accepts at most {MAX_CUSTOM_STRING}'"
        )
    if field.attribute == "monthly_spend":
        detail = f"a whole number up to {MAX_MONTHLY_SPEND}"
    else:
        detail = {
            "integer": "a whole number",
            "float": "a finite number",
        }.get(field.target, "a date, a timestamp or Unix seconds")
    return f"{name} || ' value ' || CAST({col} AS VARCHAR) || ' is not {detail}'"
