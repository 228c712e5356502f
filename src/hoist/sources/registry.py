"""Every warehouse hoist reads, derived from the folders under `hoist.sources`.

Adding a warehouse: its folder (``config.py``, ``connector.py``, ``dialect.py`` and an
``__init__.py`` naming them in a `Warehouse`), and its config model in `SourceConfig` below.
Everything else (the source types config accepts, the connectors `open_source` imports, the
dialects the diff asks, the docs' and schema's lists) follows from that one union.
"""

from __future__ import annotations

import sys
from typing import Annotated, Final, get_args

from pydantic import BaseModel, Field

from hoist.sources.bigquery.config import BigQuerySourceConfig
from hoist.sources.databricks.config import DatabricksSourceConfig
from hoist.sources.definition import Warehouse, WarehouseDialect
from hoist.sources.duckdb.config import DuckDBSourceConfig
from hoist.sources.postgres.config import PostgresSourceConfig
from hoist.sources.redshift.config import RedshiftSourceConfig
from hoist.sources.snowflake.config import SnowflakeSourceConfig
from hoist.sources.spark.config import SparkSourceConfig
from hoist.sources.sqlalchemy.config import SqlAlchemySourceConfig

__all__ = [
    "SOURCE_MODELS",
    "SOURCE_TYPES",
    "WAREHOUSES",
    "SourceConfig",
    "dialect_of",
]

#: Every source config, told apart by `type`, in the order messages and docs list the types.
SourceConfig = Annotated[
    DuckDBSourceConfig
    | PostgresSourceConfig
    | SnowflakeSourceConfig
    | BigQuerySourceConfig
    | RedshiftSourceConfig
    | DatabricksSourceConfig
    | SqlAlchemySourceConfig
    | SparkSourceConfig,
    Field(discriminator="type"),
]


def _warehouses() -> dict[str, Warehouse]:
    """Each config model's folder's `WAREHOUSE`, by its `type`."""
    models: tuple[type[BaseModel], ...] = get_args(get_args(SourceConfig)[0])
    folders = [sys.modules[model.__module__.rpartition(".")[0]] for model in models]
    found = [folder.WAREHOUSE for folder in folders]
    return {warehouse.type: warehouse for warehouse in found}


#: Every warehouse, by its `source.type`.
WAREHOUSES: Final[dict[str, Warehouse]] = _warehouses()
#: The `source.type` values config accepts.
SOURCE_TYPES: Final[tuple[str, ...]] = tuple(WAREHOUSES)
#: Each source type's config model.
SOURCE_MODELS: Final[dict[str, type[BaseModel]]] = {t: w.config for t, w in WAREHOUSES.items()}

_DIALECTS: Final[dict[str, WarehouseDialect]] = {
    w.dialect.name: w.dialect for w in WAREHOUSES.values() if w.dialect is not None
}
_PLAIN: Final = WarehouseDialect()


def dialect_of(name: str) -> WarehouseDialect:
    """The dialect of the sqlglot dialect `name` (a source's `dialect`); a plain one (hoist's
    SQL as sqlglot renders it, no row hash) for a dialect no warehouse folder defines."""
    return _DIALECTS.get(name, _PLAIN)
