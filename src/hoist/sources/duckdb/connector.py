"""The embedded default warehouse: a DuckDB database file, opened read-only and sandboxed.

A model is SQL the user wrote, and DuckDB's SQL can read any file (``read_text('/etc/…')``, a
table named by a path) or download extensions. So every connection runs with external access
off, extension auto-install and auto-load off, and its configuration locked: the warehouse file
is opened first, then nothing else. Reading files is an opt-in of the source, limited to the
folders its ``allowed_paths`` names (DuckDB's ``allowed_directories``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import duckdb
import pyarrow as pa
from sqlglot import exp

from hoist.config import DuckDBSourceConfig
from hoist.errors import SourceError
from hoist.sources import Source

__all__ = ["DuckDBSource", "connect", "sandboxed"]

#: Set at connect time: no extension is ever fetched or loaded behind the user's back.
_CONFIG: Final[dict[str, Any]] = {
    "memory_limit": "256MB",
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
_CONFIGURING = threading.Lock()
_FILES_REFUSED = (
    "the model may not read files: hoist runs DuckDB with external access off; to let it "
    "read files under a folder of the project, list the folder in the source's "
    "allowed_paths (e.g. allowed_paths: [data/])"
)


def sandboxed(
    path: Path, *, read_only: bool, allowed_paths: Sequence[Path] = ()
) -> duckdb.DuckDBPyConnection:
    """A connection to the DuckDB file `path` that can read no other file (but those under
    `allowed_paths`), fetch no extension, and cannot be reconfigured by the SQL it runs.

    A small buffer pool keeps memory flat however big the warehouse is (DuckDB's default is
    80% of RAM).
    """
    # Connections to one file share one database in a process: the first one configures and
    # locks it; the lock keeps a second one from finding it half configured.
    with _CONFIGURING:
        con = duckdb.connect(str(path), read_only=read_only, config=_CONFIG)
        try:
            if not con.sql("SELECT current_setting('lock_configuration')").fetchall()[0][0]:
                if allowed_paths:
                    # Allowed directories must be set while external access is still on.
                    folders = [f"{Path(p)}/" for p in allowed_paths]
                    con.sql("SET allowed_directories = $folders", params={"folders": folders})
                con.sql("SET enable_external_access = false")
                con.sql("SET lock_configuration = true")
            if con.sql("SELECT current_setting('enable_external_access')").fetchall()[0][0]:
                raise SourceError(f"the DuckDB warehouse {path} is open without its sandbox")
        except BaseException:
            con.close()
            raise
    return con


class DuckDBSource(Source):
    """Reads a DuckDB file without ever writing to it."""

    dialect = "duckdb"

    def __init__(
        self, path: str | Path, *, writable: bool = False, allowed_paths: Sequence[Path] = ()
    ) -> None:
        self.path = Path(path)
        #: The streams `read` opened: closed with the connection (see `close`).
        self._streams: list[pa.RecordBatchReader] = []
        if not self.path.is_file():
            raise SourceError(
                f"the DuckDB warehouse {self.path} does not exist; check source.path in the "
                "activation file (a relative path is read from the activation file's folder)"
            )
        try:
            # read_only: a sync must never change the warehouse, and readers do not block
            # other read-only processes.
            # writable: warehouse-native state keeps its tables in the warehouse file.
            self._con = sandboxed(self.path, read_only=not writable, allowed_paths=allowed_paths)
        except duckdb.Error as exc:
            raise SourceError(f"cannot open the DuckDB warehouse {self.path}: {exc}") from exc

    def read(self, sql: str, *, batch_rows: int = 65_536) -> pa.RecordBatchReader:
        """Run `sql` and stream its rows; the connection stays open until `close`."""
        try:
            # One cursor per query, so several readers can be open at once; a relation streams
            # straight to Arrow without the extra copy a DB-API result makes.
            reader = self._con.cursor().sql(sql).to_arrow_reader(batch_rows)
        except duckdb.PermissionException as exc:
            raise SourceError(f"{_FILES_REFUSED} ({exc})") from exc
        except duckdb.Error as exc:
            raise SourceError(f"the model query failed in DuckDB: {exc}") from exc
        self._streams.append(reader)
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
        """Close the connection, every cursor opened from it and every stream `read` opened.

        A stream a run stopped reading (the token refused after the model query started) would
        keep the database open in this process, with this connection's configuration: a later
        connection with another one (read-write, for warehouse-native state) would be refused.
        """
        for stream in self._streams:
            stream.close()
        self._streams.clear()
        self._con.close()


def _translated(reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
    # Some errors (a failing cast, error()) only surface while batches are fetched, and then
    # arrive through Arrow's stream as an OSError.
    try:
        yield from reader
    except duckdb.PermissionException as exc:
        raise SourceError(f"{_FILES_REFUSED} ({exc})") from exc
    except (duckdb.Error, pa.ArrowException, OSError) as exc:
        raise SourceError(f"reading the model from DuckDB failed: {exc}") from exc


def connect(config: DuckDBSourceConfig, *, writable: bool = False) -> DuckDBSource:
    """Open the DuckDB warehouse `config` names (read-only unless `writable`)."""
    return DuckDBSource(config.path, writable=writable, allowed_paths=config.allowed_paths)
