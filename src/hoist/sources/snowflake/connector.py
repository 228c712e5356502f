"""Snowflake, read with ADBC's Snowflake driver (``pip install "hoist[snowflake]"``).

Not exercised against a live Snowflake here: its SQL rendering and config are tested offline.
"""

from __future__ import annotations

import adbc_driver_snowflake.dbapi

from hoist.config import SnowflakeSourceConfig
from hoist.sources._adbc import DRIVER_ERRORS, AdbcSource, driver_error

__all__ = ["connect"]


def connect(config: SnowflakeSourceConfig, *, writable: bool = False) -> AdbcSource:
    """Open a connection to the Snowflake account `config.url` names.

    `writable` changes nothing: the database's grants decide what hoist may write.
    """
    try:
        connection = adbc_driver_snowflake.dbapi.connect(config.url.reveal())
    except DRIVER_ERRORS as exc:
        where = f"cannot connect to Snowflake at {config.url}"
        raise driver_error(where, exc, config.url) from exc
    return AdbcSource(connection, dialect="snowflake", name="Snowflake", url=config.url)
