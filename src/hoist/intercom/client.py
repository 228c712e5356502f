"""The async Intercom client: one connection pool, one rate limiter, retries, one classifier.

Every call goes the same way: wait for a slot in the shared `RateLimiter`, send, feed the
response's rate-limit headers back to the limiter, classify the response, and let the retry
policy decide whether to try again. Requests go over aiohttp, or through httpx when a transport
is injected (transport.py); network exceptions become `hoist.errors` there, so callers only
ever see `hoist.errors`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from importlib import metadata
from types import TracebackType
from typing import Any

import httpx

from hoist.errors import IntercomError, RateLimitedError, RecordRejectedError, RetriableError
from hoist.intercom.classify import classify_response
from hoist.intercom.identity import WorkspaceIdentity
from hoist.intercom.limiter import RateLimiter
from hoist.intercom.reachability import Reachability
from hoist.intercom.retry import RetryPolicy, backoff_delay, call_with_retries, is_testing
from hoist.intercom.transport import Reply, sender_for
from hoist.secret import Secret, redact
from hoist.workspaces import API_VERSION, GIVE_UP_AFTER_S, REGION_URLS

__all__ = ["API_VERSION", "GIVE_UP_AFTER_S", "REGION_URLS", "SEARCH_IN_MAX", "IntercomClient"]


#: How often a scroll is started afresh after it broke mid-way (NOTES.md §1.7).
SCROLL_RESTARTS = 3
#: While another scroll of the app is open (400 scroll_exists), poll this often, this many times:
#: an abandoned scroll expires after 60 s idle, so ~70 s covers it (NOTES.md §1.7).
SCROLL_EXISTS_POLL_S = 5.0
SCROLL_EXISTS_POLLS = 14
#: Values in one search `IN` filter. The spec limits a group to 15 filters and calls `IN` a
#: shortcut for OR; it is silent on the array's size, so hoist takes it as a group of 15.
SEARCH_IN_MAX = 15
#: Contacts per search page: the documented default (the maximum is not stated for contacts).
SEARCH_PER_PAGE = 50


def _user_agent() -> str:
    try:
        return f"hoist/{metadata.version('hoist')}"
    except metadata.PackageNotFoundError:
        return "hoist/unknown"


class IntercomClient:
    """Talks to one Intercom workspace; use as ``async with IntercomClient(...) as client``.

    `transport` replaces the network (an `httpx.MockTransport` or the emulator's
    `httpx.ASGITransport`; requests then go through httpx, otherwise over aiohttp); `limiter`
    may be shared by clients that use the same token.
    """

    def __init__(
        self,
        *,
        base_url: str,
        token: Secret,
        api_version: str = API_VERSION,
        transport: httpx.AsyncBaseTransport | None = None,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        max_connections: int = 64,
        timeout_s: float = 30.0,
        give_up_after_s: float = GIVE_UP_AFTER_S,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_version = api_version
        self.limiter = limiter or RateLimiter(max_in_flight=max_connections)
        self.retry = retry or RetryPolicy()
        self.reachability = Reachability(give_up_after_s)
        self.api_calls = 0
        self._token = token.reveal()
        self._clock: Callable[[], float] = time.time
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._sender = sender_for(
            self.base_url,
            {
                # The one place the token is revealed; neither aiohttp nor httpx prints
                # request headers.
                "Authorization": f"Bearer {token.reveal()}",
                "Intercom-Version": api_version,
                "Accept": "application/json",
                "User-Agent": _user_agent(),
            },
            max_connections=max_connections,
            timeout_s=timeout_s,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"IntercomClient(base_url={self.base_url!r}, api_version={self.api_version!r})"

    async def __aenter__(self) -> IntercomClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._sender.aclose()

    # -- endpoints --------------------------------------------------------------------------

    async def me(self) -> dict[str, Any]:
        """`GET /me`: the admin and app behind the token; the cheap credential check."""
        return await self._request("GET", "/me")

    async def workspace(self) -> WorkspaceIdentity:
        """The workspace the token reaches (`GET /me`: app id and region), one call."""
        return WorkspaceIdentity.from_me(await self.me())

    async def upsert_company(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """`POST /companies`: create or update the company with `body["company_id"]`.

        Two first creates of one company_id racing each other give 400 unique_company_constraint;
        the company exists by then, so one immediate retry updates it (NOTES.md §1.1, §6).
        """
        try:
            return await self._request("POST", "/companies", json=body)
        except RecordRejectedError as exc:
            if exc.code != "unique_company_constraint":
                raise
            return await self._request("POST", "/companies", json=body)

    async def update_company(self, intercom_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """`PUT /companies/{id}` by Intercom's own `id`, not your company_id (NOTES.md §1.4)."""
        return await self._request("PUT", f"/companies/{intercom_id}", json=body)

    async def find_company(self, company_id: str) -> dict[str, Any] | None:
        """`GET /companies?company_id=`: the company with your `company_id`, or None.

        The 200 body is a `company` or a `list` of them depending on the API's mood
        (NOTES.md §1.2), so branch on `type`.
        """
        try:
            body = await self._request("GET", "/companies", params={"company_id": company_id})
        except RecordRejectedError as exc:
            if exc.status == 404:
                return None
            raise
        if body.get("type") == "list":
            matches = [c for c in body.get("data") or [] if c.get("company_id") == company_id]
            return matches[0] if matches else None
        return body

    async def count_companies(self) -> int | None:
        """`total_count` of one listed page, if told.

        Not the number of companies: listings leave out companies without contacts (NOTES
        §1.6, §1.10), so this can be far below what a scroll or lookups find.
        """
        body = await self._request("GET", "/companies", params={"per_page": 1})
        total = body.get("total_count")
        return total if isinstance(total, int) else None

    async def delete_company(self, intercom_id: str) -> bool:
        """`DELETE /companies/{id}` by Intercom id: Intercom archives the company (NOTES §1.5).

        Returns False when Intercom has no such company (404): it is already archived, which
        is what deleting asked for.
        """
        try:
            await self._request("DELETE", f"/companies/{intercom_id}")
        except RecordRejectedError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    async def list_data_attributes(
        self, model: str = "company", *, include_archived: bool = False
    ) -> list[dict[str, Any]]:
        """`GET /data_attributes?model=`: built-in and custom attributes of `model`.

        With `include_archived`, archived custom attributes are listed too: they still hold
        their names (NOTES §2.1, §2.2).
        """
        params = {"model": model, "include_archived": "true" if include_archived else "false"}
        body = await self._request("GET", "/data_attributes", params=params)
        data: list[dict[str, Any]] = body.get("data") or []
        return data

    async def create_data_attribute(
        self, *, name: str, data_type: str, model: str = "company", description: str | None = None
    ) -> dict[str, Any]:
        """`POST /data_attributes`: a new custom attribute (its type can never change, §2.4)."""
        body: dict[str, Any] = {"name": name, "model": model, "data_type": data_type}
        if description is not None:
            body["description"] = description
        return await self._request("POST", "/data_attributes", json=body)

    async def search_contacts(self, field: str, values: Sequence[str]) -> list[dict[str, Any]]:
        """`POST /contacts/search`: every contact whose `field` is one of `values`.

        One `IN` filter of at most `SEARCH_IN_MAX` values (the caller batches); the pages are
        followed through `pages.next.starting_after` (NOTES: search uses cursor pagination).
        """
        if len(values) > SEARCH_IN_MAX:
            raise ValueError(f"search at most {SEARCH_IN_MAX} values at once")
        body: dict[str, Any] = {
            "query": {"field": field, "operator": "IN", "value": list(values)},
            "pagination": {"per_page": SEARCH_PER_PAGE},
        }
        found: list[dict[str, Any]] = []
        while True:
            page = await self._request("POST", "/contacts/search", json=body)
            found += page.get("data") or []
            after = ((page.get("pages") or {}).get("next") or {}).get("starting_after")
            if not after or not page.get("data"):
                return found
            body["pagination"] = {"per_page": SEARCH_PER_PAGE, "starting_after": after}

    async def attach_contact(self, contact_id: str, company_intercom_id: str) -> dict[str, Any]:
        """`POST /contacts/{id}/companies`: attach the company (Intercom id); returns it."""
        body = {"id": company_intercom_id}
        return await self._request("POST", f"/contacts/{contact_id}/companies", json=body)

    async def detach_contact(self, contact_id: str, company_intercom_id: str) -> dict[str, Any]:
        """`DELETE /contacts/{id}/companies/{company_id}`: detach; returns the company."""
        path = f"/contacts/{contact_id}/companies/{company_intercom_id}"
        return await self._request("DELETE", path)

    async def scroll_companies(self) -> AsyncGenerator[list[dict[str, Any]], None]:
        """Every company, a page at a time, via `GET /companies/scroll` (NOTES.md §1.7).

        A scroll that breaks mid-way (500, network error, or its param expired after 60 s
        idle) cannot be resumed, so it is started again, at most `SCROLL_RESTARTS` times;
        companies already yielded are not yielded again. Keep consumers quick: a scroll idle
        for a minute expires.
        """
        seen: set[str] = set()
        for restart in range(SCROLL_RESTARTS + 1):
            try:
                async for page in self._scroll_once():
                    fresh = [c for c in page if str(c.get("id")) not in seen]
                    seen.update(str(c.get("id")) for c in fresh)
                    if fresh:
                        yield fresh
                return
            except (RetriableError, RecordRejectedError) as exc:
                expired = isinstance(exc, RecordRejectedError) and exc.status == 404
                if exc.code == "scroll_exists" or not (expired or isinstance(exc, RetriableError)):
                    raise
                if restart == SCROLL_RESTARTS:
                    message = f"the company scroll broke {restart + 1} times; last: {exc.message}"
                    raise _retriable(message, exc) from exc
                await self._sleep(backoff_delay(self.retry, restart + 1))

    # -- plumbing ---------------------------------------------------------------------------

    async def _scroll_once(self) -> AsyncIterator[list[dict[str, Any]]]:
        # A broken page is not retried in place: its scroll_param is dead (NOTES.md §1.7).
        once = dataclasses.replace(self.retry, max_attempts=1)
        body = await self._first_scroll_page(once)
        while body.get("data"):
            yield body["data"]
            param = body.get("scroll_param")
            if not param:
                return
            params = {"scroll_param": param}
            body = await self._request("GET", "/companies/scroll", params=params, retry=once)

    async def _first_scroll_page(self, retry: RetryPolicy) -> dict[str, Any]:
        """Open a scroll, waiting out another one of this app (400 scroll_exists)."""
        for poll in range(SCROLL_EXISTS_POLLS + 1):
            try:
                return await self._request("GET", "/companies/scroll", retry=retry)
            except RecordRejectedError as exc:
                if exc.code != "scroll_exists":
                    raise
                if poll == SCROLL_EXISTS_POLLS:
                    # Not this record's fault: another scroll of the app is still open, so a
                    # later run can succeed.
                    message = f"another scroll of this app stayed open: {exc.message}"
                    raise _retriable(message, exc) from exc
                await self._sleep(0.0 if is_testing() else SCROLL_EXISTS_POLL_S)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        retry: RetryPolicy | None = None,
    ) -> dict[str, Any]:
        async def attempt() -> dict[str, Any]:
            return await self._attempt(method, path, params, json)

        return await call_with_retries(
            attempt, retry or self.retry, clock=self._clock, sleep=self._sleep
        )

    async def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        """One try, counted for or against Intercom's reachability (reachability.py)."""
        try:
            body = await self._attempt_once(method, path, params, json)
        except RateLimitedError:
            self.reachability.answered()
            raise
        except RetriableError as exc:
            given_up = self.reachability.failed(exc)
            if given_up is not None:
                raise given_up from exc
            raise
        except IntercomError:
            self.reachability.answered()
            raise
        self.reachability.answered()
        return body

    async def _attempt_once(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        """One try: a limiter slot, one HTTP request, the response classified."""
        async with self.limiter.slot():
            response = await self._send(method, path, params, json)
            error = classify_response(response, api_version=self.api_version)
            self.limiter.observe(response.headers, rate_limited=isinstance(error, RateLimitedError))
        if error is not None:
            raise self._scrubbed(error)
        return _json_object(response, method, path)

    def _scrubbed(self, error: IntercomError) -> IntercomError:
        """`error` with the token masked wherever Intercom echoed it (by value, not only as
        ``Bearer …``): its text goes to reports, state and pages."""
        if self._token and self._token in str(error):
            error.message = redact(error.message, [self._token])
            error.args = tuple(redact(str(arg), [self._token]) for arg in error.args)
        return error

    async def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Mapping[str, Any] | None,
    ) -> Reply:
        """Send one request; the sender turns network failures into `RetriableError`."""
        self.api_calls += 1
        return await self._sender.send(method, path, params, json)


def _json_object(response: Reply, method: str, path: str) -> dict[str, Any]:
    """The JSON object of a 2xx body; anything else is a garbled answer, worth a retry."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise RetriableError(
            f"{method} {path} answered {response.status_code} without a JSON object",
            status=response.status_code,
            code="invalid_response",
        )
    return body


def _retriable(message: str, cause: IntercomError) -> RetriableError:
    """A retriable error that keeps the status, code and request id of what caused it."""
    return RetriableError(
        message, status=cause.status, code=cause.code, request_id=cause.request_id
    )
