"""`Emulator`: the emulated workspace, its config and its request log, behind one lock.

uvicorn serves from its own thread while tests read from theirs, so every mutation and every
snapshot takes `self.lock`. Handlers never hold it across an `await`.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from hoist.emulator.companies import missing_company
from hoist.emulator.config import EmulatorConfig
from hoist.emulator.error_envelope import ApiError
from hoist.emulator.faults import FaultInjector
from hoist.emulator.ratelimit import Decision, FixedWindowLimiter
from hoist.emulator.workspace import Workspace

__all__ = ["Emulator", "RecordedRequest"]

#: The log keeps the most recent calls only, so a long benchmark cannot exhaust memory.
MAX_LOG = 200_000


@dataclass(frozen=True)
class RecordedRequest:
    """One Intercom call as the emulator saw and answered it."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    intercom_version: str | None
    status: int
    time: float
    window: int | None = None
    """The `X-RateLimit-Reset` of the rate-limit window that counted the call (None: not
    counted, e.g. unauthorized). `time` is when the answer left, latency included, so a call
    counted at the end of one window can carry a time in the next."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for `GET /_emulator/requests`."""
        return asdict(self)


class Emulator:
    """In-process state of a local Intercom; `clock` (Unix seconds) can be faked in tests."""

    def __init__(
        self, config: EmulatorConfig | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.lock = threading.Lock()
        self.clock = clock
        self._config = config or EmulatorConfig()
        self._log: deque[RecordedRequest] = deque(maxlen=MAX_LOG)
        # Each emulator is its own workspace unless told its id, as two Intercom apps are.
        self._random_app_id = f"emu{secrets.token_hex(6)}"
        self.workspace = Workspace(self.app_id)
        self._rebuild(reseed=True)

    @property
    def config(self) -> EmulatorConfig:
        """The current configuration."""
        return self._config

    @property
    def app_id(self) -> str:
        """The workspace's id, as `GET /me` reports it in `app.id_code`."""
        return self._config.app_id or self._random_app_id

    def now(self) -> int:
        """The current Unix second, as Intercom timestamps are."""
        return int(self.clock())

    def _rebuild(self, reseed: bool) -> None:
        cfg = self._config
        self.limiter = FixedWindowLimiter(cfg.rate_limit, cfg.window_s, self.clock)
        if reseed:
            self.faults = FaultInjector(cfg.fail_rate, cfg.seed)

    def configure(self, **changes: Any) -> EmulatorConfig:
        """Change config fields at runtime; a new rate limit or window starts a fresh window."""
        with self.lock:
            self._config = self._config.replace(**changes)
            self._rebuild(reseed=bool({"fail_rate", "seed"} & changes.keys()))
            self.workspace.app_id = self.app_id
            return self._config

    def reset(self) -> None:
        """Forget all companies, custom attributes, scrolls, counters and logged requests.

        The workspace keeps its id: a reset empties the workspace, it does not swap it.
        """
        with self.lock:
            self.workspace = Workspace(self.app_id)
            self._log.clear()
            self._rebuild(reseed=True)

    # -- request pipeline (used by the app) ------------------------------------------------

    def authorized(self, header: str | None) -> bool:
        """Whether an `Authorization` header carries an acceptable bearer token."""
        if not header or not header.startswith("Bearer "):
            return False
        token = header[len("Bearer ") :].strip()
        expected = self._config.token
        return bool(token) and (expected is None or token == expected)

    def admit(self) -> Decision:
        """Spend one call of the rate-limit budget."""
        with self.lock:
            return self.limiter.take()

    def draw_fault(self) -> ApiError | None:
        """The injected failure for this write, if any."""
        with self.lock:
            return self.faults.draw()

    def record(self, request: RecordedRequest) -> None:
        """Append one answered call to the log."""
        with self.lock:
            self._log.append(request)

    def run(self, operation: Callable[[Workspace], Any]) -> Any:
        """Run `operation` on the workspace with the lock held."""
        with self.lock:
            return operation(self.workspace)

    # -- inspection and seeding (used by tests) ---------------------------------------------

    def companies(self) -> list[dict[str, Any]]:
        """Every company as the API would return it (deleted ones are gone)."""
        with self.lock:
            ws = self.workspace
            return [ws.render(c) for c in ws.companies.values()]

    def company_by_company_id(self, company_id: str) -> dict[str, Any] | None:
        """The company with your `company_id`, or None."""
        with self.lock:
            intercom_id = self.workspace.by_company_id.get(company_id)
            if intercom_id is None:
                return None
            return self.workspace.render(self.workspace.companies[intercom_id])

    def data_attributes(self, include_archived: bool = True) -> list[dict[str, Any]]:
        """All data attributes, built-in and custom."""
        with self.lock:
            return self.workspace.attributes.listing(None, include_archived)

    def requests(self) -> list[RecordedRequest]:
        """Logged Intercom calls, oldest first (admin routes are not logged)."""
        with self.lock:
            return list(self._log)

    def request_count(self, method: str | None = None, path_prefix: str | None = None) -> int:
        """How many logged calls match `method` and start with `path_prefix`."""
        with self.lock:
            return sum(
                1
                for r in self._log
                if (method is None or r.method == method.upper())
                and (path_prefix is None or r.path.startswith(path_prefix))
            )

    def seed_company(self, **fields: Any) -> dict[str, Any]:
        """Create or update a company directly, with the same field rules as `POST /companies`.

        `user_count`, `session_count` and `last_request_at` may also be given: only the emulator
        can set them directly.
        """
        user_count = fields.pop("user_count", None)
        extra = ("session_count", "last_request_at")
        counts: dict[str, Any] = {k: fields.pop(k) for k in extra if k in fields}
        with self.lock:
            ws = self.workspace
            changes = ws.check_create(fields)
            company = ws.upsert(changes, self.now())
            ws.companies[company["id"]].update(counts)
        if user_count is not None:
            self.set_user_count(company["id"], user_count)
        with self.lock:
            return ws.render(ws.companies[company["id"]])

    def create_company(self, **fields: Any) -> dict[str, Any]:
        """Create a company out of band, as a person would in Intercom's UI, with its values.

        Takes the fields `POST /companies` takes (`company_id` required) and the same rules;
        raises `ApiError` 409 if the workspace already holds that company_id, 400 for a value
        Intercom would refuse. Not an API call: neither logged nor rate-limited.
        """
        with self.lock:
            ws = self.workspace
            changes = ws.check_create(fields)
            if changes["company_id"] in ws.by_company_id:
                message = f"a company with company_id {changes['company_id']!r} already exists"
                raise ApiError(409, "conflict", message)
            return ws.upsert(changes, self.now())

    def edit_company(self, company_id: str, **fields: Any) -> dict[str, Any]:
        """Change a company out of band, as a person would in Intercom's UI.

        Takes the fields `PUT /companies/{id}` takes (None removes a value); raises
        `ApiError` 404 for an unknown `company_id`, 400 for a value Intercom would refuse.
        """
        with self.lock:
            ws = self.workspace
            intercom_id = ws.by_company_id.get(company_id)
            if intercom_id is None:
                raise missing_company()
            return ws.update(intercom_id, fields, self.now())

    def delete_company(self, company_id: str) -> None:
        """Delete a company out of band, as a person would in Intercom's UI (404 if unknown)."""
        with self.lock:
            ws = self.workspace
            intercom_id = ws.by_company_id.get(company_id)
            if intercom_id is None:
                raise missing_company()
            ws.delete(intercom_id)

    def set_user_count(self, intercom_id: str, n: int) -> None:
        """Pretend `n` contacts (beyond attached ones) are attached to the company.

        With a count above 0 the company shows in listings.
        """
        with self.lock:
            self.workspace.get(intercom_id)  # 404 for an unknown or archived company
            self.workspace.contacts.set(intercom_id, n)

    def archived_companies(self) -> list[dict[str, Any]]:
        """Every deleted (archived) company as it was when archived, oldest id first."""
        with self.lock:
            ws = self.workspace
            return [ws.render(c) for c in ws.archived.values()]

    def seed_contact(self, **fields: Any) -> dict[str, Any]:
        """Create a contact directly, with the same rules as `POST /contacts`."""
        with self.lock:
            return self.workspace.create_contact(fields, self.now())

    def contacts(self) -> list[dict[str, Any]]:
        """Every contact as the API would return it."""
        with self.lock:
            ws = self.workspace
            return [ws.contacts.render(c, ws.app_id) for c in ws.contacts.contacts.values()]

    def state(self) -> dict[str, Any]:
        """Companies, archived companies, contacts and data attributes, for `/_emulator/state`."""
        return {
            "companies": self.companies(),
            "archived_companies": self.archived_companies(),
            "contacts": self.contacts(),
            "data_attributes": self.data_attributes(),
        }
