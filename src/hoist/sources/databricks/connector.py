"""Databricks SQL warehouses, through the databricks SQLAlchemy dialect
(``pip install "hoist[databricks]"``). Databricks has no vendor ADBC driver for SQL warehouses.

Not exercised against a live Databricks here: its SQL rendering and config are tested offline.
"""

from __future__ import annotations

import databricks.sqlalchemy  # noqa: F401 - registers the databricks:// dialect

from hoist.config import DatabricksSourceConfig
from hoist.sources._sqlalchemy import SqlAlchemySource, open_engine

__all__ = ["connect"]


def connect(config: DatabricksSourceConfig, *, writable: bool = False) -> SqlAlchemySource:
    """Open the SQL warehouse `config.url` names.

    `writable` changes nothing: the database's grants decide what hoist may write.
    """
    engine = open_engine(config.url, name="Databricks")
    return SqlAlchemySource(engine, dialect="databricks", name="Databricks", url=config.url)
