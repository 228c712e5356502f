"""Warehouse connectors, found by `source.type` in a lazy registry.

A connector's module, and the database driver it needs, is imported only when an activation
uses it: importing hoist never imports duckdb, ADBC, SQLAlchemy or any other driver. Each
connector translates its driver's exceptions into `SourceError` at its own boundary, with
credentials masked. DuckDB and Postgres (and SQLAlchemy over SQLite and Postgres) are exercised
against live databases in the tests; Snowflake, BigQuery, Redshift and Databricks cannot be
reached from the test machine and are tested offline (config, SQL rendering, missing drivers).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from hoist.errors import ConfigError
from hoist.suggest import did_you_mean

if TYPE_CHECKING:
    import pyarrow as pa

    from hoist.config import SourceConfig

__all__ = ["Source", "open_source"]


class Source(Protocol):
    """An open connection to a warehouse that streams query results as Arrow batches.

    Use it as a context manager (or call `close`); subclasses inherit `__enter__`/`__exit__`.
    """

    #: The sqlglot dialect of the warehouse's SQL (e.g. ``"duckdb"``).
    dialect: str

    def read(self, sql: str, *, batch_rows: int = 65_536) -> pa.RecordBatchReader:
        """Run `sql` and stream its rows in batches of at most `batch_rows`.

        Raises `SourceError` when the query fails, now or while the reader is consumed.
        """
        ...

    def close(self) -> None:
        """Release the connection; readers already returned stop working."""
        ...

    def __enter__(self) -> Source:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class _Connector:
    module: str  # exposes connect(config) -> Source
    drivers: tuple[str, ...]  # the top-level modules of the database driver(s) it imports
    install: str  # how to get them


def _extra(name: str, *drivers: str) -> _Connector:
    return _Connector(f"hoist.sources.{name}.connector", drivers, f'pip install "hoist[{name}]"')


# Adding a warehouse: a module under hoist.sources, an entry here, a config in hoist.config,
# an extra in pyproject.toml.
_CONNECTORS: dict[str, _Connector] = {
    "duckdb": _Connector(
        "hoist.sources.duckdb.connector", ("duckdb",), 'pip install "duckdb>=1.4"'
    ),
    "postgres": _extra("postgres", "adbc_driver_postgresql", "adbc_driver_manager"),
    "snowflake": _extra("snowflake", "adbc_driver_snowflake", "adbc_driver_manager"),
    "bigquery": _extra("bigquery", "adbc_driver_bigquery", "adbc_driver_manager"),
    "redshift": _extra("redshift", "sqlalchemy", "sqlalchemy_redshift", "redshift_connector"),
    "databricks": _extra("databricks", "sqlalchemy", "databricks"),
    "sqlalchemy": _extra("sqlalchemy", "sqlalchemy"),
    "spark": _Connector(
        "hoist.sources.spark.connector", ("pyspark",), 'pip install "hoist[spark]"'
    ),
}


def open_source(config: SourceConfig, *, file: str | None = None, writable: bool = False) -> Source:
    """Connect to the warehouse `config` describes, importing its driver only now.

    `file` is the activation file the config came from, named in configuration errors.
    `writable`: warehouse-native state writes its tables (a DuckDB file opens read-write).
    """
    connector = _CONNECTORS.get(config.type)
    if connector is None:
        from hoist.config import SOURCE_TYPES  # config imports the warehouses' configs from here

        hint = did_you_mean(config.type, SOURCE_TYPES)
        raise ConfigError(
            f"unknown source type {config.type!r};{hint} known types: {', '.join(_CONNECTORS)}",
            file=file,
            key="source.type",
        )
    try:
        module = importlib.import_module(connector.module)
    except ModuleNotFoundError as exc:
        missing = exc.name.partition(".")[0] if exc.name else None
        if missing not in connector.drivers:
            raise  # a bug in hoist, not a missing driver
        raise ConfigError(
            f"source type {config.type!r} needs the {missing} driver, which is not "
            f"installed; {connector.install}",
            file=file,
            key="source.type",
        ) from exc
    try:
        source: Source = (
            module.connect(config, writable=True) if writable else module.connect(config)
        )
    except ConfigError as exc:
        if exc.file is not None or file is None:
            raise
        # A connector knows the key at fault, not the file it came from.
        message = str(exc).removeprefix(f"{exc.key}: ")
        raise ConfigError(message, file=file, key=exc.key) from exc
    return source
