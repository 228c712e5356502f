"""Warehouse connectors, found by `source.type` in a lazy registry (`hoist.sources.registry`).

Each warehouse is a folder, ``sources/<name>/``: its config model, its connector and its dialect.

A connector's module, and the database driver it needs, is imported only when an activation
uses it: importing hoist never imports duckdb, ADBC, SQLAlchemy or any other driver. Each
connector translates its driver's exceptions into `SourceError` at its own boundary, with
credentials masked. DuckDB and Postgres (and SQLAlchemy over SQLite and Postgres) are exercised
against live databases in the tests; Snowflake, BigQuery, Redshift and Databricks cannot be
reached from the test machine and are tested offline (config, SQL rendering, missing drivers).
"""

from __future__ import annotations

import importlib
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from hoist.errors import ConfigError
from hoist.sources.registry import SOURCE_TYPES, WAREHOUSES
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


def open_source(config: SourceConfig, *, file: str | None = None, writable: bool = False) -> Source:
    """Connect to the warehouse `config` describes, importing its driver only now.

    `file` is the activation file the config came from, named in configuration errors.
    `writable`: warehouse-native state writes its tables (a DuckDB file opens read-write).
    """
    warehouse = WAREHOUSES.get(config.type)
    if warehouse is None:
        hint = did_you_mean(config.type, SOURCE_TYPES)
        raise ConfigError(
            f"unknown source type {config.type!r};{hint} known types: {', '.join(SOURCE_TYPES)}",
            file=file,
            key="source.type",
        )
    try:
        module = importlib.import_module(warehouse.connector)
    except ModuleNotFoundError as exc:
        missing = exc.name.partition(".")[0] if exc.name else None
        if missing not in warehouse.drivers:
            raise  # a bug in hoist, not a missing driver
        raise ConfigError(
            f"source type {config.type!r} needs the {missing} driver, which is not "
            f"installed; {warehouse.install}",
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
