"""A real local HTTP server that receives alert webhooks, for tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["WebhookReceiver", "running_receiver"]


class WebhookReceiver:
    """Records every POSTed JSON body; answers `fail_first` requests with `fail_status` first."""

    def __init__(self, fail_first: int = 0, fail_status: int = 503) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.attempts = 0
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.url = ""
        self._lock = threading.Lock()

    def answer(self, body: dict[str, Any]) -> int:
        """Record one attempt; the status to answer it with."""
        with self._lock:
            self.attempts += 1
            if self.attempts <= self.fail_first:
                return self.fail_status
            self.bodies.append(body)
            return 200

    def events(self) -> list[str]:
        """The `event` of every accepted body, in order."""
        with self._lock:
            return [body["event"] for body in self.bodies]

    def wait_for(self, count: int, timeout_s: float = 60.0) -> list[dict[str, Any]]:
        """Wait until `count` bodies were accepted; all accepted bodies."""
        deadline = time.monotonic() + timeout_s
        while len(self.bodies) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        with self._lock:
            return list(self.bodies)


def _handler(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            status = receiver.answer(json.loads(self.rfile.read(length) or b"{}"))
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


@contextmanager
def running_receiver(fail_first: int = 0, fail_status: int = 503) -> Iterator[WebhookReceiver]:
    """Serve a `WebhookReceiver` on 127.0.0.1 for the duration of the block."""
    receiver = WebhookReceiver(fail_first, fail_status)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T000/B000/SECRET-PATH"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
