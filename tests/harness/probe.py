"""A loopback HTTP server the safety tests start: it records what reaches it (to prove that a
token did not) and answers fixed pages (an attacker's page on another port of 127.0.0.1, a
redirect)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Answer", "Probe", "running_probe"]


@dataclass(frozen=True)
class Answer:
    """What the probe answers on one path."""

    status: int = 200
    body: str = ""
    headers: tuple[tuple[str, str], ...] = (("content-type", "text/html; charset=utf-8"),)


@dataclass
class Probe:
    """The probe's answers by path, and every request it received (method, path, headers)."""

    answers: dict[str, Answer] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    def received(self, secret: str) -> bool:
        """Whether any request carried `secret` in a header."""
        return any(secret in value for _, _, headers in self.requests for value in headers.values())


def _handler(probe: Probe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length", "0") or 0)
            if length:
                self.rfile.read(length)
            probe.requests.append((self.command, self.path, dict(self.headers.items())))
            answer = probe.answers.get(self.path.partition("?")[0], Answer(404, "not here"))
            body = answer.body.encode()
            self.send_response(answer.status)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer  # noqa: N815 - the names http.server calls

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


@contextmanager
def running_probe(answers: dict[str, Answer] | None = None) -> Iterator[Probe]:
    """Serve a `Probe` on 127.0.0.1 (a free port) for the duration of the block."""
    probe = Probe(dict(answers or {}))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(probe))
    probe.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield probe
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
