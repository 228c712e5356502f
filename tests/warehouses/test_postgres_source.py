"""The Postgres source reads a real server's rows as typed Arrow batches; errors are SourceError."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from hoist.config import PostgresSourceConfig
from hoist.errors import SourceError
from hoist.secret import SecretUrl
from hoist.sources import open_source
from tests.harness.postgres_server import PASSWORD, execute

pytestmark = pytest.mark.postgres

ROWS = 10


@pytest.fixture
def warehouse(postgres_database: str) -> str:
    """A database holding analytics.companies with ten rows of varied types."""
    execute(postgres_database, "CREATE SCHEMA analytics")
    execute(
        postgres_database,
        "CREATE TABLE analytics.companies (account_id text, mrr numeric(12, 2), "
        "signed_up_at timestamp, is_enterprise boolean, seats integer, score double precision)",
    )
    execute(
        postgres_database,
        "INSERT INTO analytics.companies SELECT 'acc-' || i, i * 10.5, "
        "TIMESTAMP '2024-01-01 12:00:00' + i * INTERVAL '1 day', i % 2 = 0, "
        "CASE WHEN i % 3 = 0 THEN NULL ELSE i END, i / 4.0 FROM generate_series(0, $1 - 1) i",
        (ROWS,),
    )
    return postgres_database


def config(url: str) -> PostgresSourceConfig:
    """A postgres source config for `url`."""
    return PostgresSourceConfig(type="postgres", url=SecretUrl(url))


def test_reads_every_row_in_batches(warehouse: str) -> None:
    """A small batch size streams several batches that together hold every row, in order."""
    with open_source(config(warehouse)) as source:
        reader = source.read("SELECT * FROM analytics.companies ORDER BY mrr", batch_rows=3)
        batches = list(reader)

    assert len(batches) >= 4
    assert all(batch.num_rows <= 3 for batch in batches)
    table = pa.Table.from_batches(batches)
    assert table.column("account_id").to_pylist() == [f"acc-{i}" for i in range(ROWS)]


def test_column_types_and_values_arrive_intact(warehouse: str) -> None:
    """Text, numeric, timestamp, boolean, integer (with nulls) and double keep their values."""
    with open_source(config(warehouse)) as source:
        assert source.dialect == "postgres"
        table = source.read(
            "SELECT * FROM analytics.companies WHERE account_id IN ('acc-1', 'acc-3') "
            "ORDER BY account_id"
        ).read_all()

    assert table.schema.field("mrr").type == pa.decimal128(12, 2)
    rows = table.to_pylist()
    assert rows[0]["account_id"] == "acc-1"
    assert rows[0]["mrr"] == Decimal("10.50")
    assert rows[0]["signed_up_at"] == dt.datetime(2024, 1, 2, 12, 0)
    assert rows[0]["is_enterprise"] is False
    assert rows[0]["seats"] == 1
    assert rows[1]["seats"] is None
    assert rows[1]["score"] == 0.75


def test_bad_sql_is_a_source_error_with_postgres_message(warehouse: str) -> None:
    """A query naming a missing table fails as SourceError carrying Postgres's message."""
    with open_source(config(warehouse)) as source, pytest.raises(SourceError) as caught:
        source.read("SELECT * FROM analytics.nope")

    assert "analytics.nope" in str(caught.value)
    assert "does not exist" in str(caught.value)


def test_an_error_while_streaming_is_a_source_error(warehouse: str) -> None:
    """A query that fails part-way through its rows raises SourceError while reading."""
    sql = "SELECT 1 / (50000 - i) AS x FROM generate_series(0, 100000) i"
    with open_source(config(warehouse)) as source, pytest.raises(SourceError, match="by zero"):
        source.read(sql, batch_rows=1000).read_all()


def test_a_wrong_password_is_a_source_error_without_the_password(warehouse: str) -> None:
    """Authentication failures name the server, never the password tried or the real one."""
    wrong = warehouse.replace("@127.0.0.1", "x-WRONG-PW@127.0.0.1")
    with pytest.raises(SourceError) as caught:
        open_source(config(wrong))

    message = str(caught.value)
    assert "password authentication failed" in message
    assert "127.0.0.1" in message
    assert "x-WRONG-PW" not in message
    assert PASSWORD not in message
    for cause in (caught.value.__cause__, caught.value.__context__):
        assert cause is None or "x-WRONG-PW" not in str(cause)


def test_an_unreachable_server_is_a_source_error(warehouse: str) -> None:
    """A server that does not answer fails fast as SourceError naming where it looked."""
    closed = "postgresql://hoist@127.0.0.1:1/db?connect_timeout=2"
    with pytest.raises(SourceError, match=r"127\.0\.0\.1"):
        open_source(config(closed))


def test_postgres_only_types_arrive_as_types_hoist_maps(warehouse: str) -> None:
    """Unbounded numeric (NaN included) is a double, uuid and jsonb are text."""
    sql = (
        "SELECT v::numeric AS n, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u, "
        "'{\"k\": 1}'::jsonb AS j FROM (VALUES ('1.25'), ('NaN'), (NULL)) AS t(v)"
    )
    with open_source(config(warehouse)) as source:
        table = source.read(sql).read_all()

    assert table.schema.field("n").type == pa.float64()
    assert table.schema.field("u").type == pa.string()
    assert table.schema.field("j").type == pa.string()
    numbers = table.column("n").to_pylist()
    assert numbers[0] == 1.25
    assert numbers[1] != numbers[1]  # NaN
    assert numbers[2] is None
    assert table.column("u")[0].as_py() == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    assert table.column("j")[0].as_py() == '{"k": 1}'
