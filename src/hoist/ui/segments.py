"""Segments: list them, and build one by clicking conditions, with a live count and sample.

Every change posts the form: the server types the values from the table's real columns, checks
the conditions the way a run would (`hoist.segments`), counts the matching rows, reads a sample
and shows the SQL it generated. The builder's buttons work without JavaScript too (the whole
page is sent back); with htmx only the builder and the preview are replaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hoist.config import ModelConfig, SegmentConfig, SegmentDefinition
from hoist.errors import HoistError
from hoist.segments import Kind, SegmentPreview, fitting_operators, preview, segment_problems
from hoist.sources import open_source
from hoist.ui.builder import (
    GROUPS,
    Node,
    apply_action,
    bound_problems,
    field_of,
    from_form,
    from_where,
    rules,
)
from hoist.ui.builder import to_where as where_of
from hoist.ui.context import UiContext, ui
from hoist.ui.files import ChangedOnDiskError, fingerprint
from hoist.ui.forms import Errors, expected_of, text, valid_name, validate
from hoist.ui.render import page, saved_url
from hoist.ui.security import checked_form
from hoist.ui.warehouse import (
    Column,
    distinct_values,
    list_tables,
    model_columns,
    schema_columns,
)

__all__ = ["routes"]

_SAMPLE_ROWS = 5


@dataclass
class Draft:
    """The segment being edited, as the form holds it."""

    name: str
    source: str
    table: str
    root: Node
    editing: bool
    expected: str = ""


@dataclass
class Analysis:
    """What the builder shows about a draft: choices, problems, and the matching rows."""

    sources: list[str]
    tables: list[str] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    errors: Errors = field(default_factory=dict)
    preview: SegmentPreview | None = None
    data: dict[str, Any] = field(default_factory=dict)
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    """A text column's distinct values, when it has few: offered while a value is typed."""

    def operators(self, column: str) -> list[str]:
        """The operators the column's type allows (every operator for an unknown column)."""
        kinds = {c.name: c.kind for c in self.columns}
        return fitting_operators(Kind(kinds.get(column, "other")))


def analyse(context: UiContext, draft: Draft) -> Analysis:
    """Check `draft` against its table's real columns; count and sample it when it is valid."""
    project = context.project()
    analysis = Analysis(sources=list(project.sources))
    if draft.source not in analysis.sources:
        analysis.errors["source"] = "choose a source of the project"
        return analysis
    source = project.sources[draft.source]
    analysis.tables = list_tables(source)
    if not draft.table:
        analysis.errors["from"] = "choose the table to filter"
        return analysis
    try:
        schema = model_columns(source, ModelConfig(table=draft.table))
    except HoistError as exc:
        analysis.errors["from"] = str(exc)
        return analysis
    analysis.columns = schema_columns(schema)
    analysis.suggestions = _suggestions(source, draft, analysis.columns)
    kinds = {c.name: c.kind for c in analysis.columns}
    where = where_of(draft.root, kinds)
    analysis.data = {"source": draft.source, "from": draft.table}
    if where is not None:
        analysis.data["where"] = where
    # A between rule's own words first: they name the bound, where the check says "value".
    analysis.errors.update(bound_problems(draft.root, kinds))
    validate(SegmentDefinition, analysis.data, field_of(draft.root), analysis.errors)
    if not analysis.errors:
        _count(context, draft, analysis, source, schema)
    return analysis


def _count(context: UiContext, draft: Draft, analysis: Analysis, source: Any, schema: Any) -> None:
    segment = SegmentConfig.model_validate(
        {
            "name": draft.name if valid_name(draft.name) is None else "segment",
            "file": context.files.shown("segments", draft.name, "segment"),
            "source": source,
            "from": draft.table,
            "where": analysis.data.get("where"),
        }
    )
    try:
        with open_source(source) as opened:
            field = field_of(draft.root)
            for key, message in segment_problems(segment, schema, opened.dialect):
                analysis.errors.setdefault(field(key), message)
            if not analysis.errors:
                analysis.preview = preview(segment, opened, limit=_SAMPLE_ROWS)
    except HoistError as exc:
        analysis.errors[""] = str(exc)


def _suggestions(source: Any, draft: Draft, columns: list[Column]) -> dict[str, list[str]]:
    """The distinct values of the text columns the conditions compare, when there are few."""
    texts = {c.name for c in columns if c.kind == "text"}
    used = sorted({rule.column for rule in rules(draft.root)} & texts)
    return {c: values for c in used if (values := distinct_values(source, draft.table, c))}


