"""BigQuery, read with ADBC's BigQuery driver (``pip install "hoist[bigquery]"``).

Credentials: Google's Application Default Credentials, or the service-account key file
`credentials_file`. Not exercised against a live BigQuery here: its SQL rendering and config
are tested offline.
"""

from __future__ import annotations

import adbc_driver_bigquery.dbapi
from adbc_driver_bigquery import DatabaseOptions

from hoist.config import BigQuerySourceConfig
from hoist.sources._adbc import DRIVER_ERRORS, AdbcSource, driver_error

__all__ = ["connect", "options"]


def options(config: BigQuerySourceConfig) -> dict[str, str]:
    """The driver's database options for `config`."""
    found = {DatabaseOptions.PROJECT_ID.value: config.project}
    if config.dataset is not None:
        found[DatabaseOptions.DATASET_ID.value] = config.dataset
    if config.credentials_file is not None:
        found[DatabaseOptions.AUTH_TYPE.value] = (
            DatabaseOptions.AUTH_VALUE_JSON_CREDENTIAL_FILE.value
        )
        found[DatabaseOptions.AUTH_CREDENTIALS.value] = str(config.credentials_file)
    return found


def connect(config: BigQuerySourceConfig, *, writable: bool = False) -> AdbcSource:
    """Open a connection to the BigQuery project `config.project`.

    `writable` changes nothing: the database's grants decide what hoist may write.
    """
    try:
        connection = adbc_driver_bigquery.dbapi.connect(db_kwargs=options(config))
    except DRIVER_ERRORS as exc:
        where = f"cannot connect to BigQuery project {config.project!r}"
        raise driver_error(where, exc, None) from exc
    return AdbcSource(connection, dialect="bigquery", name="BigQuery", url=None)
