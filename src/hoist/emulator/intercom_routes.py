"""The Starlette app: Intercom's company, contact and data-attribute routes; `/_emulator/*`."""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hoist.emulator.emulator import Emulator
from hoist.emulator.error_envelope import ApiError, error_body, invalid
from hoist.emulator.request_path import Call, intercom_route, json_response, sleep_latency
from hoist.emulator.workspace import Workspace, page_params

__all__ = ["create_app"]

_ADMIN = {
    "type": "admin",
    "id": "991267",
    "name": "Hoist Emulator",
    "email": "emulator@hoist.invalid",
    "email_verified": True,
    "has_inbox_seat": True,
    "avatar": {"type": "avatar", "image_url": None},
}
_APP = {
    "type": "app",
    "name": "hoist emulator",
    "created_at": 1700000000,
    "secure": False,
    "identity_verification": False,
    "timezone": "UTC",
}


async def me(call: Call) -> Any:
    """`GET /me`: the admin behind the token, with its app (workspace id) and region."""
    emulator = call.emulator
    app = {**_APP, "id_code": emulator.app_id, "region": emulator.config.region}
    return {**_ADMIN, "app": app}


async def upsert_company(call: Call) -> Any:
    """`POST /companies`: create or update by `company_id`."""
    emulator = call.emulator

    def begin(ws: Workspace) -> tuple[dict[str, Any], bool]:
        changes = ws.check_create(call.body)
        return changes, ws.reserve(changes["company_id"])

    changes, fresh = emulator.run(begin)
    try:
        await sleep_latency(emulator)  # a first create stays "in progress" meanwhile
    except BaseException:
        if fresh:
            emulator.run(lambda ws: ws.creating.discard(changes["company_id"]))
        raise
    return emulator.run(lambda ws: ws.upsert(changes, emulator.now()))


async def retrieve_companies(call: Call) -> Any:
    """`GET /companies`: one company by `company_id` or `name`, else a `company_list`.

    The unfiltered listing shows only companies with contacts, and its `total_count` counts only
    those (NOTES §1.6, §1.10); a lookup by `company_id` finds any live company (NOTES §1.10).
    """
    q = call.query
    if "company_id" in q or "name" in q:
        return call.emulator.run(lambda ws: ws.find(q.get("company_id"), q.get("name")))
    page, per_page = page_params(q, None)
    if "tag_id" in q or "segment_id" in q:
        # The emulator has no tags or segments, so such filters match nothing.
        return call.emulator.run(lambda ws: ws.page([], page, per_page))
    # Like Intercom's, this listing leaves out companies without contacts (NOTES §1.6, §1.10).
    return call.emulator.run(lambda ws: ws.page(ws.listed(), page, per_page))


async def list_companies(call: Call) -> Any:
    """`POST /companies/list`: companies with users, paged (per_page <= 60)."""
    params = dict(call.body) if isinstance(call.body, dict) else {}
    params = {k: str(v) for k, v in params.items()} | call.query
    page, per_page = page_params(params, 60)
    order = params.get("order", "desc")
    if order not in ("asc", "desc"):
        raise invalid("order must be asc or desc", "order")
    return call.emulator.run(lambda ws: ws.page(ws.active(order), page, per_page))


async def scroll_companies(call: Call) -> Any:
    """`GET /companies/scroll`: 100 companies per page, one scroll per app."""
    param = call.query.get("scroll_param") or None
    return call.emulator.run(lambda ws: ws.scroll(param, call.emulator.clock()))


async def get_company(call: Call) -> Any:
    """`GET /companies/{id}` by Intercom id."""
    cid = call.path_params["id"]
    return call.emulator.run(lambda ws: ws.render(ws.get(cid)))


async def update_company(call: Call) -> Any:
    """`PUT /companies/{id}` by Intercom id."""
    cid = call.path_params["id"]
    return call.emulator.run(lambda ws: ws.update(cid, call.body, call.emulator.now()))


