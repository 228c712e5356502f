"""A source over an ADBC connection: the driver hands over Arrow batches, nothing is converted.

ADBC drivers (PostgreSQL, Snowflake, BigQuery) share one DB-API surface from
`adbc_driver_manager`, so one class serves them all; each connector module only opens the
connection. Driver errors become `SourceError` here, with the URL's credentials masked.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import adbc_driver_manager
import pyarrow as pa

from hoist.errors import SourceError
from hoist.secret import SecretUrl
from hoist.sources import Source
from hoist.sources._batches import stream

__all__ = ["AdbcSource", "driver_error"]

#: What ADBC drivers raise: DB-API errors, and the driver manager's own.
DRIVER_ERRORS = (adbc_driver_manager.Error, adbc_driver_manager.DatabaseError)


def driver_error(what: str, exc: BaseException, url: SecretUrl | None) -> SourceError:
    """A `SourceError` saying `what` failed, with the driver's message and no credentials."""
    # The driver appends the whole statement ("Query was: ..."): long, and not the user's SQL.
    message = str(exc).split("Query was:")[0].strip() or type(exc).__name__
    if url is not None:
        message = url.redact(message)
    return SourceError(f"{what}: {message}")


def _plain_type(field: pa.Field) -> pa.DataType:
    kind = field.type
    if not isinstance(kind, pa.BaseExtensionType):
        return kind
    if getattr(kind, "type_name", None) == "numeric":
        return _numeric_type(field)
    if kind.extension_name == "arrow.uuid":
        return pa.string()  # the canonical text: a uuid is often a company_id
    return kind.storage_type  # other opaque types (json, ...) as their text


def _numeric_type(field: pa.Field) -> pa.DataType:
    # Postgres NUMERIC comes as text, its declared precision and scale in the field metadata
    # (typmod = (precision << 16 | scale) + 4). Declared: an exact decimal, as DuckDB gives.
    # Undeclared (any scale, NaN, infinities): a double, which is what hoist sends anyway.
    typmod = int((field.metadata or {}).get(b"POSTGRESQL:typmod", b"-1"))
    precision, scale = (typmod - 4) >> 16, (typmod - 4) & 0xFFFF
    if typmod < 4 or not 0 < precision <= 38 or scale > precision:
        return pa.float64()
    return pa.decimal128(precision, scale)


def plain_schema(schema: pa.Schema) -> pa.Schema:
    """`schema` with the drivers' extension types replaced by the plain types hoist maps."""
    return pa.schema(
        [field.with_type(_plain_type(field)) for field in schema], metadata=schema.metadata
    )


def plain_batch(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """`batch` converted to `schema` (from `plain_schema`): extension columns unwrapped, cast."""
    if batch.schema.equals(schema):
        return batch
    columns = [_plain_column(c, f.type) for c, f in zip(batch.columns, schema, strict=True)]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _plain_column(column: pa.Array, kind: pa.DataType) -> pa.Array:
    if column.type == kind:
        return column
    if getattr(column.type, "extension_name", None) == "arrow.uuid":
        return pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())
    if isinstance(column.type, pa.BaseExtensionType):
        column = column.storage
    return column if column.type == kind else column.cast(kind)


#: How long a statement waits for the connection while another thread's statement runs, and
#: how long closing waits for it: a warehouse that stopped answering must not hold a run up.
BUSY_WAIT_S = 30.0
CLOSE_WAIT_S = 2.0


class AdbcSource(Source):
    """Streams query results from an open ADBC DB-API connection.

    Statements may come from a commit thread (`hoist.offload`); one at a time. If one never
    returns (the server stopped answering), the connection is left to the process's end
    rather than freed under it.
    """

    def __init__(
        self,
        connection: Any,
        *,
        dialect: str,
        name: str,
        url: SecretUrl | None,
        before_append: str | None = None,
    ) -> None:
        self.dialect = dialect
        self.name = name
        self.url = url
        self.connection = connection
        #: A statement run in an append's transaction first (Postgres: a statement timeout).
        self.before_append = before_append
        self._cursors: list[Any] = []
        self._busy = threading.Lock()

    def read(self, sql: str, *, batch_rows: int = 65_536) -> pa.RecordBatchReader:
        """Run `sql` and stream its Arrow batches as the driver fetches them."""
        self._acquire()
        # Held while the query runs (a run may be stopped meanwhile, from another thread), so
        # that closing never frees the connection under a statement that has not returned.
        try:
            cursor = self.connection.cursor()
            try:
                cursor.execute(sql)
                reader = cursor.fetch_record_batch()
            except DRIVER_ERRORS as exc:
                cursor.close()
                raise driver_error(f"the model query failed in {self.name}", exc, self.url) from exc
        finally:
            self._busy.release()
        # The stream lives only as long as its cursor: keep the cursor open until `close`.
        self._cursors.append(cursor)
        schema = plain_schema(reader.schema)
        batches = (plain_batch(batch, schema) for batch in reader)
        return stream(schema, batches, batch_rows=batch_rows, translate=self._translate)

    def execute(self, sql: str) -> None:
        """Run one statement and commit it."""
        self._run(sql, lambda cursor: None)

    def query(self, sql: str) -> pa.Table:
        """Run a query whose result is small and return it whole (then end the transaction)."""
        table: pa.Table = self._run(sql, lambda cursor: cursor.fetch_arrow_table())
        schema = plain_schema(table.schema)
        return pa.Table.from_batches([plain_batch(b, schema) for b in table.to_batches()], schema)

    def append(self, schema: str, table: str, rows: pa.Table) -> None:
        """Append `rows` to `schema`.`table` (bulk: COPY on Postgres) and commit."""
        if rows.num_rows:
            self._run(
                self.before_append,
                lambda cursor: cursor.adbc_ingest(
                    table, rows, mode="append", db_schema_name=schema
                ),
            )

    def _acquire(self) -> None:
        if not self._busy.acquire(timeout=BUSY_WAIT_S):
            raise SourceError(
                f"{self.name} has not answered a statement for {BUSY_WAIT_S:.0f} s; "
                "is the server up and reachable?"
            )

    def _run(self, sql: str | None, then: Any) -> Any:
        self._acquire()
        try:
            return self._run_now(sql, then)
        finally:
            self._busy.release()

    def _run_now(self, sql: str | None, then: Any) -> Any:
        cursor = self.connection.cursor()
        try:
            if sql is not None:
                cursor.execute(sql)
            result = then(cursor)
            self.connection.commit()
            return result
        except DRIVER_ERRORS as exc:
            self._rollback()
            raise driver_error(f"a statement failed in {self.name}", exc, self.url) from exc
        finally:
            cursor.close()

    def _rollback(self) -> None:
        with contextlib.suppress(*DRIVER_ERRORS):
            self.connection.rollback()

    def _translate(self, exc: Exception) -> Exception | None:
        if isinstance(exc, (*DRIVER_ERRORS, pa.ArrowException, OSError)):
            return driver_error(f"reading the model from {self.name} failed", exc, self.url)
        return None

    def close(self) -> None:
        """Close the cursors still open, then the connection (unless a statement is stuck)."""
        if not self._busy.acquire(timeout=CLOSE_WAIT_S):
            return  # freeing a connection in use could crash the driver; the exit closes it
        try:
            for cursor in self._cursors:
                cursor.close()
            self.connection.close()
        finally:
            self._busy.release()
