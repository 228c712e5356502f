"""Any database SQLAlchemy reaches (``pip install "hoist[sqlalchemy]"`` plus its DB-API driver).

The long tail: MySQL, SQL Server, Oracle, SQLite, Trino ... `source.dialect` (or the URL's
backend) tells hoist which SQL dialect to write. Exercised here against SQLite and Postgres.
"""

from __future__ import annotations

import sqlalchemy  # noqa: F401 - imported first so a missing SQLAlchemy names the extra

from hoist.config import SqlAlchemySourceConfig
from hoist.sources._sqlalchemy import SqlAlchemySource, open_engine

__all__ = ["connect"]


def connect(config: SqlAlchemySourceConfig, *, writable: bool = False) -> SqlAlchemySource:
    """Open the database `config.url` names.

    `writable` changes nothing: the database's grants decide what hoist may write.
    """
    engine = open_engine(config.url, name=config.backend)
    return SqlAlchemySource(engine, dialect=config.sql_dialect, name=config.backend, url=config.url)
