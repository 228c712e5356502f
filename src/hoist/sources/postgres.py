"""PostgreSQL, read with ADBC's libpq-based driver (``pip install "hoist[postgres]"``).

Chosen over psycopg 3 binary COPY after measuring both (bench/postgres_read.py): the ADBC driver
decodes COPY's binary rows into Arrow columns in C++, so no Python object is made per value.
"""

from __future__ import annotations

import adbc_driver_postgresql.dbapi

from hoist.config import PostgresSourceConfig
from hoist.sources._adbc import DRIVER_ERRORS, AdbcSource, driver_error

__all__ = ["connect"]


def connect(config: PostgresSourceConfig) -> AdbcSource:
    """Open a connection to the database `config.url` names."""
    try:
        connection = adbc_driver_postgresql.dbapi.connect(config.url.reveal())
    except DRIVER_ERRORS as exc:
        where = f"cannot connect to Postgres at {config.url}"
        raise driver_error(where, exc, config.url) from exc
    return AdbcSource(connection, dialect="postgres", name="Postgres", url=config.url)
