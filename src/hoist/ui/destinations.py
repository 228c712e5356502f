"""Destinations: list them, add or edit one, and test its connection to Intercom.

A destination is saved with the *name* of the variable that holds its token
(``access_token: ${VAR}``); the token itself never reaches the browser or the files.

Test connection sends a token only where its owner sent it (`_test_problem`): a form can name
any URL and any variable, so an unsaved destination may reach only Intercom's own API of its
region or a loopback server (the emulator), with a variable whose name says INTERCOM; a saved
one reads only the variable its file names, and any other URL must be saved first (a
deliberate, reviewable edit of the project's files).
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hoist.config import DestinationConfig, Secret, describe_errors
from hoist.errors import HoistError
from hoist.loopback import is_loopback
from hoist.secret import mask_url, redact
from hoist.ui.context import ui
from hoist.ui.files import ChangedOnDiskError, fingerprint
from hoist.ui.forms import Errors, expected_of, text, valid_name, validate
from hoist.ui.render import page, saved_url
from hoist.ui.security import checked_form
from hoist.ui.workspace_lookup import describe_workspace

__all__ = ["routes"]

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}")
_FIELDS = {"access_token": "token_env", "region": "region", "base_url": "base_url"}


def token_variable(raw: dict[str, Any]) -> str:
    """The variable named by ``access_token: ${VAR}`` ("" when the file holds something else)."""
    match = _REFERENCE.fullmatch(str(raw.get("access_token", "")))
    return match.group(1) if match else ""


async def listing(request: Request) -> Response:
    """Every destination with its region, token variable and URL."""
    definitions = ui(request).files.definitions()["destinations"]
    rows = []
    for name, definition in definitions.items():
        variable = token_variable(definition.data)
        rows.append(
            {
                "name": name,
                "region": definition.data.get("region", "us"),
                "token_env": variable,
                "token_set": bool(variable) and variable in os.environ,
                "base_url": mask_url(str(definition.data.get("base_url") or "")),
            }
        )
    return page(request, "destinations.html", destinations=rows)


async def edit(request: Request) -> Response:
    """The form for a new destination, or for the one named in the path."""
    name = request.path_params.get("name", "")
    raw = ui(request).files.raw("destinations", name) if name else {}
    values = {
        "name": name,
        "region": str(raw.get("region", "us")),
        "token_env": token_variable(raw) if raw else "INTERCOM_ACCESS_TOKEN",
        "base_url": mask_url(str(raw.get("base_url") or "")),
    }
    literal = bool(raw) and not values["token_env"]
    return _form(request, values, {}, editing=bool(name), literal=literal)


def _form(
    request: Request,
    values: dict[str, str],
    errors: Errors,
    *,
    editing: bool,
    literal: bool = False,
    status: int = 200,
    conflict: str | None = None,
) -> Response:
    target = ui(request).files.shown("destinations", values["name"])
    values = {**values, "base_url": mask_url(values.get("base_url", ""))}  # never echo a password
    expected = values.get("expected") or fingerprint(target)
    return page(
        request,
        "destination_form.html",
        status=status,
        values=values,
        errors=errors,
        editing=editing,
        literal=literal,
        expected=expected,
        conflict=conflict,
        file=target.name,
    )


def _values(form: Any) -> dict[str, str]:
    keys = ("name", "region", "token_env", "base_url", "expected", "editing")
    return {key: text(form, key) for key in keys}


def _definition(values: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {"access_token": f"${{{values['token_env']}}}"}
    data["region"] = values["region"] or "us"
    if values["base_url"]:
        data["base_url"] = values["base_url"]
    return data


def _problems(request: Request, values: dict[str, str]) -> Errors:
    errors: Errors = {}
    taken = () if values["editing"] else ui(request).files.definitions()["destinations"]
    problem = valid_name(values["name"], taken)
    if problem:
        errors["name"] = problem
    if not _VARIABLE.fullmatch(values["token_env"]):
        errors["token_env"] = (
            "give the name of the environment variable holding the token, e.g. "
            "INTERCOM_ACCESS_TOKEN (the token itself is never written to the project)"
        )
    checked = {**_definition(values), "access_token": "set"}
    validate(DestinationConfig, checked, lambda key: _FIELDS.get(key, ""), errors)
    return errors


async def save(request: Request) -> Response:
    """Validate and write the destination; problems are shown beside their fields."""
    form = await checked_form(request)
    values = _values(form)
    editing = values["editing"] == "1"
    errors = _problems(request, values)
    if errors:
        return _form(request, values, errors, editing=editing, status=400)
    files = ui(request).files
    definition = _merged(files.raw("destinations", values["name"]), _definition(values))
    try:
        target = files.target("destinations", values["name"])
        files.save("destinations", values["name"], definition, expected=expected_of(form, target))
    except ChangedOnDiskError as exc:
        return _form(
            request,
            values,
            {},
            editing=editing,
            status=409,
            conflict=str(exc.file.relative_to(files.root)),
        )
    return RedirectResponse(saved_url("/destinations", target, ui(request)), status_code=303)


def _merged(raw: dict[str, Any], written: dict[str, Any]) -> dict[str, Any]:
    """The form's keys over what the file holds (keys the form does not show are kept)."""
    kept = {k: v for k, v in raw.items() if k not in ("access_token", "region", "base_url")}
    return {**written, **kept}


