"""Activations: create or edit one (model, destination, insert mode, company ID, mapping,
custom attributes), look at it, and preview it (`plan`: counts and attribute changes).

The form is checked the way the project loader checks the file (`ActivationDefinition`), plus
what only the warehouse and the workspace know: the model's columns and the attributes'
types. Each problem is shown beside its field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hoist.config import ActivationDefinition, ModelConfig
from hoist.errors import HoistError
from hoist.project import Project
from hoist.ui.context import UiContext, ui
from hoist.ui.dbt_models import DbtChoices, dbt_choices
from hoist.ui.fields import CustomChoice, MappingRow, custom_choices, mapping_rows
from hoist.ui.files import ChangedOnDiskError, fingerprint
from hoist.ui.forms import Errors, expected_of, text, valid_name, validate
from hoist.ui.render import page, saved_url
from hoist.ui.security import checked_form
from hoist.ui.warehouse import Column, model_columns, schema_columns
from hoist.ui.workspace_lookup import Attribute, Workspace, attribute_choices, describe_workspace

__all__ = ["routes"]

#: Keys of the definition the form edits; the others (state, alerts, ...) are kept as written.
_EDITED = ("source", "destination", "model", "sync", "schedule")
_SYNC_EDITED = ("insert", "company_id", "mapping", "custom_attributes")
_MODEL_KINDS = ("segment", "table", "dbt", "sql")
#: YAML key (and the keys under it) -> the form field its problems are shown beside.
_FIELDS = {
    "sync.company_id": "company_id",
    "sync.custom_attributes": "custom",
    "sync.insert": "insert",
    "source": "source",
    "destination": "destination",
    "model": "model",
    "schedule": "schedule",
    "name": "name",
}


@dataclass
class Draft:
    """The activation being edited, as the form holds it."""

    name: str = ""
    model_kind: str = "segment"
    model: str = ""
    source: str = ""
    destination: str = ""
    insert: bool = True
    company_id: str = ""
    mapping: list[tuple[str, str]] = field(default_factory=list)
    custom: list[str] = field(default_factory=list)
    schedule: str = ""
    editing: bool = False
    expected: str = ""


@dataclass
class Analysis:
    """The choices the form offers and what is wrong with the draft."""

    segments: list[str]
    sources: list[str]
    destinations: list[str]
    columns: list[Column] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)
    workspace_error: str | None = None
    rows: list[MappingRow] = field(default_factory=list)
    customs: list[CustomChoice] = field(default_factory=list)
    errors: Errors = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    dbt: DbtChoices = field(default_factory=DbtChoices)


def draft_from_file(context: UiContext, name: str) -> Draft:
    """The draft of the activation `name` as its file holds it."""
    raw = context.files.raw("activations", name)
    model = raw.get("model") or {}
    kind = next((k for k in _MODEL_KINDS if k in model), "segment")
    sync = raw.get("sync") or {}
    return Draft(
        name=name,
        model_kind=kind,
        model=str(model.get(kind, "")),
        source=str(raw.get("source") or ""),
        destination=str(raw.get("destination", "")),
        insert=bool(sync.get("insert", True)),
        company_id=str(sync.get("company_id", "")),
        mapping=[(str(a), str(c)) for a, c in (sync.get("mapping") or {}).items()],
        custom=[str(c) for c in sync.get("custom_attributes") or []],
        schedule=str(raw.get("schedule") or ""),
        editing=True,
    )


def draft_from_form(form: Any) -> Draft:
    """The draft the posted form describes (empty mapping rows are left out)."""
    rows = sorted({k.split(".")[1] for k in form if k.startswith("map.")}, key=int)
    pairs = [(text(form, f"map.{i}.attribute"), text(form, f"map.{i}.column")) for i in rows]
    kind = text(form, "model_kind")
    return Draft(
        name=text(form, "name"),
        model_kind=kind if kind in _MODEL_KINDS else "segment",
        model=text(form, f"model_{kind}") if kind in _MODEL_KINDS else "",
        source=text(form, "source"),
        destination=text(form, "destination"),
        insert=text(form, "insert") == "1",
        company_id=text(form, "company_id"),
        mapping=[(a, c) for a, c in pairs if a or c],
        custom=[c for c in form.getlist("custom") if isinstance(c, str)],
        schedule=text(form, "schedule"),
        editing=text(form, "editing") == "1",
        expected=text(form, "expected"),
    )


def analyse(context: UiContext, draft: Draft) -> Analysis:
    """The model's columns, the workspace's attributes, and every problem of the draft."""
    project = context.project(secrets=False)
    analysis = Analysis(list(project.segments), list(project.sources), list(project.destinations))
    if draft.model_kind == "dbt" and draft.source in project.sources:
        analysis.dbt = dbt_choices(project.sources[draft.source].dbt, draft.model)
    schema = _columns(project, draft, analysis)
    _attributes(context, draft, analysis)
    analysis.rows = mapping_rows(draft.mapping, schema, analysis.attributes)
    analysis.customs = custom_choices(schema, draft.custom, analysis.attributes, draft.company_id)
    analysis.data = definition(draft)
    # The form's own checks first: their messages name the form's fields, not the YAML keys.
    _check_columns(draft, schema, analysis)
    validate(ActivationDefinition, analysis.data, _field_of(draft), analysis.errors)
    return analysis


def _columns(project: Project, draft: Draft, analysis: Analysis) -> pa.Schema | None:
    if not draft.model:
        analysis.errors["model"] = f"choose the {draft.model_kind} to sync"
        return None
    try:
        if draft.model_kind == "segment":
            segment = project.segment(draft.model)
            source, model = segment.source, ModelConfig(segment=segment)
        else:
            source = project.sources[draft.source]
            model = ModelConfig.model_validate({draft.model_kind: draft.model})
        schema = model_columns(source, model)
    except KeyError:
        analysis.errors["source"] = "choose the source the model reads"
        return None
    except HoistError as exc:
        analysis.errors["model"] = str(exc)
        return None
    analysis.columns = schema_columns(schema)
    return schema


def _attributes(context: UiContext, draft: Draft, analysis: Analysis) -> None:
    """The workspace's attributes; without them, the standard ones and the reason."""
    workspace: Workspace | None = None
    if draft.destination in analysis.destinations:
        try:
            destination = context.project().destinations[draft.destination]
            workspace = describe_workspace(destination)
        except HoistError as exc:
            analysis.workspace_error = str(exc)
    analysis.attributes = attribute_choices(workspace)