async def delete_company(call: Call) -> Any:
    """`DELETE /companies/{id}` by Intercom id: archives the company (NOTES §1.5)."""
    cid = call.path_params["id"]
    return call.emulator.run(lambda ws: ws.delete(cid))


async def create_contact(call: Call) -> Any:
    """`POST /contacts`: a new user or lead."""
    return call.emulator.run(lambda ws: ws.create_contact(call.body, call.emulator.now()))


async def search_contacts(call: Call) -> Any:
    """`POST /contacts/search`: contacts matching a query, a cursor page at a time."""
    return call.emulator.run(lambda ws: ws.search_contacts(call.body))


async def attach_contact(call: Call) -> Any:
    """`POST /contacts/{contact_id}/companies`: attach the company `{"id": ...}`."""
    contact_id = call.path_params["contact_id"]
    return call.emulator.run(lambda ws: ws.attach_contact(contact_id, call.body))


async def detach_contact(call: Call) -> Any:
    """`DELETE /contacts/{contact_id}/companies/{company_id}`."""
    contact_id, company_id = call.path_params["contact_id"], call.path_params["company_id"]
    return call.emulator.run(lambda ws: ws.detach_contact(contact_id, company_id))


async def list_data_attributes(call: Call) -> Any:
    """`GET /data_attributes`: built-in and custom attributes of a model."""
    model = call.query.get("model")
    if model == "conversation":
        raise ApiError(
            422,
            "parameter_invalid",
            "model=conversation is no longer supported. Use GET /conversations/attributes instead",
        )
    if model not in (None, "company", "contact"):
        raise invalid("The Data Attribute model field must be either contact or company.", "model")
    archived = call.query.get("include_archived", "false").lower() == "true"
    data = call.emulator.run(lambda ws: ws.attributes.listing(model, archived))
    return {"type": "list", "data": data}


async def create_data_attribute(call: Call) -> Any:
    """`POST /data_attributes`."""
    body = call.body if isinstance(call.body, dict) else {}
    return call.emulator.run(lambda ws: ws.attributes.create(body, call.emulator.now()))


async def update_data_attribute(call: Call) -> Any:
    """`PUT /data_attributes/{id}`."""
    body = call.body if isinstance(call.body, dict) else {}
    attr_id = call.path_params["id"]
    return call.emulator.run(lambda ws: ws.attributes.update(attr_id, body, call.emulator.now()))


# -- admin routes: no auth, no rate limit, not logged -------------------------------------


def _emulator(request: Request) -> Emulator:
    emulator: Emulator = request.app.state.emulator
    return emulator


async def admin_state(request: Request) -> Response:
    """`GET /_emulator/state`: companies and data attributes."""
    return json_response(_emulator(request).state())


async def admin_requests(request: Request) -> Response:
    """`GET /_emulator/requests`: the request log."""
    return json_response([r.to_dict() for r in _emulator(request).requests()])


async def admin_reset(request: Request) -> Response:
    """`POST /_emulator/reset`: forget everything."""
    _emulator(request).reset()
    return json_response({"reset": True})


async def admin_config(request: Request) -> Response:
    """`POST /_emulator/config`: change config fields, e.g. `{"rate_limit": 5}`."""
    try:
        changes = await request.json()
        config = _emulator(request).configure(**changes)
    except (TypeError, ValueError) as exc:
        return json_response({"error": str(exc)}, 400)
    return json_response(dataclasses.asdict(config))


async def admin_create_company(request: Request) -> Response:
    """`POST /_emulator/companies`: create a company with values out of band, as in the UI.

    Takes the body `POST /companies` takes (`company_id` required); an existing company_id is
    a 409. Like a person's work in Intercom's UI, it is not rate-limited or logged, so a test
    can start from a workspace that already holds companies hoist did not create.
    """
    fields = await _object_body(request)
    if isinstance(fields, Response):
        return fields
    try:
        company = _emulator(request).create_company(**fields)
    except ApiError as exc:
        return json_response(exc.body(), exc.status)
    return json_response(company)


