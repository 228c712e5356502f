"""Amazon Redshift, through the redshift_connector SQLAlchemy dialect
(``pip install "hoist[redshift]"``). Redshift has no vendor ADBC driver.

Not exercised against a live Redshift here: its SQL rendering and config are tested offline.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import redshift_connector  # noqa: F401 - the DB-API driver the dialect loads
import sqlalchemy_redshift  # noqa: F401 - registers the redshift+redshift_connector dialect

from hoist.config import RedshiftSourceConfig
from hoist.sources._sqlalchemy import SqlAlchemySource, open_engine

__all__ = ["connect", "driver_url"]


def driver_url(url: str) -> str:
    """`url` spelled for SQLAlchemy: ``redshift://`` becomes ``redshift+redshift_connector://``."""
    parts = urlsplit(url)
    return urlunsplit(("redshift+redshift_connector", *parts[1:]))


def connect(config: RedshiftSourceConfig, *, writable: bool = False) -> SqlAlchemySource:
    """Open the Redshift database `config.url` names.

    `writable` changes nothing: the database's grants decide what hoist may write.
    """
    engine = open_engine(config.url, name="Redshift", driver_url=driver_url(config.url.reveal()))
    return SqlAlchemySource(engine, dialect="redshift", name="Redshift", url=config.url)