async def test_connection(request: Request) -> Response:
    """Ask Intercom with the form's values; show the workspace's attributes or the error."""
    form = await checked_form(request)
    values = _values(form)
    refused = _test_problem(request, values)
    if refused:
        return page(request, "_connection.html", error=refused, workspace=None)
    variable = values["token_env"]
    token = os.environ.get(variable)
    if not token:
        error = f"{variable} is not set in the environment of hoist serve"
        return page(request, "_connection.html", error=error, workspace=None)
    try:
        destination = DestinationConfig(
            access_token=Secret(token),
            region=values["region"] or "us",  # type: ignore[arg-type]
            base_url=values["base_url"] or None,
        )
        workspace = await run_in_threadpool(describe_workspace, destination)
    except HoistError as exc:
        return page(request, "_connection.html", error=redact(str(exc), [token]), workspace=None)
    except ValidationError as exc:  # a region or URL that saving would refuse too
        problems = describe_errors(exc, sections={(): DestinationConfig})
        error = "; ".join(f"{key}: {message}" for key, message in problems)
        return page(request, "_connection.html", error=error, workspace=None)
    return page(request, "_connection.html", error=None, workspace=workspace)


def _test_problem(request: Request, values: dict[str, str]) -> str | None:
    """Why the form's token variable or URL may not be used for a test, or None."""
    variable, url = values["token_env"], values["base_url"]
    if not _VARIABLE.fullmatch(variable):
        return "give the name of the environment variable holding the token"
    saved = ui(request).files.definitions()["destinations"].get(values["name"])
    if saved is None:
        if "INTERCOM" not in variable.upper():
            return (
                f"an unsaved destination may only read a variable whose name contains "
                f"INTERCOM, not {variable}: a form must not send any secret of this server "
                "to Intercom; rename the variable, or save the destination first"
            )
        if url and not _loopback_url(url):
            return (
                "an unsaved destination is tested only against Intercom's API for its region "
                "or a server on this machine (the emulator); save the destination with this "
                "base_url first (a reviewable edit of the project's files), then test it"
            )
        return None
    if variable != token_variable(saved.data):
        named = token_variable(saved.data) or "no variable"
        return (
            f"destination {values['name']!r} is saved with {named}; save the form first to "
            f"test it with {variable}"
        )
    written = str(saved.data.get("base_url") or "")
    if url and url != written and not _loopback_url(url):
        return f"save the destination with this base_url first, then test it ({_unsaved_url()})"
    return None


def _loopback_url(url: str) -> bool:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return host is not None and is_loopback(host)


def _unsaved_url() -> str:
    return "a token is sent only to the URL the project's files name, or to this machine"


routes = [
    Route("/destinations", listing),
    Route("/destinations/new", edit),
    Route("/destinations/save", save, methods=["POST"]),
    Route("/destinations/test", test_connection, methods=["POST"]),
    Route("/destinations/{name}", edit),
]
