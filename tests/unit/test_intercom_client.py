"""Client endpoints whose behaviour Intercom makes tricky: lookups and the one-per-app scroll."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from hoist.errors import RecordRejectedError, RetriableError
from hoist.intercom import REGION_URLS, IntercomClient
from hoist.intercom.client import SCROLL_EXISTS_POLLS, SCROLL_RESTARTS
from hoist.secret import Secret

Route = Callable[[httpx.Request], httpx.Response]


def ok(body: Any, status: int = 200) -> httpx.Response:
    """A JSON response."""
    return httpx.Response(status, json=body)


def error(status: int, code: str) -> httpx.Response:
    """An error.list response."""
    return ok({"type": "error.list", "errors": [{"code": code, "message": code}]}, status)


def companies(*ids: int) -> list[dict[str, Any]]:
    """Company objects with Intercom ids `i<n>` and company_ids `c<n>`."""
    return [{"type": "company", "id": f"i{i}", "company_id": f"c{i}"} for i in ids]


def call(route: Route, fn: Callable[[IntercomClient], Any]) -> tuple[Any, list[httpx.Request]]:
    """Run `fn(client)` against `route`; return its result (or IntercomError) and the requests."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return route(request)

    async def go() -> Any:
        transport = httpx.MockTransport(handle)
        async with IntercomClient(
            base_url=REGION_URLS["eu"], token=Secret("t"), transport=transport
        ) as client:
            try:
                return await fn(client)
            except (RetriableError, RecordRejectedError) as exc:
                return exc

    return asyncio.run(go()), seen


async def scroll_all(client: IntercomClient) -> list[list[dict[str, Any]]]:
    return [page async for page in client.scroll_companies()]


def scroll_pages(*pages: list[dict[str, Any]]) -> Callable[[httpx.Request], httpx.Response]:
    """A scroll that serves `pages` then an empty page; scroll_param is the next page's index."""

    def route(request: httpx.Request) -> httpx.Response:
        index = int(request.url.params.get("scroll_param", "0"))
        data = pages[index] if index < len(pages) else []
        return ok({"type": "list", "data": data, "scroll_param": str(index + 1)})

    return route


def test_find_company_takes_the_single_company_shape() -> None:
    """A `type: company` body is the company itself."""
    found, seen = call(lambda r: ok(companies(1)[0]), lambda c: c.find_company("c1"))
    assert found["id"] == "i1"
    assert seen[0].url.params["company_id"] == "c1"
    assert str(seen[0].url).startswith("https://api.eu.intercom.io/companies")


def test_find_company_takes_the_matching_item_of_a_list() -> None:
    """A `type: list` body gives the item with that company_id, or None if none matches."""
    listing = ok({"type": "list", "data": companies(1, 2), "total_count": 2})
    found, _ = call(lambda r: listing, lambda c: c.find_company("c2"))
    assert found["id"] == "i2"
    missing, _ = call(lambda r: listing, lambda c: c.find_company("c3"))
    assert missing is None


def test_find_company_is_none_on_404() -> None:
    """404 company_not_found means there is no such company: None, not an error."""
    found, seen = call(lambda r: error(404, "company_not_found"), lambda c: c.find_company("x"))
    assert found is None
    assert len(seen) == 1


def test_count_companies_is_none_without_total_count() -> None:
    """Without `total_count` in the listing the count is unknown (None)."""
    total, seen = call(lambda r: ok({"type": "list", "data": []}), lambda c: c.count_companies())
    assert total is None
    assert seen[0].url.params["per_page"] == "1"


def test_create_data_attribute_sends_name_model_type_and_description() -> None:
    """The request body carries exactly the given fields."""
    _, seen = call(
        lambda r: ok({"type": "data_attribute"}),
        lambda c: c.create_data_attribute(name="tier", data_type="string", description="d"),
    )
    assert json.loads(seen[0].content) == {
        "name": "tier",
        "model": "company",
        "data_type": "string",
        "description": "d",
    }


def test_scroll_follows_scroll_param_until_an_empty_page() -> None:
    """Pages are yielded in order, each next request carrying the previous scroll_param."""
    pages, seen = call(scroll_pages(companies(1, 2), companies(3)), scroll_all)
    assert pages == [companies(1, 2), companies(3)]
    assert [r.url.params.get("scroll_param") for r in seen] == [None, "1", "2"]


@pytest.mark.parametrize(("status", "code"), [(500, "server_error"), (404, "not_found")])
def test_a_broken_scroll_restarts_and_yields_each_company_once(status: int, code: str) -> None:
    """A 500 or an expired param mid-way restarts from scratch; no company is yielded twice."""
    serve = scroll_pages(companies(1, 2), companies(3, 4))
    broken = [False]

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("scroll_param") == "1" and not broken[0]:
            broken[0] = True
            return error(status, code)
        return serve(request)

    pages, seen = call(route, scroll_all)
    ids = [c["id"] for page in pages for c in page]
    assert ids == ["i1", "i2", "i3", "i4"]
    assert [r.url.params.get("scroll_param") for r in seen] == [None, "1", None, "1", "2"]


def test_a_scroll_that_keeps_breaking_raises_retriable_error() -> None:
    """After SCROLL_RESTARTS restarts the scroll gives up with a RetriableError."""

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("scroll_param"):
            return error(500, "server_error")
        return scroll_pages(companies(1))(request)

    result, seen = call(route, scroll_all)
    assert isinstance(result, RetriableError)
    assert result.code == "server_error"
    assert len(seen) == 2 * (SCROLL_RESTARTS + 1)


def test_scroll_exists_waits_for_the_other_scroll() -> None:
    """400 scroll_exists on opening is polled until the other scroll is gone."""
    answers = [error(400, "scroll_exists"), error(400, "scroll_exists")]

    def route(request: httpx.Request) -> httpx.Response:
        return answers.pop(0) if answers else scroll_pages(companies(1))(request)

    pages, seen = call(route, scroll_all)
    assert pages == [companies(1)]
    assert len(seen) == 4


def test_scroll_exists_for_too_long_is_raised() -> None:
    """If the other scroll never ends, a retriable scroll_exists is raised after the polling."""
    result, seen = call(lambda r: error(400, "scroll_exists"), scroll_all)
    assert isinstance(result, RetriableError)
    assert result.code == "scroll_exists"
    assert len(seen) == SCROLL_EXISTS_POLLS + 1


def test_other_scroll_rejections_are_not_restarted() -> None:
    """A 400 other than scroll_exists is raised at once."""
    result, seen = call(lambda r: error(400, "parameter_invalid"), scroll_all)
    assert isinstance(result, RecordRejectedError)
    assert len(seen) == 1
