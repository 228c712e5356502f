"""Pages from the Jinja2 templates shipped in the package, with the CSRF cookie they need."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from hoist.report import WITHOUT_CONTACTS_NOTE, RunReport
from hoist.ui.builder import OP_WORDS, UNITS
from hoist.ui.outcomes import outcome_rows, removal_note, summary
from hoist.ui.security import SESSION_COOKIE, csrf_token, session_of
from hoist.ui.types import intercom_word

if TYPE_CHECKING:
    from hoist.ui.context import UiContext

__all__ = ["STATIC", "page", "report_counts", "saved_url"]

#: The vendored static files (htmx, the style sheet), served under /static.
STATIC = resources.files("hoist.ui") / "static"

_ENV = Environment(
    loader=PackageLoader("hoist.ui", "templates"),
    autoescape=select_autoescape(default=True),  # every value is escaped unless marked safe
    undefined=StrictUndefined,  # a typo in a template fails the test that renders it
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["number"] = lambda value: f"{value:,}" if isinstance(value, int) else value
_ENV.filters["counts"] = lambda report: report_counts(report)
# Intercom's data types in the words every page uses (hoist.ui.types).
_ENV.filters["type_word"] = lambda data_type: intercom_word(str(data_type))
_ENV.globals.update(outcome_rows=outcome_rows, summary=summary, removal_note=removal_note)
_ENV.globals.update(op_words=OP_WORDS, units=UNITS)
# The same sentence the CLI prints under its counts (issue 15).
_ENV.globals["without_contacts_note"] = WITHOUT_CONTACTS_NOTE.replace(
    "the `contacts:` key attaches contacts",
    "to attach contacts, add a contacts model to the activation's file (its contacts: key)",
).replace("`", "")


def report_counts(report: RunReport) -> list[tuple[str, int]]:
    """Every count of a run report, read from its fields: counts added to the report later
    (contacts attached, rows fetched ...) show up without a change here."""
    return [
        (key.replace("_", " "), value)
        for key, value in report.to_json().items()
        if isinstance(value, int) and not isinstance(value, bool) and key not in _NOT_COUNTS
    ]


_NOT_COUNTS = frozenset({"custom_attributes_remaining", "estimated_calls"})


def saved_url(path: str, file: Path, context: UiContext, *, empty: bool = False) -> str:
    """Where a save redirects: `path`, telling the page which file was saved (and, `empty`,
    that the saved segment matches no company) so it confirms it."""
    query = {"saved": str(file.relative_to(context.root))}
    if empty:
        query["empty"] = "1"
    return f"{path}?{urlencode(query)}"


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render `template` with `context`, the request and the CSRF token of its session."""
    token = csrf_token(request)
    html = _ENV.get_template(template).render(request=request, csrf=token, **context)
    response = HTMLResponse(html, status_code=status)
    session = session_of(request)
    if request.cookies.get(SESSION_COOKIE) != session:
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict")
    return response
