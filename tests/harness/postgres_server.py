"""A throwaway PostgreSQL server for tests: initdb in a temp folder, a free port on 127.0.0.1.

Uses the Debian `postgresql-15` binaries (`.ci/packages.d/postgres.txt`; `.ci/run` installs
them). Postgres refuses to run as root, so when the tests run as root the server runs as the
`postgres` OS user the package creates, through `runuser`. The server only listens on
127.0.0.1 and a socket in its own folder, and requires a password, so tests exercise the same
authenticated URLs users write.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlglot import exp

__all__ = [
    "PostgresServer",
    "execute",
    "freeze",
    "quoted",
    "running_postgres",
    "start",
    "stop",
    "thaw",
]

#: Where Debian's postgresql-15 puts initdb and pg_ctl; POSTGRES_BIN overrides it.
DEFAULT_BIN = "/usr/lib/postgresql/15/bin"
USER = "hoist"
PASSWORD = "pg-secret-Zürich'\"@:/"  # quotes and URL-special characters, on purpose


@dataclass(frozen=True)
class PostgresServer:
    """A running server: connect as `USER` with `PASSWORD` to 127.0.0.1:`port`."""

    port: int
    folder: Path

    def url(self, database: str = "postgres") -> str:
        """A libpq URL for `database`, with the password percent-encoded."""
        return f"postgresql://{USER}:{quote(PASSWORD, safe='')}@127.0.0.1:{self.port}/{database}"


def _binary(name: str) -> str:
    path = Path(os.environ.get("POSTGRES_BIN", DEFAULT_BIN)) / name
    if not path.is_file():
        raise RuntimeError(
            f"{path} is missing: install the Debian package postgresql-15 "
            "(bash .ci/system-packages does it) or point POSTGRES_BIN at its bin folder"
        )
    return str(path)


def _as_server_user(command: list[str]) -> list[str]:
    # Postgres will not start as root; the Debian package creates the `postgres` user.
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _owned_tempdir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="hoist-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    return folder


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(command: list[str], folder: Path) -> None:
    done = subprocess.run(
        _as_server_user(command), capture_output=True, text=True, timeout=120, cwd=folder
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


def _initdb(folder: Path) -> Path:
    data = folder / "data"
    password_file = folder / "password"
    password_file.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(password_file, user="postgres")
    _run(
        [
            _binary("initdb"),
            f"--pgdata={data}",
            f"--username={USER}",
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ],
        folder,
    )
    password_file.unlink()
    return data


def _start(data: Path, folder: Path, port: int, settings: dict[str, str]) -> None:
    # fsync off: a test cluster is thrown away, and this keeps it fast on a shared machine.
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
    options += " -c synchronous_commit=off -c full_page_writes=off"
    options += "".join(f" -c {name}={value}" for name, value in settings.items())
    log = str(folder / "log")
    _run([_binary("pg_ctl"), "start", "-w", "-D", str(data), "-l", log, "-o", options], folder)


@contextmanager
def running_postgres(settings: dict[str, str] | None = None) -> Iterator[PostgresServer]:
    """Start a fresh cluster for the block; always stop it and delete its files afterwards.

    `settings`: server settings (``shared_buffers`` ...), e.g. for benchmarks.
    """
    folder = _owned_tempdir()
    try:
        data = _initdb(folder)
        port = _free_port()
        _start(data, folder, port, settings or {})
        try:
            yield PostgresServer(port=port, folder=folder)
        finally:
            if (data / "postmaster.pid").exists():  # a test may have stopped it (`stop`)
                _run([_binary("pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(data)], folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def stop(server: PostgresServer) -> None:
    """Stop the server as an operator would (`pg_ctl stop -m fast`): clients are cut off."""
    data = server.folder / "data"
    _run([_binary("pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(data)], server.folder)


def start(server: PostgresServer) -> None:
    """Start a stopped server again on its port."""
    _start(server.folder / "data", server.folder, server.port, {})


def _processes(server: PostgresServer) -> list[int]:
    """The postmaster of `server` and its children (the backends serving clients)."""
    postmaster = int((server.folder / "data" / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[1]) == postmaster:
            children.append(int(stat.parent.name))
    return [postmaster, *children]


def freeze(server: PostgresServer) -> None:
    """SIGSTOP every process of the server: connections stay open and nothing answers, as
    when a host hangs or a network drops packets."""
    _signal_all(server, signal.SIGSTOP)


def thaw(server: PostgresServer) -> None:
    """SIGCONT every process of a frozen server."""
    _signal_all(server, signal.SIGCONT)


def _signal_all(server: PostgresServer, signum: signal.Signals) -> None:
    """Send `signum` to the postmaster (first: it forks no child after) and its children; a
    child that ended since it was listed (a backend whose client just left) is skipped."""
    for pid in _processes(server):
        with suppress(ProcessLookupError):
            os.kill(pid, signum)


def quoted(name: str) -> str:
    """`name` as a quoted Postgres identifier."""
    return exp.to_identifier(name, quoted=True).sql("postgres")


def execute(url: str, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement outside a transaction on `url`; the rows it returns, if any."""
    import adbc_driver_postgresql.dbapi as pg  # imported here: collecting tests needs no driver

    with pg.connect(url, autocommit=True) as con, con.cursor() as cursor:
        cursor.execute(sql, parameters or None)
        return list(cursor.fetchall()) if cursor.description else []
