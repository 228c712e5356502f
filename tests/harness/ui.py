"""The web UI of `hoist serve` for the tests: its project warehouse, its server on a free port
(for the browser), and its ASGI app in this process (for the routes that need no browser)."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import httpx
import yaml
from playwright.sync_api import Page

from hoist.ui.app import create_app
from hoist.ui.runs import Background, RunManager
from hoist.ui.ui_server import UiServer
from tests.harness.asgi import SyncASGI

#: The token the UI's destination names by variable; it must never reach a page or a file.
TOKEN = "ui-test-token-7f3a9c1e5b"
TOKEN_VARIABLE = "HOIST_UI_TEST_INTERCOM_TOKEN"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Where the tests' screenshots go (committed; shown in the README).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "ui"


def waiting(page: Page, path: str) -> Callable[[Callable[[], object]], None]:
    """Do an action, then wait for the htmx request it sends to `path` to be answered."""

    def act(action: Callable[[], object]) -> None:
        with page.expect_response(lambda response: path in response.url):
            action()
        # htmx swaps the answer in, then settles: wait until no element is in either step.
        page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
        )

    return act


def csrf_form(client: httpx.Client, path: str) -> dict[str, str]:
    """The hidden fields (CSRF token, file fingerprint) the page at `path` gives its form."""
    html = client.get(path).text
    fields = dict(re.findall(r'name="(csrf|expected)" value="([^"]*)"', html))
    assert "csrf" in fields, path
    return fields


def build_warehouse(path: Path) -> None:
    """40 companies over plans, regions and sizes: enough for a segment of three conditions."""
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA analytics")
    con.execute(
        """
        CREATE TABLE analytics.companies AS
        SELECT 'acct-' || lpad(i::VARCHAR, 3, '0') AS account_id,
               'Company ' || i AS account_name,
               ['Starter', 'Pro', 'Enterprise', 'Pro'][i % 4 + 1] AS plan_name,
               (i * 37 % 500)::INTEGER AS mrr,
               ['eu', 'us', 'apac'][i % 3 + 1] AS region,
               (i * 7 % 100)::DOUBLE AS health_score,
               i % 5 = 0 AS churned
        FROM range(40) t(i)
        """
    )
    con.close()


def add_project_definitions(root: Path, base_url: str, *, give_up_after: str = "") -> None:
    """A destination `intercom` on `base_url` (token by variable) and a segment `eu` (the
    companies of region eu), written into the project's hoist.yml as a team would."""
    path = root / "hoist.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    destination = {"access_token": f"${{{TOKEN_VARIABLE}}}", "base_url": base_url}
    if give_up_after:
        destination["give_up_after"] = give_up_after
    document["destinations"] = {"intercom": destination}
    document["segments"] = {
        "eu": {
            "source": "warehouse",
            "from": "analytics.companies",
            "where": {"all": [{"column": "region", "op": "eq", "value": "eu"}]},
        }
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def add_activation(root: Path, name: str, *, schedule: str = "", insert: bool = True) -> None:
    """An activation `name` of the segment `eu` to `intercom` (see `add_project_definitions`)."""
    document: dict[str, object] = {
        "destination": "intercom",
        "model": {"segment": "eu"},
        "sync": {"insert": insert, "company_id": "account_id", "mapping": {"name": "account_name"}},
    }
    if schedule:
        document["schedule"] = schedule
    folder = root / "activations"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yml").write_text(yaml.safe_dump(document, sort_keys=False))


def closed_port_url() -> str:
    """A loopback URL nobody listens on (a port the system just gave and took back)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class RunningUi:
    """A running UI server: its URL and the server object."""

    url: str
    server: UiServer


def start_ui(root: Path, *, password: str | None = None) -> tuple[UiServer, threading.Thread]:
    """Start the UI server of `hoist serve` on a free port, in a thread; wait until it listens."""
    server = UiServer(root, [], host="127.0.0.1", port=0, password=password)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.server.started:
        assert thread.is_alive(), "the UI server stopped while starting"
        assert time.monotonic() < deadline, "the UI server did not start"
        time.sleep(0.05)
    return server, thread


@contextlib.contextmanager
def ui_client(root: Path, *, password: str | None = None) -> Iterator[httpx.Client]:
    """The UI's ASGI app over the project in `root`, in this process (no socket, no browser),
    behind a client that keeps cookies as a browser does; runs stopped and committed after."""
    background = Background()
    runs = RunManager(background, {})
    app = create_app(root, runs, password=password)
    try:
        # The Host and Origin a browser on the UI's default address sends.
        base = "http://127.0.0.1:8600"
        headers = {"Origin": base}
        with httpx.Client(transport=SyncASGI(app), base_url=base, headers=headers) as client:
            yield client
    finally:
        runs.stop_all()
        background.close()


def run_to_the_end(client: httpx.Client, name: str) -> str:
    """Press Run now on activation `name` and wait for the run's end; its progress panel."""
    path = f"/activations/{name}"
    client.post(f"{path}/run", data=csrf_form(client, path))
    deadline = time.monotonic() + 120
    while "Run again" not in (shown := client.get(f"{path}/run/progress").text):
        assert time.monotonic() < deadline, f"the run did not end: {shown}"
        time.sleep(0.2)
    return shown