def definition(draft: Draft) -> dict[str, Any]:
    """The YAML the draft is saved as (without the keys the form does not show)."""
    data: dict[str, Any] = {}
    if draft.model_kind != "segment":
        data["source"] = draft.source
    data["destination"] = draft.destination
    data["model"] = {draft.model_kind: draft.model}
    data["sync"] = {
        "insert": draft.insert,
        "company_id": draft.company_id,
        "mapping": dict(draft.mapping),
        "custom_attributes": list(draft.custom),
    }
    if draft.schedule:
        data["schedule"] = draft.schedule
    return data


def _field_of(draft: Draft) -> Any:
    """The form field of a problem's key (``sync.mapping.plan`` -> that row's attribute)."""
    rows = {attribute: index for index, (attribute, _) in enumerate(draft.mapping)}

    def field_of(key: str) -> str:
        if key.startswith("sync.mapping."):
            attribute = key.removeprefix("sync.mapping.")
            return f"map.{rows.get(attribute, 0)}.attribute"
        for prefix, shown in _FIELDS.items():
            if key == prefix or key.startswith(prefix + "."):
                return shown
        # Anything else is shown above the form: a refused save always says why.
        return ""

    return field_of


def _check_columns(draft: Draft, schema: pa.Schema | None, analysis: Analysis) -> None:
    if schema is None:
        return
    errors = analysis.errors
    if draft.company_id and draft.company_id not in schema.names:
        errors.setdefault("company_id", f"the model has no column {draft.company_id!r}")
    for index, row in enumerate(analysis.rows):
        if row.problem:
            errors.setdefault(f"map.{index}.column", row.problem)
    for choice in analysis.customs:
        if choice.chosen and choice.problem:
            named = repr(choice.column) in choice.problem
            errors.setdefault(
                "custom", choice.problem if named else f"{choice.column}: {choice.problem}"
            )


async def _page(
    request: Request,
    draft: Draft,
    *,
    status: int = 200,
    conflict: str | None = None,
    analysis: Analysis | None = None,
) -> Response:
    """The form; problems are shown once saving was tried (`analysis` given), flags always."""
    context = ui(request)
    if analysis is None:
        analysis = await run_in_threadpool(analyse, context, draft)
        analysis.errors.clear()
    target = context.files.shown("activations", draft.name)
    return page(
        request,
        "activation_form.html",
        status=status,
        draft=draft,
        analysis=analysis,
        expected=draft.expected or fingerprint(target),
        conflict=conflict,
        file=str(target.relative_to(context.root)),
    )


async def edit(request: Request) -> Response:
    """The form for a new activation, or for the one named in the path."""
    context = ui(request)
    name = request.path_params.get("name", "")
    if name:
        draft = draft_from_file(context, name)
    else:
        definitions = context.files.definitions()
        draft = Draft(
            model=next(iter(definitions["segments"]), ""),
            destination=next(iter(definitions["destinations"]), ""),
            source=next(iter(definitions["sources"]), ""),
        )
    return await _page(request, draft)


async def refresh(request: Request) -> Response:
    """The form again after a change (a model, a destination, a mapping row added)."""
    form = await checked_form(request)
    draft = draft_from_form(form)
    action = text(form, "action")
    if action == "add-map":
        draft.mapping.append(("", ""))
    elif action.startswith("remove-map:"):
        index = int(action.partition(":")[2])
        draft.mapping = [p for i, p in enumerate(draft.mapping) if i != index]
    return await _page(request, draft)


async def save(request: Request) -> Response:
    """Validate and write ``activations/NAME.yml`` (or where the activation lives)."""
    form = await checked_form(request)
    draft = draft_from_form(form)
    if text(form, "action") not in ("", "save"):
        return await refresh(request)
    context = ui(request)
    analysis = await run_in_threadpool(analyse, context, draft)
    taken = () if draft.editing else context.files.definitions()["activations"]
    problem = valid_name(draft.name, taken)
    if problem:
        analysis.errors["name"] = problem
    if analysis.errors:
        return await _page(request, draft, status=400, analysis=analysis)
    raw = context.files.raw("activations", draft.name)
    data = _merged(raw, analysis.data)
    target = context.files.target("activations", draft.name)
    try:
        context.files.save("activations", draft.name, data, expected=expected_of(form, target))
    except ChangedOnDiskError as exc:
        where = str(exc.file.relative_to(context.root))
        return await _page(request, draft, status=409, conflict=where)
    url = saved_url(f"/activations/{draft.name}", target, context)
    return RedirectResponse(url, status_code=303)


def _merged(raw: dict[str, Any], edited: dict[str, Any]) -> dict[str, Any]:
    """The form's keys over the file's; keys the form does not show are kept as written."""
    data = {k: v for k, v in raw.items() if k not in _EDITED}
    sync = {k: v for k, v in (raw.get("sync") or {}).items() if k not in _SYNC_EDITED}
    return {**edited, **data, "sync": {**edited["sync"], **sync}}


routes = [
    Route("/activations/new", edit),
    Route("/activations/refresh", refresh, methods=["POST"]),
    Route("/activations/save", save, methods=["POST"]),
    Route("/activations/{name}/edit", edit),
]
