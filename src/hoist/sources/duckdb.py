"""The embedded default warehouse: a DuckDB database file, opened read-only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlglot import exp

from hoist.config import DuckDBSourceConfig
from hoist.errors import SourceError
from hoist.sources import Source

__all__ = ["DuckDBSource", "connect"]


class DuckDBSource(Source):
    """Reads a DuckDB file without ever writing to it."""

    dialect = "duckdb"

    def __init__(self, path: str | Path, *, writable: bool = False) -> None:
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
            # writable: warehouse-native state keeps its tables in the warehouse file.
            self._con = duckdb.connect(
                str(self.path), read_only=not writable, config={"memory_limit": "256MB"}
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

    def execute(self, sql: str) -> None:
        """Run one statement (committed: DuckDB autocommits)."""
        try:
            self._con.cursor().execute(sql)
        except duckdb.Error as exc:
            raise SourceError(f"a statement failed in DuckDB: {exc}") from exc

    def query(self, sql: str) -> pa.Table:
        """Run a query whose result is small and return it whole."""
        try:
            return self._con.cursor().sql(sql).to_arrow_table()
        except duckdb.Error as exc:
            raise SourceError(f"a query failed in DuckDB: {exc}") from exc

    def append(self, schema: str, table: str, rows: pa.Table) -> None:
        """Append `rows` to `schema`.`table`, matching columns by name."""
        if not rows.num_rows:
            return
        target = exp.table_(
            exp.to_identifier(table, quoted=True), db=exp.to_identifier(schema, quoted=True)
        ).sql("duckdb")
        cursor = self._con.cursor()
        try:
            cursor.register("hoist_rows", rows)
            cursor.execute(f"INSERT INTO {target} BY NAME SELECT * FROM hoist_rows")
        except duckdb.Error as exc:
            raise SourceError(f"appending to {target} failed in DuckDB: {exc}") from exc
        finally:
            cursor.close()

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


def connect(config: DuckDBSourceConfig, *, writable: bool = False) -> DuckDBSource:
    """Open the DuckDB warehouse `config` names (read-only unless `writable`)."""
    return DuckDBSource(config.path, writable=writable)
