"""The quick-start demo: the example project (examples/) against a local Intercom.

Builds the warehouse, starts `hoist emulator` on 127.0.0.1:8765, validates the project, previews
its segment, runs every activation twice (the second run finds nothing changed and makes no
write call) and stops the emulator.
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
    """Run the demo; the exit status is the first failing step's."""
    if not (HERE / "warehouse.duckdb").exists():
        subprocess.run([sys.executable, str(HERE / "build_warehouse.py")], check=True)
    shutil.rmtree(HERE / ".hoist", ignore_errors=True)  # a fresh emulator needs fresh state
    emulator = subprocess.Popen(
        [str(BIN / "hoist"), "emulator", "--port", str(PORT), "--token", TOKEN]
    )
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}")
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
        return status
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
