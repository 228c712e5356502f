"""One vocabulary for types on every page: text, integer, decimal, boolean, date, timestamp.

The warehouse's types (Arrow's ``decimal128(12, 2)``, ``timestamp[us]``, ``large_string``) and
Intercom's data types (``string``, ``float``) are each shown in these words, so that a column
and the attribute it feeds can be compared at a glance.
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

__all__ = ["TYPE_WORDS", "arrow_word", "intercom_word", "truncates"]

#: Every word a page uses for a type, in the order they are explained.
TYPE_WORDS: Final = ("text", "integer", "decimal", "boolean", "date", "timestamp")

_INTERCOM: Final = {
    "string": "text",
    "integer": "integer",
    "float": "decimal",
    "boolean": "boolean",
    "date": "date",
    "datetime": "timestamp",
    "timestamp": "timestamp",
}


def arrow_word(arrow_type: pa.DataType) -> str:
    """The word for a warehouse column's type ("other" for lists, structs, binary...)."""
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "decimal"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "text"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    return "other"


def intercom_word(data_type: str) -> str:
    """The word for an Intercom data type (a standard attribute's or a custom one's)."""
    return _INTERCOM.get(data_type, data_type)


def truncates(arrow_type: pa.DataType, data_type: str) -> bool:
    """Whether sending a column of `arrow_type` to an attribute of `data_type` drops digits
    (decimals into an integer attribute such as ``monthly_spend``)."""
    return arrow_word(arrow_type) == "decimal" and intercom_word(data_type) == "integer"