async def _object_body(request: Request) -> dict[str, Any] | Response:
    """The request's JSON object, or the 400 to answer."""
    try:
        fields = await request.json()
    except ValueError:
        return json_response(error_body("parameter_invalid", "body must be JSON"), 400)
    if not isinstance(fields, dict):
        return json_response(error_body("parameter_invalid", "body must be an object"), 400)
    return fields


async def admin_edit_company(request: Request) -> Response:
    """`PATCH /_emulator/companies/{company_id}`: change fields out of band, as in the UI.

    Takes the body `PUT /companies/{id}` takes, keyed by your company_id; the change is not
    rate-limited or logged, as a person's edit in Intercom's UI is not an API call.
    """
    fields = await _object_body(request)
    if isinstance(fields, Response):
        return fields
    company_id = request.path_params["company_id"]
    try:
        company = _emulator(request).edit_company(company_id, **fields)
    except ApiError as exc:
        return json_response(exc.body(), exc.status)
    return json_response(company)


async def admin_delete_company(request: Request) -> Response:
    """`DELETE /_emulator/companies/{company_id}`: delete out of band, as in the UI."""
    company_id = request.path_params["company_id"]
    try:
        _emulator(request).delete_company(company_id)
    except ApiError as exc:
        return json_response(exc.body(), exc.status)
    return json_response({"company_id": company_id, "deleted": True})


async def _not_found(request: Request, exc: Exception) -> Response:
    # Intercom answers unknown paths and unsupported methods alike with 404 (NOTES §3).
    return json_response(error_body("not_found", "Resource Not Found"), 404)


def create_app(emulator: Emulator) -> Starlette:
    """Build the ASGI app serving `emulator`, over uvicorn or `httpx.ASGITransport`."""
    write = {"write": True}
    routes = [
        Route("/me", intercom_route(me), methods=["GET"]),
        Route(
            "/companies",
            intercom_route(upsert_company, write=True, own_latency=True),
            methods=["POST"],
        ),
        Route("/companies", intercom_route(retrieve_companies), methods=["GET"]),
        Route("/companies/list", intercom_route(list_companies), methods=["POST"]),
        Route("/companies/scroll", intercom_route(scroll_companies), methods=["GET"]),
        Route("/companies/{id}", intercom_route(get_company), methods=["GET"]),
        Route("/companies/{id}", intercom_route(update_company, **write), methods=["PUT"]),
        Route("/companies/{id}", intercom_route(delete_company, **write), methods=["DELETE"]),
        Route("/contacts", intercom_route(create_contact, **write), methods=["POST"]),
        Route("/contacts/search", intercom_route(search_contacts), methods=["POST"]),
        Route(
            "/contacts/{contact_id}/companies",
            intercom_route(attach_contact, **write),
            methods=["POST"],
        ),
        Route(
            "/contacts/{contact_id}/companies/{company_id}",
            intercom_route(detach_contact, **write),
            methods=["DELETE"],
        ),
        Route("/data_attributes", intercom_route(list_data_attributes), methods=["GET"]),
        Route("/data_attributes", intercom_route(create_data_attribute, **write), methods=["POST"]),
        Route(
            "/data_attributes/{id}", intercom_route(update_data_attribute, **write), methods=["PUT"]
        ),
        Route("/_emulator/state", admin_state, methods=["GET"]),
        Route("/_emulator/requests", admin_requests, methods=["GET"]),
        Route("/_emulator/reset", admin_reset, methods=["POST"]),
        Route("/_emulator/config", admin_config, methods=["POST"]),
        Route("/_emulator/companies", admin_create_company, methods=["POST"]),
        Route("/_emulator/companies/{company_id}", admin_edit_company, methods=["PATCH"]),
        Route("/_emulator/companies/{company_id}", admin_delete_company, methods=["DELETE"]),
    ]
    handlers = {404: _not_found, 405: _not_found}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.emulator = emulator
    return app