def _draft(form: Any) -> Draft:
    return Draft(
        name=text(form, "name"),
        source=text(form, "source"),
        table=text(form, "from"),
        root=from_form(form),
        editing=text(form, "editing") == "1",
        expected=text(form, "expected"),
    )


async def listing(request: Request) -> Response:
    """Every segment with its source and table."""
    definitions = ui(request).files.definitions()["segments"]
    rows = [
        {"name": n, "source": d.data.get("source", ""), "table": d.data.get("from", "")}
        for n, d in definitions.items()
    ]
    return page(request, "segments.html", segments=rows)


async def edit(request: Request) -> Response:
    """The builder for a new segment, or for the one named in the path."""
    context = ui(request)
    name = request.path_params.get("name", "")
    raw = context.files.raw("segments", name) if name else {}
    sources = list(context.files.definitions()["sources"])
    draft = Draft(
        name=name,
        source=str(raw.get("source", sources[0] if sources else "")),
        table=str(raw.get("from", "")),
        root=from_where(raw.get("where")),
        editing=bool(name),
    )
    return await _page(request, draft)


async def _page(
    request: Request,
    draft: Draft,
    *,
    status: int = 200,
    conflict: str | None = None,
    analysis: Analysis | None = None,
) -> Response:
    """The builder page; problems beside their fields once saving was tried (`analysis`)."""
    context = ui(request)
    inline = analysis.errors if analysis is not None else {}
    if analysis is None:
        analysis = await run_in_threadpool(analyse, context, draft)
    target = context.files.shown("segments", draft.name)
    expected = draft.expected or fingerprint(target)
    return page(
        request,
        "segment_form.html",
        status=status,
        draft=draft,
        analysis=analysis,
        groups=GROUPS,
        inline=inline,
        expected=expected,
        conflict=conflict,
        file=str(target.relative_to(context.root)),
    )


async def builder(request: Request) -> Response:
    """The builder after a change or a button: its conditions, and the preview beside them."""
    form = await checked_form(request)
    draft = _draft(form)
    analysis = await run_in_threadpool(analyse, ui(request), draft)
    action = text(form, "action")
    if action.partition(":")[0] in ("add-rule", "add-group", "remove"):
        first = analysis.columns[0].name if analysis.columns else ""
        draft.root = apply_action(draft.root, action, first)
        analysis = await run_in_threadpool(analyse, ui(request), draft)
    # Problems show at their condition as soon as it is edited, not only once saving was tried.
    return page(
        request,
        "_builder.html",
        draft=draft,
        analysis=analysis,
        groups=GROUPS,
        inline=analysis.errors,
        oob=True,
    )


async def preview_panel(request: Request) -> Response:
    """The count, sample and SQL of the conditions as they are now (while values are typed)."""
    form = await checked_form(request)
    analysis = await run_in_threadpool(analyse, ui(request), _draft(form))
    return page(request, "_segment_preview.html", analysis=analysis)


async def save(request: Request) -> Response:
    """Save the segment, or (without JavaScript) apply a builder button and show the page."""
    form = await checked_form(request)
    draft = _draft(form)
    action = text(form, "action")
    if action and action != "save":
        draft.root = apply_action(draft.root, action, "")
        return await _page(request, draft)
    context = ui(request)
    taken = () if draft.editing else context.files.definitions()["segments"]
    analysis = await run_in_threadpool(analyse, context, draft)
    problem = valid_name(draft.name, taken)
    if problem:
        analysis.errors["name"] = problem
    if analysis.errors:
        return await _page(request, draft, status=400, analysis=analysis)
    target = context.files.target("segments", draft.name)
    data = {**_kept(context, draft.name), **analysis.data}
    try:
        context.files.save("segments", draft.name, data, expected=expected_of(form, target))
    except ChangedOnDiskError as exc:
        return await _page(request, draft, status=409, conflict=str(_relative(exc.file, context)))
    empty = analysis.preview is not None and analysis.preview.count == 0
    return RedirectResponse(saved_url("/segments", target, context, empty=empty), status_code=303)


def _kept(context: UiContext, name: str) -> dict[str, Any]:
    """Keys of the file the builder does not edit (none today; kept if a later version adds)."""
    raw = context.files.raw("segments", name)
    return {k: v for k, v in raw.items() if k not in ("source", "from", "where")}


def _relative(file: Path, context: UiContext) -> Path:
    return file.relative_to(context.root)


routes = [
    Route("/segments", listing),
    Route("/segments/new", edit),
    Route("/segments/builder", builder, methods=["POST"]),
    Route("/segments/preview", preview_panel, methods=["POST"]),
    Route("/segments/save", save, methods=["POST"]),
    Route("/segments/{name}", edit),
]
