"""Intercom's error envelope, raised as one exception type inside the emulator."""

from __future__ import annotations

import uuid
from typing import Any

__all__ = ["ApiError", "bad_parameter", "error_body", "invalid"]


class ApiError(Exception):
    """An Intercom error response: HTTP status plus one `error.list` entry."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def body(self) -> dict[str, Any]:
        """The JSON body Intercom sends for this error."""
        return error_body(self.code, self.message, self.field)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """Build an `error.list` envelope with a fresh request id."""
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"type": "error.list", "request_id": str(uuid.uuid4()), "errors": [error]}


def bad_parameter(name: str) -> ApiError:
    """The documented 400 for an unknown top-level body key ("bad 'test' parameter")."""
    return ApiError(400, "bad_request", f"bad '{name}' parameter")


def invalid(message: str, field: str | None = None) -> ApiError:
    """A 400 `parameter_invalid`, the code Intercom uses for values it refuses."""
    return ApiError(400, "parameter_invalid", message, field)
