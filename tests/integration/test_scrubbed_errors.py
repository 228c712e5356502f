"""Text that comes back from outside is scrubbed before it is printed, stored or rendered: an
Intercom error that echoes the Authorization header never puts the token into the run report,
`hoist run --json` or the state file; a driver's message never shows a URL password. One
redaction function serves them all, the webhooks' too."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import httpx
import pytest

import hoist
from hoist.config import parse_activation
from hoist.emulator import Emulator, EmulatorConfig, create_app
from hoist.errors import FatalDestinationError, SourceError
from hoist.run_api import run_errors
from hoist.schedule import alerts
from hoist.secret import redact

TOKEN = "tok-echoed-4f9a2c7e"


class EchoingIntercom(httpx.AsyncBaseTransport):
    """The emulator, except that company writes fail with a message quoting the request's
    Authorization header and the bare token (a fault the emulator cannot produce)."""

    def __init__(self, status: int = 422) -> None:
        self.status = status
        self.inner = httpx.ASGITransport(app=create_app(Emulator(EmulatorConfig(token=TOKEN))))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer company writes with the echo; everything else as the emulator does."""
        if request.method == "POST" and request.url.path == "/companies":
            header = request.headers["authorization"]
            message = f"bad request (Authorization: {header}); token {header.split()[1]} refused"
            body = {"type": "error.list", "errors": [{"code": "bad", "message": message}]}
            return httpx.Response(self.status, json=body)
        return await self.inner.handle_async_request(request)


def activation(folder: Path) -> hoist.ActivationConfig:
    """Three companies to create, with the token in the config."""
    con = duckdb.connect(str(folder / "warehouse.duckdb"))
    con.execute(
        "CREATE TABLE companies AS SELECT 'c' || i AS id, 'n' || i AS name FROM range(3) t(i)"
    )
    con.close()
    return parse_activation(
        {
            "name": "echo",
            "source": {"path": "warehouse.duckdb"},
            "model": {"table": "companies"},
            "destination": {"access_token": TOKEN, "base_url": "http://127.0.0.1"},
            "sync": {"company_id": "id", "mapping": {"name": "name"}},
        },
        file=folder / "activation.yml",
        environ={},
    )


def stored(folder: Path) -> bytes:
    """Every byte hoist wrote beside the activation (state, its log, the lock)."""
    return b"".join(p.read_bytes() for p in (folder / ".hoist").rglob("*") if p.is_file())


def test_a_rejection_echoing_the_token_is_scrubbed_everywhere(tmp_path: Path) -> None:
    """Record errors quoting the header keep their text but show *** for the token, in the
    report, its JSON and the state file."""
    config = activation(tmp_path)
    report = hoist.run(config, transport=EchoingIntercom(422))
    assert len(report.errors) == 3
    assert "Authorization: Bearer ***" in report.errors[0].message
    assert "token *** refused" in report.errors[0].message
    assert TOKEN not in json.dumps(report.to_json())
    assert TOKEN.encode() not in stored(tmp_path)
    assert hoist.runs(config)
    recorded = run_errors(config, report.run_id)
    assert len(recorded) == 3
    assert TOKEN not in json.dumps(recorded, default=str)


def test_a_fatal_error_echoing_the_token_is_scrubbed(tmp_path: Path) -> None:
    """A 401 whose message quotes the token raises an error that does not."""
    with pytest.raises(FatalDestinationError) as caught:
        hoist.run(activation(tmp_path), transport=EchoingIntercom(401))
    assert TOKEN not in str(caught.value)
    assert "Bearer ***" in str(caught.value)
    assert TOKEN.encode() not in stored(tmp_path)


def test_a_driver_message_never_shows_a_url_password() -> None:
    """A source error quoting a connection URL or a bearer value shows them masked."""
    error = SourceError(
        "could not connect to postgresql://loader:Pg-pass-77@db:5432/x?password=Pg-pass-77 "
        "(header Authorization: Bearer abcdef123456789)"
    )
    assert "Pg-pass-77" not in str(error)
    assert "abcdef123456789" not in str(error)
    assert "postgresql://loader:***@db:5432/x?password=***" in str(error)


def test_one_redaction_serves_webhooks_and_errors() -> None:
    """The webhooks' scrubber is the shared one, and it masks a bearer value as well."""
    assert alerts.redact is redact
    assert redact("Authorization: Bearer abc.def-123456") == "Authorization: Bearer ***"
    assert redact("token abc", ["abc"]) == "token ***"
