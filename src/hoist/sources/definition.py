"""What defines one warehouse: its config model, its dialect, the driver its connector needs.

Each warehouse's folder (`hoist.sources.<name>`) holds a `WAREHOUSE` made of these; the registry
(`hoist.sources.registry`) lists them. Nothing here imports a driver: the connector module
(`hoist.sources.<name>.connector`) is imported by name only when a source is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, get_args

from pydantic import BaseModel
from sqlglot import exp

__all__ = ["Warehouse", "WarehouseDialect"]


class WarehouseDialect:
    """What hoist's own SQL needs to know of one warehouse, beyond sqlglot's dialect.

    The diff's expressions are written for DuckDB; a warehouse whose SQL differs rewrites them
    (`portable`). Fingerprints need the warehouse's own 64-bit hashes (`row_hash`, `text_hash`);
    without one the warehouse diff normalises every row, correct but slower. Subclasses are small,
    one per warehouse in its folder (``dialect.py``), like sqlglot's own dialects.
    """

    #: The sqlglot dialect hoist's SQL is rendered in (a source's `dialect`).
    name: ClassVar[str] = ""
    #: Whether warehouse-native state (`state.in_warehouse: true`) can live in the warehouse:
    #: its connector implements `hoist.state.native.Warehouse`.
    holds_state: ClassVar[bool] = False
    #: Whether the engine computes a CTE again at every reference (Spark): the warehouse diff
    #: then runs in stages, each kept as a relation for the next (`hoist.diff.in_warehouse`).
    recomputes_ctes: ClassVar[bool] = False

    def portable(self, expression: exp.Expr) -> exp.Expr:
        """`expression` (written for DuckDB) rewritten where the warehouse lacks what it uses."""
        return expression

    def row_hash(self, values: list[exp.Expr]) -> exp.Expr | None:
        """A 64-bit hash of `values` (a row), or None where hoist knows none for the warehouse."""
        del values
        return None

    def text_hash(self, text: exp.Expr) -> exp.Expr:
        """A 64-bit hash of the text `text` (used where `row_hash` exists)."""
        return exp.func("hash", text)


@dataclass(frozen=True)
class Warehouse:
    """One warehouse hoist reads: what `source.type` names, and where its parts are."""

    #: The pydantic model of its `source:` section (its `type` literal names the warehouse).
    config: type[BaseModel]
    #: Its dialect; None where the dialect comes from the config (SQLAlchemy's URL).
    dialect: WarehouseDialect | None
    #: The top-level modules of the driver(s) its connector imports.
    drivers: tuple[str, ...]
    #: How to install them.
    install: str

    @property
    def type(self) -> str:
        """The `source.type` naming the warehouse (the config model's `type` literal)."""
        (name,) = get_args(self.config.model_fields["type"].annotation)
        return str(name)

    @property
    def connector(self) -> str:
        """The module of its connector: `connect(config) -> Source`, imported when used."""
        return self.config.__module__.rpartition(".")[0] + ".connector"
