"""The quick-start demo: the example project (examples/) against a local Intercom.

Builds the warehouse, starts `hoist emulator` on 127.0.0.1:8765, gives that Intercom the
example's users (a real workspace has its users already), validates the project, previews its
segment, runs every activation twice (the first attaches each company's user, so the companies
show in Intercom's UI; the second finds nothing changed and makes no write call), says how many
companies Intercom shows, and stops the emulator.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx

from hoist.project.example import WAREHOUSE, build_warehouse

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
TOKEN = "demo-token"  # the emulator's token; real workspaces use their own access token
PORT = 8765


def wait_until_up(url: str, seconds: float = 15.0) -> None:
    """Wait for the emulator to answer, or fail with a clear message."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/me", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    sys.exit(f"the emulator did not start on {url} (is port {PORT} in use?)")


def add_users(url: str) -> int:
    """Create the warehouse's users as Intercom contacts, as a real workspace already has them."""
    con = duckdb.connect(str(HERE / WAREHOUSE), read_only=True)
    try:
        emails = [email for (email,) in con.sql("select email from analytics.users").fetchall()]
    finally:
        con.close()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
        for email in emails:
            client.post("/contacts", json={"role": "user", "email": email}).raise_for_status()
    return len(emails)


def visible_companies(url: str) -> tuple[int, int]:
    """(companies with a contact attached, all companies) in the emulator."""
    state = httpx.get(f"{url}/_emulator/state", timeout=10).json()
    companies = state["companies"]
    return sum(1 for c in companies if c.get("user_count")), len(companies)


def main() -> int:
    """Run the demo; the exit status is the first failing step's."""
    shutil.rmtree(HERE / ".hoist", ignore_errors=True)  # a fresh emulator needs fresh state
    emulator = subprocess.Popen(
        [str(BIN / "hoist"), "emulator", "--port", str(PORT), "--token", TOKEN]
    )
    url = f"http://127.0.0.1:{PORT}"
    try:
        # Built on every demo while the emulator starts, so an older demo's warehouse never
        # lacks a table; the same rows as `python examples/build_warehouse.py`.
        build_warehouse(HERE / WAREHOUSE)
        wait_until_up(url)
        users = add_users(url)
        print(f"\n# the local Intercom holds {users} users (contacts), as a real workspace does")
        print("# Intercom shows a company only once a contact is attached to it: the")
        print("# all-companies activation attaches each company's user (`contacts:` in hoist.yml)")
        env = {**os.environ, "INTERCOM_ACCESS_TOKEN": TOKEN}
        env.pop("INTERCOM_BASE_URL", None)  # the project's default: this emulator
        steps = [
            ("validate", "check every definition and the warehouse's columns"),
            ("segment preview paying-customers --limit 3", "the segment, without SQL"),
            ("run --all", "first run: every company is new, then the segment's update"),
            ("run --all", "second run: nothing changed, no writes"),
        ]
        status = 0
        for command, why in steps:
            print(f"\n$ hoist {command}   # {why}")
            done = subprocess.run(
                [str(BIN / "hoist"), *command.split()], cwd=HERE, env=env, check=False
            )
            status = status or done.returncode
        shown, total = visible_companies(url)
        print(f"\n# Intercom's UI shows {shown} of {total} companies (those with a contact)")
        return status
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
