"""The test Postgres server is real: it accepts the password, stores data and gives it back."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.harness.postgres_server import PASSWORD, execute, running_postgres

pytestmark = pytest.mark.postgres


def test_a_table_written_to_the_server_reads_back(postgres_database: str) -> None:
    """A table created over the fixture's URL holds the rows inserted into it, unicode included."""
    execute(postgres_database, "CREATE TABLE t (id integer PRIMARY KEY, name text)")
    execute(postgres_database, "INSERT INTO t VALUES ($1, $2)", (1, "Zürich — ok"))
    execute(postgres_database, "INSERT INTO t VALUES ($1, $2)", (2, None))

    rows = execute(postgres_database, "SELECT id, name FROM t ORDER BY id")

    assert rows == [(1, "Zürich — ok"), (2, None)]


def test_each_test_gets_an_empty_database(postgres_database: str) -> None:
    """A fresh database has no table left over from another test."""
    rows = execute(
        postgres_database,
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )

    assert rows == [(0,)]


def test_the_server_refuses_a_wrong_password(postgres_url: str) -> None:
    """The server checks passwords, so tests exercise authenticated URLs as users write them."""
    wrong = postgres_url.replace(quote(PASSWORD, safe=""), "wrong")
    assert wrong != postgres_url

    with pytest.raises(Exception, match="password authentication failed"):
        execute(wrong, "SELECT 1")


def test_the_server_stops_and_is_deleted_when_the_block_fails() -> None:
    """A failure inside `running_postgres` still stops the server and removes its files."""
    seen: list[tuple[int, Path]] = []

    def fail_inside() -> None:
        with running_postgres() as server:
            seen.append((server.port, server.folder))
            assert execute(server.url(), "SELECT 1") == [(1,)]
            raise RuntimeError("a failing test")

    with pytest.raises(RuntimeError, match="a failing test"):
        fail_inside()

    port, folder = seen[0]
    assert not folder.exists()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass
