"""Which Intercom workspace a token reaches: the app id and region `GET /me` reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hoist.errors import RetriableError

__all__ = ["WorkspaceIdentity"]


@dataclass(frozen=True)
class WorkspaceIdentity:
    """One Intercom workspace ("app"): its `id_code` and region, e.g. ``("abc123", "US")``."""

    app_id: str
    region: str
    name: str | None = None

    @classmethod
    def from_me(cls, body: Mapping[str, Any]) -> WorkspaceIdentity:
        """Read the identity from a `GET /me` body (`app.id_code`, `app.region`).

        A body without an app id cannot bind state to a workspace; that is a garbled answer,
        so it is reported as retriable rather than guessed.
        """
        app = body.get("app")
        app_id = app.get("id_code") if isinstance(app, Mapping) else None
        if not isinstance(app_id, str) or not app_id:
            raise RetriableError("GET /me answered without app.id_code", code="invalid_response")
        region = app.get("region") if isinstance(app, Mapping) else None
        name = app.get("name") if isinstance(app, Mapping) else None
        return cls(
            app_id=app_id,
            region=str(region or "").upper(),
            name=name if isinstance(name, str) else None,
        )

    def __str__(self) -> str:
        label = f"{self.name!r} " if self.name else ""
        return f"{label}(app id {self.app_id}, region {self.region or 'unknown'})"
