"""The embedded default warehouse: a DuckDB database file, opened read-only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from hoist.config import DuckDBSourceConfig
from hoist.errors import SourceError
from hoist.sources import Source

__all__ = ["DuckDBSource", "connect"]


class DuckDBSource(Source):
    """Reads a DuckDB file without ever writing to it."""

    dialect = "duckdb"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise SourceError(
                f"the DuckDB warehouse {self.path} does not exist; check source.path in the "
                "activation file (a relative path is read from the activation file's folder)"
            )
        try:
            # read_only: a sync must never change the warehouse, and readers do not block
            # other read-only processes.
            # A model is read once, front to back: a small buffer pool keeps memory flat
            # however big the warehouse file is (DuckDB's default is 80% of RAM).
            self._con = duckdb.connect(
                str(self.path), read_only=True, config={"memory_limit": "256MB"}
            )
        except duckdb.Error as exc:
            raise SourceError(f"cannot open the DuckDB warehouse {self.path}: {exc}") from exc

    def read(self, sql: str, *, batch_rows: int = 65_536) -> pa.RecordBatchReader:
        """Run `sql` and stream its rows; the connection stays open until `close`."""
        try:
            # One cursor per query, so several readers can be open at once; a relation streams
            # straight to Arrow without the extra copy a DB-API result makes.
            reader = self._con.cursor().sql(sql).to_arrow_reader(batch_rows)
        except duckdb.Error as exc:
            raise SourceError(f"the model query failed in DuckDB: {exc}") from exc
        return pa.RecordBatchReader.from_batches(reader.schema, _translated(reader))

    def close(self) -> None:
        """Close the connection (and every cursor opened from it)."""
        self._con.close()


def _translated(reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
    # Some errors (a failing cast, error()) only surface while batches are fetched, and then
    # arrive through Arrow's stream as an OSError.
    try:
        yield from reader
    except (duckdb.Error, pa.ArrowException, OSError) as exc:
        raise SourceError(f"reading the model from DuckDB failed: {exc}") from exc


def connect(config: DuckDBSourceConfig) -> DuckDBSource:
    """Open the DuckDB warehouse `config` names."""
    return DuckDBSource(config.path)
