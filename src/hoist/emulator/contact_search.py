"""`POST /contacts/search`: the query shapes, operators, limits and cursor pages of the spec.

Rules (api.intercom.io.yaml, `/contacts/search` and `contact_search_request`):
- a query is a single filter `{field, operator, value}` or a group `{operator: AND|OR, value:
  [filters]}`; "max 2 nested filters" and "max 15 filters for each AND or OR group";
- string fields take `=`, `!=`, `IN`, `NIN`, `~`, `!~`, `^`, `$`; `IN`/`NIN` values "must be in
  Array";
- pages hold 50 contacts unless `pagination.per_page` says otherwise, and continue from
  `pages.next.starting_after`; a sort order other than ascending/descending is a 400
  `invalid_sort_order`.

Safe readings where the documents are silent (docs/design.md): an `IN`/`NIN` array counts as an
OR group, so it holds at most 15 values; `per_page` is at most 150 (the maximum the spec states
for the other search endpoints); emails match case-insensitively, every other field exactly;
the emulator searches the string fields hoist needs and refuses the others.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from hoist.emulator.error_envelope import ApiError, invalid

__all__ = ["MAX_GROUP", "MAX_PER_PAGE", "search_page"]

MAX_GROUP = 15
MAX_PER_PAGE = 150
_DEFAULT_PER_PAGE = 50
_MAX_DEPTH = 2
_FIELDS = frozenset({"id", "email", "external_id", "role", "name", "email_domain", "phone"})
_FOLDED = frozenset({"email", "email_domain"})

Match = Callable[[dict[str, Any]], bool]


def search_page(
    body: Any, contacts: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The contacts of one result page, and the `pages`/`total_count` to send with them."""
    if not isinstance(body, dict) or "query" not in body:
        raise ApiError(400, "parameter_not_found", "query not specified", "query")
    match = _compile(body["query"], depth=0)
    per_page, offset = _paging(body.get("pagination"))
    hits = sorted((c for c in contacts if match(c)), key=_sort_key(body.get("sort")))
    descending = _descending(body.get("sort"))
    if descending:
        hits.reverse()
    page = hits[offset : offset + per_page]
    pages: dict[str, Any] = {
        "type": "pages",
        "page": offset // per_page + 1,
        "per_page": per_page,
        "total_pages": -(-len(hits) // per_page),
    }
    if offset + per_page < len(hits):
        pages["next"] = {"per_page": per_page, "starting_after": _cursor(offset + per_page)}
    return page, {"total_count": len(hits), "pages": pages}


def _compile(query: Any, depth: int) -> Match:
    if not isinstance(query, dict):
        raise invalid("query must be an object", "query")
    if query.get("operator") in ("AND", "OR"):
        return _group(query, depth)
    return _filter(query)


def _group(query: dict[str, Any], depth: int) -> Match:
    if depth >= _MAX_DEPTH:
        raise invalid(f"There's a limit of max {_MAX_DEPTH} nested filters", "query")
    parts = query.get("value")
    if not isinstance(parts, list) or not parts:
        raise invalid("a group's value must be a non-empty array of filters", "query")
    if len(parts) > MAX_GROUP:
        raise invalid(f"There's a limit of max {MAX_GROUP} filters for each AND or OR group")
    matches = [_compile(part, depth + 1) for part in parts]
    combine = all if query["operator"] == "AND" else any
    return lambda contact: combine(m(contact) for m in matches)


def _filter(query: dict[str, Any]) -> Match:
    field, operator, value = query.get("field"), query.get("operator"), query.get("value")
    if field not in _FIELDS:
        raise invalid(f"{field!r} is not a searchable field of this emulator", "field")
    fold: Callable[[str], str] = str.lower if field in _FOLDED else str
    if operator in ("IN", "NIN"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(f"{operator} values must be in Array of strings", "value")
        if len(value) > MAX_GROUP:
            raise invalid(f"There's a limit of max {MAX_GROUP} values for {operator}", "value")
        wanted = {fold(v) for v in value}
        inside = operator == "IN"
        return lambda c: c[field] is not None and (fold(c[field]) in wanted) == inside
    if not isinstance(value, str):
        raise invalid(f"{field} takes a string value", "value")
    test = _STRING_OPERATORS.get(str(operator))
    if test is None:
        raise invalid(f"{operator!r} is not an operator for string fields", "operator")
    return lambda c: c[field] is not None and test(fold(c[field]), fold(value))


_STRING_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "~": lambda a, b: b in a,
    "!~": lambda a, b: b not in a,
    "^": lambda a, b: a.startswith(b),
    "$": lambda a, b: a.endswith(b),
}


def _paging(pagination: Any) -> tuple[int, int]:
    if pagination is None:
        return _DEFAULT_PER_PAGE, 0
    if not isinstance(pagination, dict):
        raise invalid("pagination must be an object", "pagination")
    per_page = pagination.get("per_page", _DEFAULT_PER_PAGE)
    if not isinstance(per_page, int) or isinstance(per_page, bool) or per_page < 1:
        raise invalid("per_page must be a positive integer", "per_page")
    if per_page > MAX_PER_PAGE:
        raise invalid(f"per_page must be at most {MAX_PER_PAGE}", "per_page")
    after = pagination.get("starting_after")
    return per_page, 0 if after is None else _offset(after)


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: Any) -> int:
    try:
        text = base64.urlsafe_b64decode(str(cursor).encode()).decode()
        kind, _, number = text.partition(":")
        if kind == "offset" and number.isdigit():
            return int(number)
    except ValueError:
        pass
    raise invalid("starting_after is not a cursor from a previous page", "starting_after")


def _descending(sort: Any) -> bool:
    order = sort.get("order", "descending") if isinstance(sort, dict) else "descending"
    if order not in ("ascending", "descending"):
        raise ApiError(
            400,
            "invalid_sort_order",
            f"Invalid sort order '{order}'. Must be one of: ascending, descending",
        )
    return bool(order == "descending")


def _sort_key(sort: Any) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    field = sort.get("field", "created_at") if isinstance(sort, dict) else "created_at"
    # Missing values sort first; the id breaks ties, so pages never overlap.
    return lambda c: (c.get(field) is not None, str(c.get(field) or ""), c["id"])
