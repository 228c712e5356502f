"""PostgreSQL's dialect: the diff's rewrites (no TRY_CAST, JSON as text) and its row hashes."""

from __future__ import annotations

from typing import ClassVar

from sqlglot import exp

from hoist.sources.definition import WarehouseDialect
from hoist.sql.build import identifier, literal, template

__all__ = ["PostgresDialect", "postgres_rewrite"]

# Text a string must look like for a cast to succeed where the engine has no TRY_CAST.
_NUMBER = r"^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"
_TIMESTAMP = (
    r"^\s*[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?)?"
    r"\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)?\s*$"
)
_BIGINT_LIMIT = 9.2e18


class PostgresDialect(WarehouseDialect):
    """Postgres: hoist's SQL rewritten (`postgres_rewrite`), rows hashed with
    ``hash_record_extended``; native state lives in a schema of the database."""

    name: ClassVar[str] = "postgres"
    holds_state: ClassVar[bool] = True

    def portable(self, expression: exp.Expr) -> exp.Expr:
        """`expression` with `postgres_rewrite` applied to every node."""
        return expression.transform(postgres_rewrite)

    def row_hash(self, values: list[exp.Expr]) -> exp.Expr:
        """``hash_record_extended`` of the row of `values`."""
        # hash_record_extended (Postgres 14+) hashes each field with its type's own hash function:
        # no text is built for the integers, booleans and dates hashed as they are.
        row = exp.Anonymous(this="ROW", expressions=values)
        return exp.Anonymous(this="hash_record_extended", expressions=[row, literal(0)])

    def text_hash(self, text: exp.Expr) -> exp.Expr:
        """``hashtextextended`` of `text`."""
        return exp.Anonymous(this="hashtextextended", expressions=[text, literal(0)])


def postgres_rewrite(node: exp.Expr) -> exp.Expr:
    """Postgres has no TRY_CAST or isfinite(double), its to_json returns json, not text, and
    (before version 16) every subquery in FROM needs an alias.

    A node returned in place of another is not descended into, so replacements rewrite their
    own operands first.
    """
    if isinstance(node, exp.Subquery) and not node.alias and _in_from(node):
        node.set("alias", exp.TableAlias(this=identifier(f"_q{id(node)}")))
        return node
    if isinstance(node, exp.Anonymous) and node.name.lower() == "to_json":
        original = node.expressions[0]
        operand = original.transform(postgres_rewrite)
        if isinstance(original, exp.Cast) and original.to.is_type(*exp.DataType.INTEGER_TYPES):
            # A whole number's text is its JSON; a plain cast costs half of to_json per row.
            return exp.cast(operand, "TEXT")
        return exp.cast(exp.Anonymous(this="to_json", expressions=[operand]), "TEXT")
    if isinstance(node, exp.Anonymous) and node.name.lower() == "isfinite":
        number = node.expressions[0].transform(postgres_rewrite)
        specials = [exp.cast(literal(s), "DOUBLE") for s in ("Infinity", "-Infinity", "NaN")]
        return exp.not_(number.isin(*specials))
    if isinstance(node, exp.TryCast):
        return _checked_cast(node.this.transform(postgres_rewrite), node.to)
    return node


def _in_from(node: exp.Subquery) -> bool:
    # Templates put a subquery where a table name stood, so it may sit inside a Table node.
    parent = node.parent
    if isinstance(parent, exp.Table):
        return not parent.alias
    return isinstance(parent, exp.From | exp.Join)


def _checked_cast(value: exp.Expr, kind: exp.DataType) -> exp.Expr:
    # TRY_CAST's NULL on failure, by checking the value first: a failed CAST stops the query.
    cast = exp.cast(value.copy(), kind.copy())
    if kind.is_type(*exp.DataType.INTEGER_TYPES):
        guard: exp.Expr = template("abs($v) < $limit", v=value.copy(), limit=literal(_BIGINT_LIMIT))
    else:
        pattern = _NUMBER if kind.is_type(*exp.DataType.REAL_TYPES) else _TIMESTAMP
        text = exp.cast(value.copy(), "TEXT")
        guard = exp.RegexpLike(this=text, expression=literal(pattern))
    return exp.case().when(guard, cast)
