"""The one exception tree of hoist, classified by what a run should do next.

    HoistError
    ├── ConfigError ............... the activation file is wrong: stop before any work
    ├── SourceError ............... the warehouse could not be read: stop, state untouched
    ├── StateError ................ the state store cannot be used: stop
    │   ├── StateLockedError ...... another run of this activation holds the lock
    │   └── WorkspaceMismatchError  state belongs to another Intercom workspace than the token's
    └── IntercomError ............. Intercom answered with an error (or never answered)
        ├── FatalDestinationError . 401/403: the token is wrong or lacks rights; stop the run
        │   └── UnreachableError .. no call succeeded for destination.give_up_after; stop
        ├── SchemaConflictError ... a data attribute exists with an incompatible type; stop
        ├── RetriableError ........ 429, 5xx, 408, timeouts, dropped connections
        │   └── RateLimitedError .. 429; carries the window reset time
        └── RecordRejectedError ... 400/404/422 for one company; reported, retried next run

Messages never contain secrets: the access token is held in `hoist.config.Secret`, which
never prints. Text that comes from outside (a driver's message in a `SourceError`, Intercom's
in an `IntercomError`) is passed through `hoist.secret.redact` here, so a ``Bearer …`` value or a
URL password a server echoes never reaches a report, the state or a page; the Intercom client
also masks its own token by value.
"""

from __future__ import annotations

from hoist.secret import redact

__all__ = [
    "ConfigError",
    "FatalDestinationError",
    "HoistError",
    "IntercomError",
    "RateLimitedError",
    "RecordRejectedError",
    "RetriableError",
    "SchemaConflictError",
    "SourceError",
    "StateError",
    "StateLockedError",
    "UnreachableError",
    "WorkspaceMismatchError",
]


class HoistError(Exception):
    """Base class of every error hoist raises on purpose."""


class ConfigError(HoistError):
    """The activation file (or an argument) is wrong; nothing has been done yet.

    The message names the file, the key and what was expected, so the user can fix it
    without reading code.
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        self.file = file
        self.key = key
        where = ": ".join(part for part in (file, key) if part)
        super().__init__(f"{where}: {message}" if where else message)


class SourceError(HoistError):
    """The warehouse could not be read; the run stops and state is untouched."""

    def __init__(self, message: str) -> None:
        # Driver messages can quote connection strings and credentials.
        super().__init__(redact(message))


class StateError(HoistError):
    """The state store could not be opened or written."""


class StateLockedError(StateError):
    """Another run of the same activation is in progress."""


class WorkspaceMismatchError(StateError):
    """The token reaches another Intercom workspace than the one state was delivered to.

    Sending from this state would skip every company it says is delivered, so the run stops;
    the message names both workspaces and the fix.
    """


class IntercomError(HoistError):
    """Intercom answered with an error, or the request never got an answer.

    `status` is the HTTP status (None for network errors), `code` Intercom's error code
    (e.g. ``parameter_invalid``), `request_id` the id to quote to Intercom support.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message = redact(message)
        self.request_id = request_id
        super().__init__(f"{status} {code}: {message}" if status else message)


class FatalDestinationError(IntercomError):
    """401/403: the access token is invalid or not allowed; the run must stop at once."""

    def __str__(self) -> str:
        # Said as people read it: what Intercom refused, then its own code and words.
        if self.status == 401:
            return f"Intercom refused the token (401 {self.code}): {self.message}"
        if self.status == 403:
            return f"Intercom refused access with this token (403 {self.code}): {self.message}"
        return super().__str__()


class UnreachableError(FatalDestinationError):
    """Intercom has not answered a call for `destination.give_up_after` (network errors,
    timeouts, 5xx): the run stops as failed rather than retrying each company for hours; the
    next run resumes."""


class SchemaConflictError(IntercomError):
    """A custom attribute exists in Intercom with a type the column cannot be sent as."""


class RetriableError(IntercomError):
    """A transient failure: 429, 5xx, 408, timeout or dropped connection."""


class RateLimitedError(RetriableError):
    """429: the app's budget for the current window is spent until `reset_at` (Unix time)."""

    def __init__(self, message: str, *, reset_at: float | None = None, **kwargs: object) -> None:
        self.reset_at = reset_at
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class RecordRejectedError(IntercomError):
    """Intercom refused one company's data (400/404/422); other companies go on."""
