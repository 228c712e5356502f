"""The quick-start demo: a real activation from the example warehouse to a local Intercom.

Builds the warehouse, starts `hoist emulator` on 127.0.0.1:8765, runs `hoist run` twice (the
second run finds nothing changed and makes no write call) and stops the emulator.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

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


def main() -> int:
    """Run the demo; the exit status is the second run's."""
    if not (HERE / "warehouse.duckdb").exists():
        subprocess.run([sys.executable, str(HERE / "build_warehouse.py")], check=True)
    shutil.rmtree(HERE / ".hoist", ignore_errors=True)  # a fresh emulator needs fresh state
    emulator = subprocess.Popen(
        [str(BIN / "hoist"), "emulator", "--port", str(PORT), "--token", TOKEN]
    )
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}")
        env = {**os.environ, "INTERCOM_ACCESS_TOKEN": TOKEN}
        activation = str(HERE / "companies.yml")
        print("\n$ hoist run examples/companies.yml   # first run: every company is new")
        first = subprocess.run([str(BIN / "hoist"), "run", activation], env=env, check=False)
        print("\n$ hoist run examples/companies.yml   # second run: nothing changed, no writes")
        second = subprocess.run([str(BIN / "hoist"), "run", activation], env=env, check=False)
        return first.returncode or second.returncode
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
