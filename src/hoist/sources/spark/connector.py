"""Apache Spark: a session hoist starts itself (`master`) or a Spark Connect server (`remote`).

Rows reach hoist as Arrow record batches, a partition at a time; the model is never collected
whole (``collect()``, ``toArrow()`` and ``toPandas()`` all gather every row on the driver at
once, and count them against ``spark.driver.maxResultSize``). Two paths, one per kind of session:

- A session hoist starts (classic PySpark): the executors turn each partition into Arrow
  record batches (``Dataset.toArrowBatchRdd``, what ``toArrow`` uses) and one partition per
  job is streamed to hoist as ``toLocalIterator`` streams rows, so neither the driver JVM nor
  hoist holds more than one partition (two with prefetch), and no Python worker handles a row.
  (pyspark's ``DataFrame.__arrow_c_stream__`` streams by partition too, but through
  ``mapInArrow``'s Python workers, at over twice the cost, and fails on timestamp columns.)
- Spark Connect: the server's JVM writes Arrow batches into the gRPC response stream and the
  client yields each as it arrives (`to_table_as_iterator`). ``mapInArrow`` is avoided there:
  it ships a pickled Python function that the cluster can only run under the client's exact
  Python version, which a Databricks cluster rarely has.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from itertools import chain
from typing import Any

import pyarrow as pa
from py4j.protocol import Py4JError
from pyspark import SparkContext
from pyspark.errors import PySparkException
from pyspark.sql import SparkSession
from pyspark.sql.pandas.types import to_arrow_schema

from hoist import idle_imports
from hoist.config import SparkSourceConfig
from hoist.errors import SourceError
from hoist.sources import Source
from hoist.sources.spark import catalog as spark_catalog

# pyspark's Arrow paths need pyarrow's pandas integration, which hoist otherwise keeps idle.
idle_imports.allow()

__all__ = ["SparkSource", "connect", "start_session"]

# A session hoist starts is a batch job's: no web UI (it would take a port), no console
# progress bars or INFO logs mixed into hoist's output. Spark errors still reach the user, as
# SourceError. The user's `conf` overrides any of these.
_DEFAULT_CONF: dict[str, str] = {
    "spark.app.name": "hoist",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "FATAL",
    # Dates and zone-less timestamps mean UTC, as they do to DuckDB (Unix seconds agree).
    "spark.sql.session.timeZone": "UTC",
}


# pyspark logs every analysis error (with the JVM stack trace) to stderr as it raises it; hoist
# reports the same error once, as a SourceError.
_QUERY_LOGGERS = ("SQLQueryContextLogger", "DataFrameQueryContextLogger")


class SparkSource(Source):
    """Runs Spark SQL on a session and streams the result as Arrow batches."""

    dialect = "spark"

    def __init__(self, session: Any, *, owned: bool, secret: str | None = None) -> None:
        self._session = session
        self._owned = owned  # stop only a session this source started
        self._secret = secret  # scrubbed from every message (a Connect URL may hold a token)
        self._connect = type(session).__module__.startswith("pyspark.sql.connect")

    @property
    def session(self) -> Any:
        """The Spark session (classic or Connect) the source reads through."""
        return self._session

    def read(self, sql: str, *, batch_rows: int = 65_536) -> pa.RecordBatchReader:
        """Run `sql` and stream its rows; the query runs up to its first batch before returning."""
        try:
            frame = self._session.sql(sql)
            spark_schema = frame.schema  # Connect analyses lazily: surface errors here
            batches = self._stream(frame)
            first = next(batches, None)
        except (PySparkException, Py4JError) as exc:
            raise SourceError(f"the model query failed in Spark: {self._message(exc)}") from exc
        if first is None:
            schema = _arrow_schema(self._session, spark_schema)
            return pa.RecordBatchReader.from_batches(schema, iter(()))
        rest = self._translated(chain([first], batches), batch_rows)
        return pa.RecordBatchReader.from_batches(first.schema, rest)

    def _stream(self, frame: Any) -> Iterator[pa.RecordBatch]:
        if self._connect:
            return _connect_batches(frame)
        return _classic_batches(frame)

    def _translated(
        self, batches: Iterator[pa.RecordBatch], batch_rows: int
    ) -> Iterator[pa.RecordBatch]:
        # A task that fails after the first batch surfaces while later batches are fetched.
        try:
            for batch in batches:
                for start in range(0, batch.num_rows, batch_rows):
                    yield batch.slice(start, batch_rows)
        except (PySparkException, Py4JError) as exc:
            raise SourceError(f"reading the model from Spark failed: {self._message(exc)}") from exc

    def _message(self, exc: BaseException) -> str:
        return _scrubbed(_root_cause(exc), self._secret)

    # -- warehouse-native state (hoist.state.native.Warehouse) ------------------------------

    #: Parquet tables have no DELETE: the journal is not pruned (reads skip folded rows).
    can_delete = False

    def execute(self, sql: str) -> None:
        """Run one statement (Spark commits each by itself)."""
        self._guarded("a statement failed in Spark", lambda: self._session.sql(sql).collect())

    def query(self, sql: str) -> pa.Table:
        """Run a query whose result is small and return it whole."""
        table: pa.Table = self._guarded(
            "a query failed in Spark", lambda: self._session.sql(sql).toArrow()
        )
        return table

    def append(self, schema: str, table: str, rows: pa.Table) -> None:
        """Append `rows` to `schema`.`table` (columns matched by name)."""
        if rows.num_rows:
            self._guarded(
                f"appending to {schema}.{table} failed in Spark",
                lambda: spark_catalog.append(self._session, schema, table, rows),
            )

    def table_names(self, schema: str) -> list[str]:
        """The tables of database `schema`."""
        names: list[str] = self._guarded(
            "listing tables failed in Spark",
            lambda: spark_catalog.table_names(self._session, schema),
        )
        return names

    def column_names(self, schema: str, table: str) -> list[str]:
        """The columns of `schema`.`table` (none when it does not exist)."""
        names: list[str] = self._guarded(
            "reading a table's columns failed in Spark",
            lambda: spark_catalog.column_names(self._session, schema, table),
        )
        return names

    def _guarded(self, what: str, action: Any) -> Any:
        try:
            return action()
        except (PySparkException, Py4JError) as exc:
            raise SourceError(f"{what}: {spark_catalog.explained(self._message(exc))}") from exc

    def close(self) -> None:
        """Stop the session if this source started it; a session it was handed stays up."""
        if self._owned:
            self._session.stop()


def _classic_batches(frame: Any) -> Iterator[pa.RecordBatch]:
    """The frame's rows, one partition at a time, as the Arrow batches Spark's executors made.

    ``Dataset.toArrowBatchRdd`` converts each partition to Arrow record batches inside the
    executor JVMs (no Python worker: ``mapInArrow`` would send every batch through one and back,
    at over twice the cost), and ``PythonRDD.toLocalIteratorAndServe`` streams one partition per
    job to this process over Spark's authenticated local socket, the way ``toLocalIterator``
    does. Each blob is a record batch message without its schema: the schema is the one Spark
    converts with (the session's time zone, its large-types setting).
    """
    from pyspark.serializers import NoOpSerializer
    from pyspark.util import _local_iterator_from_socket

    session = frame.sparkSession
    schema = _arrow_schema(session, frame.schema)
    blobs = frame._jdf.toArrowBatchRdd()
    served = session.sparkContext._jvm.PythonRDD.toLocalIteratorAndServe(blobs, True)
    for blob in _local_iterator_from_socket(served, NoOpSerializer()):
        yield pa.ipc.read_record_batch(pa.py_buffer(blob), schema)


def _arrow_schema(session: Any, spark_schema: Any) -> pa.Schema:
    """The Arrow schema Spark gives `spark_schema`'s batches in `session`."""
    timezone = session.conf.get("spark.sql.session.timeZone")
    large = session.conf.get("spark.sql.execution.arrow.useLargeVarTypes", "false")
    return to_arrow_schema(
        spark_schema, timezone=timezone, prefers_large_types=large.lower() == "true"
    )


def _connect_batches(frame: Any) -> Iterator[pa.RecordBatch]:
    """The frame's rows as the Arrow batches a Spark Connect server streams back."""
    client = frame.sparkSession.client
    plan = frame._plan.to_proto(client)
    for item in client.to_table_as_iterator(plan, frame._plan.observations):
        if isinstance(item, pa.Table):
            yield from item.to_batches()


def _root_cause(exc: BaseException) -> str:
    """The innermost Spark message, first line only (no JVM stack trace)."""
    java = getattr(exc, "java_exception", None)
    if java is not None:
        try:
            while java.getCause() is not None:
                java = java.getCause()
            text = str(java.getMessage() or java.toString())
        except Py4JError:
            text = str(exc)
    elif isinstance(exc, PySparkException):
        text = exc.getMessage() or str(exc)
    else:
        text = str(exc)
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if "Traceback (most recent call last)" in text:
        # A Python worker failed: its exception line says why (the first line never does).
        raised = [line for line in lines if not line[0].isspace() and ": " in line]
        lines = raised[-1:] or lines
    return lines[0].strip() if lines else type(exc).__name__


def _scrubbed(message: str, url: str | None) -> str:
    """`message` without the Connect URL or any of its parameter values (``;token=...``)."""
    if not url:
        return message
    values = [part.partition("=")[2] for part in url.split(";")[1:]]
    for secret in sorted([url, *values], key=len, reverse=True):
        if len(secret) >= 4:
            message = message.replace(secret, "***")
    return message


def start_session(master: str, conf: dict[str, str] | None = None) -> Any:
    """A classic Spark session on `master`, or the one already running in this process."""
    # Spark's Python workers run $PYSPARK_PYTHON (default: `python3` on the PATH, which may
    # lack pyarrow); hoist's own interpreter has everything mapInArrow needs.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master)
    for key, value in {**_DEFAULT_CONF, **(conf or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _connect_session(url: str, conf: dict[str, str]) -> Any:
    # The Connect class itself: the generic builder refuses a remote session in a process that
    # already runs a classic one.
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    builder = ConnectSession.builder.remote(url)
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.create()


def connect(config: SparkSourceConfig, *, writable: bool = False) -> SparkSource:
    """Start (or join) the Spark session `config` describes.

    `writable`: the run keeps warehouse-native state, so a session hoist starts gets a
    persistent catalog (`spark_catalog.native_conf`), and a catalog in memory is refused.
    """
    conf = {key: _conf_text(value) for key, value in config.conf.items()}
    for name in _QUERY_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    url = config.remote.reveal() if config.remote is not None else None
    try:
        if url is not None:
            source = SparkSource(_connect_session(url, conf), owned=True, secret=url)
        else:
            assert config.master is not None
            # Any session of this process, not only the calling thread's: the active session
            # is per thread, and hoist opens sources in worker threads (a failed run is
            # recorded from one), where a notebook's session would pass for hoist's own and
            # be stopped on close. PySpark has no public test for it.
            running = SparkContext._active_spark_context is not None
            start = spark_catalog.native_conf(conf) if writable else conf
            source = SparkSource(start_session(config.master, start), owned=not running)
    except (PySparkException, Py4JError, OSError, RuntimeError) as exc:
        where = "the Spark Connect server" if url is not None else "Spark"
        raise SourceError(f"cannot start {where}: {_scrubbed(_root_cause(exc), url)}") from exc
    if writable:
        try:
            spark_catalog.check_persistent(source.session)
        except BaseException:
            source.close()
            raise
    return source


def _conf_text(value: str | int | float | bool) -> str:
    # YAML reads `true` and `2` as bool and int; Spark wants "true" and "2".
    return str(value).lower() if isinstance(value, bool) else str(value)
