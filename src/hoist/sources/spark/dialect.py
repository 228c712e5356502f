"""The warehouse diff and native state statements, made to run on Spark SQL.

The diff's expressions are written for DuckDB (`hoist.diff.values`, `hoist.diff.local`); the
texts they produce are compared, as text, with what state remembers, so on Spark every value
must come out byte for byte as DuckDB's ``to_json`` writes it (and every rejection message as
DuckDB's ``CAST(... AS VARCHAR)`` writes it). Spark differs in four places, rewritten here:

- ``to_json`` takes only structs, maps and arrays: strings and booleans go through
  ``to_json(array(x))`` without the brackets (Jackson escapes as DuckDB does: ``\\"``, ``\\\\``,
  ``\\n``, ``\\u001F``; other characters as they are); whole numbers are their plain cast;
  doubles are laid out from Java's digits the way DuckDB lays them out (``1e21``,
  ``100000000000000000000.0``, ``1e-7``), where Java writes ``1.0E21``.
- ``CAST(double AS STRING)`` (in rejection messages) is Java's ``1.0E20``, DuckDB's ``1e+20``.
- Spark 4 runs in ANSI mode: a cast that overflows stops the query. DuckDB's ``trunc`` of a
  number (rendered by sqlglot as a cast to BIGINT) becomes ``x - x % 1``, which never fails.
- No ``isfinite``; no ``information_schema`` (the tables are listed through the catalog by
  the source, `hoist.sources.spark.catalog`); tables are created ``USING parquet``.
- Times: DuckDB's ``TIMESTAMP`` has no time zone, Spark's is the session's local time, so
  ``epoch(CAST(x AS TIMESTAMP))`` (a date as midnight UTC) becomes ``unix_timestamp`` of a
  ``TIMESTAMP_NTZ``. Spark's ``unix_timestamp`` reads a ``TIMESTAMP_NTZ`` column as UTC (as
  DuckDB reads a naive timestamp) and a ``TIMESTAMP`` as the instant it is, whatever the
  session's zone. Spark cannot cast a ``TIMESTAMP_NTZ`` or a ``DATE`` to a double, so a value
  shown in a rejection message goes through its text first.

Java before version 19 writes a few doubles with more digits than the shortest that reads back
(JDK-4511638); those values' texts differ from DuckDB's (each still the same value).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar, Final

from sqlglot import exp

from hoist.sources.definition import WarehouseDialect
from hoist.sql.build import literal, template

__all__ = ["SparkDialect", "spark"]

#: The model query (the user's own Spark SQL) is left exactly as written.
_MODEL_ALIAS: Final = "model"


def spark(node: exp.Expr) -> exp.Expr:
    """One node of a DuckDB-written tree, rewritten where Spark SQL differs (see module doc).

    A node returned in place of another is not descended into, so replacements rewrite their
    own operands first.
    """
    if isinstance(node, exp.Subquery) and node.alias == _MODEL_ALIAS:
        return node.copy()
    if isinstance(node, exp.Anonymous) and node.name.lower() == "to_json":
        return _json_text(node.expressions[0])
    if isinstance(node, exp.Anonymous) and node.name.lower() == "isfinite":
        number = node.expressions[0].transform(spark)
        return template("NOT (isnan($n) OR abs($n) = CAST('Infinity' AS DOUBLE))", n=number)
    if isinstance(node, exp.TimeToUnix):
        return _epoch(node.this)
    if isinstance(node, exp.Trunc) and not node.args.get("decimals"):
        number = node.this.transform(spark)
        return template("($n - $n % 1)", n=number)
    if isinstance(node, exp.Cast) and _is_text(node.to) and isinstance(node.this, exp.Column):
        return _display_text(node.this)
    if isinstance(node, exp.Create) and node.kind == "TABLE":
        return _parquet(node)
    return node


def _json_text(original: exp.Expr) -> exp.Expr:
    """What DuckDB's ``to_json(original)`` writes, computed by Spark."""
    value = original.transform(spark)
    if _cast_to(original, exp.DataType.INTEGER_TYPES):
        return exp.cast(value, "STRING")
    if _is_double(original):
        return _double_json(value)
    wrapped = template("to_json(array($v))", v=value)
    return template("substr($w, 2, length($w) - 2)", w=wrapped)


def _cast_to(node: exp.Expr, kinds: Collection[Any]) -> bool:
    return isinstance(node, exp.Cast) and node.to.is_type(*kinds)


