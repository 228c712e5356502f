"""Errors read as people say them, and a wait shows that something is happening."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from hoist.emulator.testing import EmulatorHandle
from tests.harness.ui import TOKEN, TOKEN_VARIABLE, closed_port_url, csrf_form


def connection_answer(client: httpx.Client, base_url: str) -> str:
    """The answer of Test connection for a new destination on `base_url`."""
    form = {
        **csrf_form(client, "/destinations/new"),
        "name": "intercom",
        "region": "us",
        "token_env": TOKEN_VARIABLE,
        "base_url": base_url,
    }
    return client.post("/destinations/test", data=form).text


def test_an_unreachable_host_reads_cannot_connect(client: httpx.Client) -> None:
    """Test connection to a port nobody listens on says "cannot connect to HOST: connection
    refused", not a library's exception name."""
    url = closed_port_url()
    shown = connection_answer(client, url)
    host = url.removeprefix("http://")
    assert f"cannot connect to {host}: connection refused" in shown
    assert "ClientConnectorError" not in shown


def test_a_refused_token_reads_intercom_refused_the_token(
    client: httpx.Client, emulator_factory: Callable[..., EmulatorHandle]
) -> None:
    """A 401 from Intercom reads "Intercom refused the token (401 ...)"; the token is not shown."""
    strict = emulator_factory(token="only-this-one")
    shown = connection_answer(client, strict.base_url)
    assert "Intercom refused the token (401" in shown
    assert TOKEN not in shown


def test_test_connection_is_disabled_and_counts_seconds_while_it_waits(
    client: httpx.Client,
) -> None:
    """The Test connection button disables the form's buttons while it waits, and its
    indicator counts the seconds (hoist.js, no inline script)."""
    html = client.get("/destinations/new").text
    button = re.search(r"<button[^>]*>Test connection</button>", html)
    assert button is not None
    assert 'hx-disabled-elt="this, #destination-form button"' in button.group(0)
    assert re.search(r'id="testing"[^>]*>Asking Intercom… <span data-elapsed>', html)
    script = client.get("/static/hoist.js")
    assert script.status_code == 200
    assert "data-elapsed" in script.text
