"""`hoist serve --log-format json`: one JSON object per line, for a log pipeline to parse.

Every line has `time` (UTC, ISO 8601), `level`, `logger`, `event` and `message`; lines about a
run add `activation`, `run_id`, `status` and `counts`, given by the code that logs them as
``extra=``. The UI's requests are logged by `AccessLogMiddleware` (logger ``hoist.access``)
with the method, the path without its query string (values there can be secrets), the status
and the time taken; never headers or bodies.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any, Final, Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AccessLogMiddleware", "JsonFormatter", "LogFormat", "configure_logging"]

LogFormat = Literal["text", "json"]
#: `extra=` fields copied to the JSON line when a log call gives them.
_FIELDS: Final = (
    "activation",
    "run_id",
    "status",
    "counts",
    "method",
    "path",
    "duration_ms",
    "client",
)
_HANDLER: Final = "hoist-serve"
access_log = logging.getLogger("hoist.access")


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object on one line."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", "log"),
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def configure_logging(log_format: LogFormat) -> None:
    """Log INFO and above to stderr, as text lines or as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    handler.set_name(_HANDLER)
    root = logging.getLogger()
    # Replace only a handler of an earlier call (a test calls serve more than once); others,
    # such as pytest's, stay.
    root.handlers[:] = [h for h in root.handlers if h.get_name() != _HANDLER] + [handler]
    root.setLevel(logging.INFO)
    # httpx logs every request URL at INFO, and a webhook URL is a credential.
    logging.getLogger("httpx").setLevel(logging.WARNING)


class AccessLogMiddleware:
    """Logs one line per HTTP request: method, path (no query string), status, time taken."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 500  # what the client sees if the app raises before answering

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            _log_request(scope, status, time.monotonic() - started)


def _log_request(scope: Scope, status: int, seconds: float) -> None:
    method, path = scope["method"], scope["path"]
    client = (scope.get("client") or ("-", 0))[0]
    access_log.info(
        "%s %s %d %.1f ms",
        method,
        path,
        status,
        seconds * 1000,
        extra={
            "event": "http_request",
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
            "client": client,
        },
    )
