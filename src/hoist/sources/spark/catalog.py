"""Warehouse-native state on Spark: a catalog that outlives the run, statements, bulk appends.

A session hoist starts has, by default, an in-memory catalog: tables made in one run would be
unknown to the next (their Parquet files stay, their names go). For native state hoist starts
the session with Hive support and an embedded Derby metastore, both shipped in the pyspark
wheel, so nothing is downloaded at run time: the tables are Parquet files under
``spark.sql.warehouse.dir`` (default ``.hoist/spark-warehouse`` beside the activation file),
their names and schemas in a Derby database beside it (``spark-metastore``). Embedded Derby
admits one process at a time, so two `hoist` processes using one metastore at once are
refused by Derby (one process, `hoist serve`, may run many activations on it).

A session hoist joins (already running in the process) or a Spark Connect server keeps its own
catalog; an in-memory one is refused for native state, since state kept there would vanish.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pyarrow as pa
from py4j.protocol import Py4JError
from pyspark.errors import AnalysisException, PySparkException
from sqlglot import exp

from hoist.errors import ConfigError
from hoist.sql.build import identifier, table

__all__ = [
    "WAREHOUSE_DIR",
    "append",
    "check_persistent",
    "column_names",
    "explained",
    "native_conf",
    "table_names",
]

WAREHOUSE_DIR: Final = "spark.sql.warehouse.dir"
_METASTORE_URL: Final = "spark.hadoop.javax.jdo.option.ConnectionURL"
_JAVA_OPTIONS: Final = "spark.driver.extraJavaOptions"


def native_conf(conf: dict[str, str]) -> dict[str, str]:
    """`conf` plus what a session keeping native state needs: Hive support with a Derby
    metastore beside the warehouse directory (each unless the user set it)."""
    extra = {"spark.sql.catalogImplementation": "hive"}
    warehouse = conf.get(WAREHOUSE_DIR)
    if warehouse is not None and "://" not in warehouse:
        home = Path(warehouse.removeprefix("file:")).parent / "spark-metastore"
        extra[_METASTORE_URL] = f"jdbc:derby:;databaseName={home / 'db'};create=true"
        # Derby writes its log to the working directory unless told otherwise.
        java = f"-Dderby.stream.error.file={home / 'derby.log'}"
        extra[_JAVA_OPTIONS] = " ".join(filter(None, [conf.get(_JAVA_OPTIONS), java]))
        home.mkdir(parents=True, exist_ok=True)
    merged = {**extra, **conf}
    if _JAVA_OPTIONS in extra:
        merged[_JAVA_OPTIONS] = extra[_JAVA_OPTIONS]
    return merged


def explained(message: str) -> str:
    """`message`, with the likely cause when Spark could not open its Hive metastore."""
    if "HiveMetaStoreClient" not in message:
        return message
    return (
        f"{message} (the Spark metastore could not be opened: embedded Derby admits one process "
        "at a time, so another hoist or Spark process may be using this project's "
        "spark-metastore; wait for it, or give this activation its own "
        "spark.sql.warehouse.dir in source.conf)"
    )


def check_persistent(session: Any) -> None:
    """Refuse a session whose catalog forgets its tables when the session ends."""
    try:
        catalog = session.conf.get("spark.sql.catalogImplementation", "hive")
    except (PySparkException, Py4JError):  # a server hiding the setting: its own catalog
        return
    if catalog == "in-memory":
        raise ConfigError(
            "warehouse-native state needs a Spark catalog that outlives the session, and this "
            "session's catalog is in memory (spark.sql.catalogImplementation: in-memory); "
            "let hoist start the session (it enables Hive support with a local metastore), "
            "give the Spark Connect server a persistent catalog, or remove state.in_warehouse",
            key="state.in_warehouse",
        )


def table_names(session: Any, schema: str) -> list[str]:
    """The tables of database `schema` (Spark has no information_schema).

    ``SHOW TABLES`` lists names only: ``catalog.listTables`` also reads each table's metadata
    from the metastore, one call per table, which costs a native plan seconds on a small
    machine. The session's temporary views, which it lists beside the tables, are left out.
    """
    rows = session.sql(f"SHOW TABLES IN {identifier(schema).sql('spark')}").collect()
    return [row["tableName"] for row in rows if not row["isTemporary"]]


def column_names(session: Any, schema: str, name: str) -> list[str]:
    """The columns of `schema`.`name` (none when it does not exist)."""
    try:
        return list(session.table(_qualified(schema, name)).columns)
    except AnalysisException:
        return []


def append(session: Any, schema: str, name: str, rows: pa.Table) -> None:
    """Append `rows` to `schema`.`name`, matching columns by name (absent ones are NULL)."""
    qualified = _qualified(schema, name)
    target = session.table(qualified).schema
    frame = session.createDataFrame(rows)
    given = set(rows.column_names)
    # SQL expressions, not Column objects: those belong to one kind of session (classic or
    # Connect), and the process may hold both.
    columns = [_cast(f.name if f.name in given else None, f) for f in target.fields]
    frame.selectExpr(*columns).write.insertInto(qualified)


def _cast(source: str | None, field: Any) -> str:
    """``CAST(source AS <field's type>) AS <field>`` in Spark SQL (source None: NULL)."""
    value = exp.column(identifier(source)) if source is not None else exp.null()
    kind = exp.DataType.build(field.dataType.simpleString(), dialect="spark")
    return exp.cast(value, kind).as_(identifier(field.name)).sql("spark")


def _qualified(schema: str, name: str) -> str:
    return table(name, schema).sql("spark")
