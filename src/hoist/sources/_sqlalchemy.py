"""A source over a SQLAlchemy engine, for warehouses without an ADBC driver.

DB-API drivers return Python rows; they are turned into Arrow batches of `batch_rows` rows
here. Arrow infers each column's type from its values; a column with only nulls in the first
batches is looked at further ahead (a bounded number of batches) before it is typed as text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
import sqlalchemy
from sqlalchemy.engine import Connection, CursorResult, Engine

from hoist.errors import SourceError
from hoist.secret import SecretUrl
from hoist.sources import Source
from hoist.sources._batches import stream

__all__ = ["SqlAlchemySource", "open_engine"]

_LOOKAHEAD = 16  # batches read ahead to type a column that starts with nulls only


def _error(what: str, exc: BaseException, url: SecretUrl) -> SourceError:
    # SQLAlchemy appends the statement and a link; the first line is the driver's message.
    message = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return SourceError(f"{what}: {url.redact(message[0] if message else type(exc).__name__)}")


def open_engine(url: SecretUrl, *, name: str, driver_url: str | None = None) -> Engine:
    """A SQLAlchemy engine for `url` (or `driver_url`, the same URL spelled for SQLAlchemy)."""
    try:
        return sqlalchemy.create_engine(driver_url or url.reveal(), pool_pre_ping=True)
    except (sqlalchemy.exc.SQLAlchemyError, ImportError, ValueError) as exc:
        raise _error(f"cannot open {name} at {url}", exc, url) from exc


class SqlAlchemySource(Source):
    """Streams query results through a SQLAlchemy connection as Arrow batches."""

    def __init__(self, engine: Engine, *, dialect: str, name: str, url: SecretUrl) -> None:
        self.dialect = dialect
        self.name = name
        self.url = url
        self.engine = engine
        self._connections: list[Connection] = []
        try:
            self._connections.append(engine.connect())
        except sqlalchemy.exc.SQLAlchemyError as exc:
            raise _error(f"cannot connect to {name} at {url}", exc, url) from exc

    def read(self, sql: str, *, batch_rows: int = 65_536) -> pa.RecordBatchReader:
        """Run `sql` (as written, no bind parameters) and stream its rows as Arrow batches."""
        connection = self._connections[0]
        try:
            result = connection.execution_options(stream_results=True).exec_driver_sql(sql)
            names = list(result.keys())
            ahead = _read_ahead(result, batch_rows)
        except sqlalchemy.exc.SQLAlchemyError as exc:
            raise _error(f"the model query failed in {self.name}", exc, self.url) from exc
        schema = _schema(names, ahead)
        batches = _batches(schema, ahead, result, batch_rows)
        return stream(schema, batches, batch_rows=batch_rows, translate=self._translate)

    def _translate(self, exc: Exception) -> Exception | None:
        if isinstance(exc, sqlalchemy.exc.SQLAlchemyError | pa.ArrowException):
            return _error(f"reading the model from {self.name} failed", exc, self.url)
        return None

    def close(self) -> None:
        """Close the connection and dispose of the engine's pool."""
        for connection in self._connections:
            connection.close()
        self.engine.dispose()


def _read_ahead(result: CursorResult[Any], batch_rows: int) -> list[list[pa.Array]]:
    """The first batches, as columns: enough to type every column, or `_LOOKAHEAD` batches."""
    ahead: list[list[pa.Array]] = []
    while len(ahead) < _LOOKAHEAD:
        rows = result.fetchmany(batch_rows)
        if not rows:
            break
        ahead.append([pa.array(column) for column in zip(*rows, strict=True)])
        if all(any(not pa.types.is_null(b[i].type) for b in ahead) for i in range(len(ahead[0]))):
            break
    return ahead


def _schema(names: Sequence[str], ahead: list[list[pa.Array]]) -> pa.Schema:
    fields = []
    for i, name in enumerate(names):
        typed = [batch[i].type for batch in ahead if not pa.types.is_null(batch[i].type)]
        fields.append(pa.field(name, typed[0] if typed else pa.string()))
    return pa.schema(fields)


def _batches(
    schema: pa.Schema, ahead: list[list[pa.Array]], result: CursorResult[Any], batch_rows: int
) -> Iterator[pa.RecordBatch]:
    for columns in ahead:
        yield _cast(schema, columns)
    while rows := result.fetchmany(batch_rows):
        yield _cast(schema, [pa.array(column) for column in zip(*rows, strict=True)])
    result.close()


def _cast(schema: pa.Schema, columns: list[pa.Array]) -> pa.RecordBatch:
    # A later batch can infer a narrower type (int where the schema says double): cast it.
    arrays = [
        c if c.type == f.type else c.cast(f.type) for c, f in zip(columns, schema, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
