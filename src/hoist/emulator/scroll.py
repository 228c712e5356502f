"""`GET /companies/scroll`: one open scroll per app, 100 per page, 60 s idle expiry."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from hoist.emulator.error_envelope import ApiError

__all__ = ["PAGE_SIZE", "Scrolls"]

PAGE_SIZE = 100
IDLE_EXPIRY_S = 60.0


@dataclass
class _Scroll:
    param: str
    ids: list[str]
    last_used: float
    offset: int = field(default=0)


class Scrolls:
    """The app's single scroll slot; callers hold the emulator's lock and pass the time."""

    def __init__(self) -> None:
        self._open: _Scroll | None = None

    def _live(self, now: float) -> _Scroll | None:
        if self._open is not None and now - self._open.last_used >= IDLE_EXPIRY_S:
            self._open = None  # expired: the slot is free again
        return self._open

    def next_page(self, param: str | None, ids: list[str], now: float) -> tuple[str, list[str]]:
        """Return (scroll_param, ids of the next page); an empty page closes the scroll.

        `ids` snapshots all company ids and is used only when a new scroll starts.
        """
        scroll = self._live(now)
        if param is None:
            if scroll is not None:
                raise ApiError(400, "scroll_exists", "scroll already exists for this app")
            scroll = self._open = _Scroll(str(uuid.uuid4()), ids, now)
        elif scroll is None or scroll.param != param:
            raise ApiError(404, "not_found", "scroll parameter not found or expired")
        page = scroll.ids[scroll.offset : scroll.offset + PAGE_SIZE]
        scroll.offset += len(page)
        scroll.last_used = now
        if not page:
            self._open = None  # end of data: the scroll parameter expires
        return scroll.param, page

    def reset(self) -> None:
        """Forget any open scroll."""
        self._open = None
