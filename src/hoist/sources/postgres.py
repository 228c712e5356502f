"""PostgreSQL, read with ADBC's libpq-based driver (``pip install "hoist[postgres]"``).

Chosen over psycopg 3 binary COPY after measuring both (bench/postgres_read.py): the ADBC driver
decodes COPY's binary rows into Arrow columns in C++, so no Python object is made per value.
"""

from __future__ import annotations

import adbc_driver_postgresql.dbapi

from hoist.config import PostgresSourceConfig
from hoist.sources._adbc import DRIVER_ERRORS, AdbcSource, driver_error

__all__ = ["connect"]


def connect(config: PostgresSourceConfig, *, writable: bool = False) -> AdbcSource:
    """Open a connection to the database `config.url` names.

    `writable` changes nothing: the database's grants decide what hoist may write.
    """
    try:
        connection = adbc_driver_postgresql.dbapi.connect(config.url.reveal())
        with connection.cursor() as cursor:
            # Timestamps without a zone mean UTC, as in DuckDB and in what Intercom stores.
            cursor.execute("SET TIME ZONE 'UTC'")
            # The diff sorts and hashes the model: in memory rather than spilled in 4 MB runs
            # (a server configured with more keeps its own setting).
            cursor.execute(
                "SELECT set_config('work_mem', '64MB', false) "
                "WHERE pg_size_bytes(current_setting('work_mem')) < pg_size_bytes('64MB')"
            )
            cursor.fetchall()
            # The diff is one large query: compiling it (JIT) cost more than it saved (bench).
            cursor.execute("SET jit = off")
        connection.commit()
    except DRIVER_ERRORS as exc:
        where = f"cannot connect to Postgres at {config.url}"
        raise driver_error(where, exc, config.url) from exc
    return AdbcSource(connection, dialect="postgres", name="Postgres", url=config.url)
