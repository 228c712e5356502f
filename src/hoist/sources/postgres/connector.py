"""PostgreSQL, read with ADBC's libpq-based driver (``pip install "hoist[postgres]"``).

Chosen over psycopg 3 binary COPY after measuring both (bench/postgres_read.py): the ADBC driver
decodes COPY's binary rows into Arrow columns in C++, so no Python object is made per value.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import adbc_driver_postgresql.dbapi

from hoist.config import PostgresSourceConfig
from hoist.sources._adbc import DRIVER_ERRORS, AdbcSource, driver_error

__all__ = ["APPEND_TIMEOUT_S", "connect"]

#: libpq settings every connection gets unless its URL sets them: give up connecting after
#: 10 s; probe an idle connection after 30 s, then every 10 s, and drop it after 3 misses.
_TIMEOUTS = {
    "connect_timeout": "10",
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}
#: Longest a state commit (an append to the journal) may run on the server.
APPEND_TIMEOUT_S = 60


def connect(config: PostgresSourceConfig, *, writable: bool = False) -> AdbcSource:
    """Open a connection to the database `config.url` names.

    `writable` changes nothing: the database's grants decide what hoist may write.
    """
    try:
        connection = adbc_driver_postgresql.dbapi.connect(_with_timeouts(config.url.reveal()))
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
    return AdbcSource(
        connection,
        dialect="postgres",
        name="Postgres",
        url=config.url,
        # A state commit is a small append: one held up by a lock for a minute is stuck.
        before_append=f"SET LOCAL statement_timeout = '{APPEND_TIMEOUT_S}s'",
    )


def _with_timeouts(url: str) -> str:
    """`url` with libpq's connection timeout and TCP keepalives, unless it sets them itself.

    Without them a server that vanishes (a network cut, a host gone) leaves a call waiting on
    a socket for ever (Linux keeps an idle connection for two hours before probing it).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        return url  # a key=value connection string: left as written
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    missing = {key: value for key, value in _TIMEOUTS.items() if key not in query}
    if not missing:
        return url
    return urlunsplit(parts._replace(query=urlencode({**query, **missing})))