def _is_double(node: exp.Expr) -> bool:
    # `hoist.diff.values._float`: CASE WHEN n = 0 THEN CAST(0.0 AS DOUBLE) ELSE n END.
    if isinstance(node, exp.Case):
        node = node.args.get("default") or node
    return _cast_to(node, exp.DataType.REAL_TYPES)


def _is_text(kind: exp.DataType) -> bool:
    return kind.is_type(*exp.DataType.TEXT_TYPES)


def _display_text(value: exp.Column) -> exp.Expr:
    """``CAST(value AS VARCHAR)`` as DuckDB writes it: Python's ``repr`` for a double."""
    # Through its text: Spark casts no TIMESTAMP_NTZ or DATE to DOUBLE, even in TRY_CAST
    # (Java's text of a double reads back as the same double).
    text = exp.cast(value.copy(), "STRING")
    number = exp.TryCast(this=text, to=exp.DataType.build("DOUBLE"), safe=True)
    return template(
        "CASE WHEN typeof($v) = 'double' THEN $d ELSE CAST($v AS VARCHAR) END",
        v=value.copy(),
        d=_double_text(number, _REPR, {"nan": "nan", "inf": "inf"}),
    )


def _epoch(original: exp.Expr) -> exp.Expr:
    """DuckDB's ``floor(epoch(x))``, exact and whatever the session's time zone, in Spark.

    A ``TIMESTAMP`` (local time zone) is the instant it is; any other time (``TIMESTAMP_NTZ``,
    a ``DATE``, DuckDB's naive ``CAST(x AS TIMESTAMP)``) is read as UTC, as DuckDB reads it.
    Counted in microseconds and floored in integers: Spark's ``unix_timestamp`` truncates
    toward zero (-0.5 s gives 0 where DuckDB's floor gives -1).
    """
    value = original.transform(spark)
    naive = exp.cast(value.copy(), exp.DataType.Type.TIMESTAMPNTZ)
    epoch = exp.cast(literal("1970-01-01 00:00:00"), exp.DataType.Type.TIMESTAMPNTZ)
    micros: exp.Expr = exp.Anonymous(
        this="timestampdiff", expressions=[exp.var("MICROSECOND"), epoch, naive]
    )
    if not _cast_to(original, {exp.DataType.Type.TIMESTAMPNTZ}):
        zoned = exp.EQ(
            this=exp.Anonymous(this="typeof", expressions=[value.copy()]),
            expression=literal("timestamp"),
        )
        instant = exp.cast(value.copy(), exp.DataType.Type.TIMESTAMPLTZ)
        unix = exp.Anonymous(this="unix_micros", expressions=[instant])
        micros = exp.case().when(zoned, unix).else_(micros)
    remainder = exp.Anonymous(this="pmod", expressions=[micros.copy(), literal(1_000_000)])
    whole = exp.paren(exp.Sub(this=micros, expression=remainder))
    return exp.IntDiv(this=whole, expression=literal(1_000_000))


def _parquet(node: exp.Create) -> exp.Expr:
    # Without USING, a Spark with Hive support may make a Hive text table.
    properties = node.args.get("properties") or exp.Properties(expressions=[])
    if not any(isinstance(p, exp.FileFormatProperty) for p in properties.expressions):
        properties.append("expressions", exp.FileFormatProperty(this=exp.var("PARQUET")))
    node.set("properties", properties)
    return node


# -- doubles --------------------------------------------------------------------------------
#
# Java's Double.toString gives the shortest digits of |x|: plain for 1e-3 <= |x| < 1e7 (as both
# DuckDB layouts do: ``123.45``, ``100.0``, ``0.001``), else ``d.dddE<n>``. A chain of regular
# expression replacements moves the point of the ``E`` forms where DuckDB writes them plainly
# (zeros padded first, so a shift never runs out of digits), strips the padding back to one
# ``.0`` and spells the exponent. Each step reads the previous one's result once, so the
# expression grows linearly (nested arithmetic over the digits made Spark's planner take
# tens of seconds), and values in the plain range skip the chain.

_ZEROS: Final = "0" * 20
_STRIP: Final = (("^([0-9]+[.][0-9]*?)0+$", "$1"), ("[.]$", ".0"))


def _small(exponents: range) -> list[tuple[str, str]]:
    """``d.dddE-k`` as ``0.00..dddd`` for each k."""
    return [(f"^([0-9])[.]([0-9]*)E-{k}$", "0." + "0" * (k - 1) + "$1$2") for k in exponents]


def _big(exponents: range, padded: str) -> list[tuple[str, str]]:
    """``d.dddE<k>`` as ``dddd.ddd`` for each k (the fraction padded with zeros first)."""
    shifts = [(f"^([0-9])[.]([0-9]{{{k}}})([0-9]*)E{k}$", "$1$2.$3") for k in exponents]
    return [(f"E({padded})$", _ZEROS + "E$1"), *shifts]


