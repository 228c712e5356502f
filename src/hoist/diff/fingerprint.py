"""The fingerprint of a model row: a cheap 64-bit hash of its raw values, kept beside state.

Normalising a value (the JSON text Intercom will store, `hoist.diff.values`) costs far more in
a warehouse than hashing it. Warehouse-native state therefore remembers, per company, the
fingerprint of the model row whose values Intercom confirmed (``_fp``). A row whose fingerprint
equals the remembered one has the values state holds, so the warehouse's diff skips it without
normalising it (`hoist.diff.in_warehouse`).

A fingerprint must never match where the normalised texts differ, so it hashes:

- the raw values of the identifier and every mapped column, in field order. A value is hashed
  as it is (cheap: no text is built) when equal values always normalise to the same text:
  numbers, booleans, dates and times sent as numbers, booleans or times (``1.50 = 1.5`` and
  ``-0.0 = 0.0`` send the same number). A value sent as text (where ``1.50``, ``-0.0`` or a
  zoned time's rendering would differ) or of an unknown type is hashed as its text, so only an
  identical text matches;
- a signature of the fields (attribute, column, column category, Intercom type) and of the
  normalisation rules (`VERSION`), so a mapping change or a new hoist that normalises
  differently sees every row as changed once.

Two different rows hashing equal (64 bits) is the one way a change could be missed, at odds of
about one in 10**12 per ten million changed rows: the local diff's own row hash accepts the
same. DuckDB's ``hash``, Postgres's ``hash_record_extended`` and Spark's ``xxhash64`` serve.
Where hoist knows no 64-bit hash function for a dialect, there is no fingerprint and the
diff normalises every row, as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

from sqlglot import exp

from hoist.mapping import Field
from hoist.sources.registry import dialect_of
from hoist.sql.build import column, literal

__all__ = ["FINGERPRINT_COLUMN", "VERSION", "expression", "signature", "text_hash"]

#: The state column holding the fingerprint of the row last confirmed ('' : none, do not skip).
FINGERPRINT_COLUMN: Final = "_fp"

#: Bumped whenever `hoist.diff.values` changes how a value is normalised.
VERSION: Final = 1

#: Column categories whose equal values normalise alike unless sent as text.
_BY_VALUE: Final = frozenset({"integer", "boolean", "date", "datetime", "float"})
#: Intercom types a value is sent as text to (`hoist.diff.values`).
_TEXT_TARGETS: Final = frozenset({"string", "options", "list"})


def signature(fields: Sequence[Field], id_column: str) -> str:
    """A short digest of what the normalisation of a row depends on besides its values."""
    parts = [f"v{VERSION}", id_column]
    parts += [f"{f.attribute}\x1f{f.column}\x1f{f.category}\x1f{f.target}" for f in fields]
    # Under `sync.nulls: keep` a row's nulls were never sent: switching back must look again.
    parts += [f"keep\x1f{f.attribute}" for f in fields if f.keep_null]
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()[:16]


def expression(
    fields: Sequence[Field], id_column: str, dialect: str, alias: str
) -> exp.Expr | None:
    """The fingerprint (as text) of a row of the model aliased `alias`, in `dialect`; None
    where hoist knows no 64-bit hash function for the dialect."""
    values: list[exp.Expr] = [exp.cast(literal(signature(fields, id_column)), "VARCHAR")]
    values.append(exp.cast(column(id_column, alias), "VARCHAR"))
    for field in fields:
        value = column(field.column, alias)
        values.append(value if _by_value(field) else exp.cast(value, "VARCHAR"))
    hashed = dialect_of(dialect).row_hash(values)
    return None if hashed is None else exp.cast(hashed, "VARCHAR")


def text_hash(text: exp.Expr, dialect: str) -> exp.Expr:
    """A 64-bit hash of the text `text` in `dialect` (one with a fingerprint): grouping by it
    is much cheaper than grouping by the text (no collation, eight-byte keys)."""
    return dialect_of(dialect).text_hash(text)


def _by_value(field: Field) -> bool:
    """Whether `field`'s values may be hashed as they are: equal values (by the engine's own
    equality) then always give the same text to Intercom."""
    return field.category in _BY_VALUE and field.target not in _TEXT_TARGETS
