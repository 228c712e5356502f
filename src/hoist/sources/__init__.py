"""Warehouse connectors, found by `source.type` in a lazy registry.

A connector's module, and the database driver it needs, is imported only when an activation
uses it: importing hoist never imports duckdb, psycopg or any other driver. Each connector
translates its driver's exceptions into `SourceError` at its own boundary.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from hoist.config import SOURCE_TYPES, SourceConfig
from hoist.errors import ConfigError
from hoist.suggest import did_you_mean

if TYPE_CHECKING:
    import pyarrow as pa

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
    driver: str  # the top-level module of the database driver
    install: str  # how to get the driver


# Adding a warehouse: a module under hoist.sources, an entry here, a config in hoist.config.
_CONNECTORS: dict[str, _Connector] = {
    "duckdb": _Connector("hoist.sources.duckdb", "duckdb", 'pip install "duckdb>=1.4"'),
    "spark": _Connector("hoist.sources.spark", "pyspark", 'pip install "hoist[spark]"'),
}


def open_source(config: SourceConfig, *, file: str | None = None) -> Source:
    """Connect to the warehouse `config` describes, importing its driver only now.

    `file` is the activation file the config came from, named in configuration errors.
    """
    connector = _CONNECTORS.get(config.type)
    if connector is None:
        hint = did_you_mean(config.type, SOURCE_TYPES)
        raise ConfigError(
            f"unknown source type {config.type!r};{hint} known types: {', '.join(_CONNECTORS)}",
            file=file,
            key="source.type",
        )
    try:
        module = importlib.import_module(connector.module)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.partition(".")[0] != connector.driver:
            raise  # a bug in hoist, not a missing driver
        raise ConfigError(
            f"source type {config.type!r} needs the {connector.driver} driver, which is not "
            f"installed; {connector.install}",
            file=file,
            key="source.type",
        ) from exc
    source: Source = module.connect(config)
    return source