#: DuckDB's to_json (yyjson): plain for 1e-6 <= |x| < 1e21, else ``1.5e-7``, ``1e21``.
_JSON: Final = (
    *_small(range(4, 7)),
    *_big(range(7, 21), "[7-9]|1[0-9]|20"),
    *_STRIP,
    ("[.]0E", "E"),
    ("E", "e"),
)
#: DuckDB's CAST to VARCHAR (Python's repr): plain for 1e-4 <= |x| < 1e16, else ``1e-05``,
#: ``1.5e+16``.
_REPR: Final = (
    *_small(range(4, 5)),
    *_big(range(7, 16), "[7-9]|1[0-5]"),
    *_STRIP,
    ("[.]0E", "E"),
    ("E-([0-9])$", "e-0$1"),
    ("E-", "e-"),
    ("E", "e+"),
)


def _double_json(value: exp.Expr) -> exp.Expr:
    return _double_text(value, _JSON, {"nan": "NaN", "inf": "Infinity"})


def _double_text(
    value: exp.Expr, steps: tuple[tuple[str, str], ...], names: dict[str, str]
) -> exp.Expr:
    """`value` (a double) written as `steps` turn Java's text into DuckDB's; NULL stays NULL.

    Zero is Java's text of it, ``0.0`` or ``-0.0`` (DuckDB keeps the sign; ``$v < 0`` is false
    for -0.0, so the general case would drop it)."""
    java = template("CAST(abs($v) AS VARCHAR)", v=value)
    laid = java
    for pattern, replacement in steps:
        laid = template(
            "regexp_replace($s, $p, $r)", s=laid, p=literal(pattern), r=literal(replacement)
        )
    return template(
        "CASE WHEN $v IS NULL THEN NULL WHEN isnan($v) THEN $nan "
        "WHEN $v = CAST('Infinity' AS DOUBLE) THEN $inf "
        "WHEN $v = -CAST('Infinity' AS DOUBLE) THEN '-' || $inf "
        "WHEN $v = 0 THEN CAST($v AS VARCHAR) "
        "ELSE CASE WHEN $v < 0 THEN '-' ELSE '' END "
        "|| CASE WHEN $j LIKE '%E%' THEN $laid ELSE $j END END",
        v=value,
        nan=literal(names["nan"]),
        inf=literal(names["inf"]),
        j=java,
        laid=laid,
    )


class SparkDialect(WarehouseDialect):
    """Spark SQL: hoist's SQL rewritten by `spark` (see the module doc), rows hashed with
    ``xxhash64``; native state lives in the session's catalog (`hoist.sources.spark.catalog`)."""

    name: ClassVar[str] = "spark"
    holds_state: ClassVar[bool] = True
    recomputes_ctes: ClassVar[bool] = True

    def portable(self, expression: exp.Expr) -> exp.Expr:
        """`expression` with `spark` applied to every node."""
        return expression.transform(spark)

    def row_hash(self, values: list[exp.Expr]) -> exp.Expr:
        """``xxhash64`` of `values` (see `spark_row_hash`)."""
        return spark_row_hash(values)

    def text_hash(self, text: exp.Expr) -> exp.Expr:
        """``xxhash64`` of `text`."""
        return exp.Anonymous(this="xxhash64", expressions=[text])


def spark_row_hash(values: list[exp.Expr]) -> exp.Expr:
    """Spark's ``xxhash64`` over the values, each beside whether it is NULL, and the session's
    time zone.

    ``xxhash64`` skips a NULL argument (the running hash passes through unchanged), so
    ``(NULL, 'a')`` and ``('a', NULL)`` would hash alike: the NULL flags tell them apart. A
    value sent as text is hashed as Spark's ``string()`` of it, not as the display text the
    Spark rewrites give a cast (`hoist.sources.spark.dialect`): both are functions of the value, and
    ``string()`` costs a fraction. The text of a timestamp depends on the session's time zone,
    so the zone is hashed too (a changed zone sees every row as changed once).
    """
    hashed: list[exp.Expr] = [exp.Anonymous(this="current_timezone", expressions=[])]
    for value in values:
        if isinstance(value, exp.Cast) and value.to.is_type(*exp.DataType.TEXT_TYPES):
            value = exp.Anonymous(this="string", expressions=[value.this])
        hashed += [value, exp.Is(this=value.copy(), expression=exp.null())]
    return exp.Anonymous(this="xxhash64", expressions=hashed)
