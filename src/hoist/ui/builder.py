"""The segment condition builder: a condition tree to and from form fields, without SQL.

Each node of the tree has a path: the root group is ``r``, its children ``r.0``, ``r.1``,
theirs ``r.1.0`` ... A node's form fields are ``w.<path>.kind`` (all, any, none or rule) and,
for a rule, ``w.<path>.column``, ``.op``, ``.value`` and ``.ignore_case``. A "none of" group is
written ``not: {any: [...]}``. Values are typed from the column: ``100`` is a number for a
numeric column and text for a text one; ``in`` takes one value per line (a value may hold a
comma: "Acme, Inc."), ``between`` a low bound (``.value``) and a high bound (``.high``), and
"within the last" a number (``.value``) and a unit (``.unit``). Operators are shown in words
(`OP_WORDS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from hoist.config import MAX_DEPTH, OPERATORS, TEXT_OPERATORS, parse_span

__all__ = [
    "GROUPS",
    "OP_WORDS",
    "UNITS",
    "Node",
    "apply_action",
    "bound_problems",
    "field_of",
    "from_form",
    "from_where",
    "problem_field",
    "rules",
    "to_where",
]

GROUPS: Final = {"all": "all of", "any": "any of", "none": "none of"}
#: Each operator as the builder reads it; the YAML keeps the short names.
OP_WORDS: Final = {
    "eq": "is",
    "ne": "is not",
    "gt": "more than",
    "gte": "at least",
    "lt": "less than",
    "lte": "at most",
    "in": "is one of",
    "not_in": "is none of",
    "between": "between",
    "contains": "contains",
    "starts_with": "starts with",
    "ends_with": "ends with",
    "is_null": "is empty",
    "is_not_null": "is not empty",
    "is_true": "is true",
    "is_false": "is false",
    "within_last": "within the last",
    "not_within_last": "not within the last",
}
#: The units of "within the last".
UNITS: Final = ("minutes", "hours", "days", "weeks", "months")
_SPANS: Final = ("within_last", "not_within_last")
_IN: Final = ("in", "not_in")
_NO_VALUE: Final = ("is_null", "is_not_null", "is_true", "is_false")
_CASELESS: Final = ("eq", "ne", "in", "not_in", *TEXT_OPERATORS)
_VALUE_KEEPS_TEXT: Final = ("within_last", "not_within_last", *TEXT_OPERATORS)


@dataclass
class Node:
    """A group (``all``, ``any``, ``none``) of children, or a rule on one column."""

    kind: str = "all"
    children: list[Node] = field(default_factory=list)
    column: str = ""
    op: str = "eq"
    value: str = ""
    ignore_case: bool = False
    path: str = "r"
    unit: str = "days"
    """The unit of a "within the last" rule (its number is `value`)."""
    high: str = ""
    """The high bound of a "between" rule (its low bound is `value`)."""

    @property
    def is_group(self) -> bool:
        """Whether the node holds other conditions."""
        return self.kind in GROUPS

    @property
    def takes_value(self) -> bool:
        """Whether the rule's operator compares with a value."""
        return self.op not in _NO_VALUE

    @property
    def caseless(self) -> bool:
        """Whether `ignore_case` applies to the rule's operator."""
        return self.op in _CASELESS

    def renumber(self, path: str = "r") -> Node:
        """Give each node the path of its position; returns the node."""
        self.path = path
        for index, child in enumerate(self.children):
            child.renumber(f"{path}.{index}")
        return self


# -- from YAML and back ---------------------------------------------------------------------


def from_where(where: Any) -> Node:
    """The builder tree of a segment's `where` (None: a root group with no condition)."""
    if where is None:
        return Node()
    node = _node(where)
    return (node if node.is_group else Node(children=[node])).renumber()


def _node(data: Any) -> Node:
    if not isinstance(data, dict):
        return Node(kind="rule")
    for kind in ("all", "any"):
        if kind in data:
            return Node(kind=kind, children=[_node(c) for c in data[kind] or []])
    if "not" in data:
        inner = data["not"]
        children = inner["any"] if isinstance(inner, dict) and "any" in inner else [inner]
        return Node(kind="none", children=[_node(c) for c in children or []])
    op = str(data.get("op", "eq"))
    node = Node(
        kind="rule",
        column=str(data.get("column", "")),
        op=op,
        value=_text(data.get("value"), "\n" if op in _IN else ", "),
        ignore_case=bool(data.get("ignore_case", False)),
    )
    span = parse_span(data.get("value")) if op in _SPANS else None
    if span is not None:
        node.value, node.unit = str(span.count), span.unit
    bounds = data.get("value")
    if op == "between" and isinstance(bounds, list) and len(bounds) == 2:
        node.value, node.high = _text(bounds[0]), _text(bounds[1])
    return node


def _text(value: Any, separator: str = ", ") -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return separator.join(_text(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_where(root: Node, kinds: dict[str, str]) -> Any:
    """The `where` to write for the tree; `kinds` types each column's values. None: no filter."""
    if not root.children:
        return None
    return _condition(root, kinds)


def _condition(node: Node, kinds: dict[str, str]) -> Any:
    if node.kind == "none":
        return {"not": {"any": [_condition(c, kinds) for c in node.children]}}
    if node.is_group:
        return {node.kind: [_condition(c, kinds) for c in node.children]}
    rule: dict[str, Any] = {"column": node.column, "op": node.op}
    if node.op == "between":
        kind = kinds.get(node.column, "text")
        bounds = [_scalar(b.strip(), kind) for b in (node.value, node.high) if b.strip()]
        if bounds:  # one bound alone is refused by the check, at the missing one
            rule["value"] = bounds
    elif node.takes_value and node.value.strip():
        rule["value"] = _typed(node.op, node.value, kinds.get(node.column, "text"))
        if node.op in _SPANS and node.value.strip().isdigit():
            rule["value"] = f"{node.value.strip()} {node.unit}"
    if node.ignore_case and node.caseless:
        rule["ignore_case"] = True
    return rule


def _typed(op: str, text: str, kind: str) -> Any:
    if op in _IN:
        return [_scalar(item.strip(), kind) for item in text.splitlines() if item.strip()]
    if op in _VALUE_KEEPS_TEXT:
        return text
    return _scalar(text.strip(), kind)


def _scalar(text: str, kind: str) -> Any:
    """`text` as the column's type when it reads as one; else as text (the check says why)."""
    if kind == "integer" and re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if kind == "number" and re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


# -- from the form, and the builder's buttons -----------------------------------------------


def from_form(form: FormData) -> Node:
    """The tree the form's ``w.*`` fields describe (400 for one nested too deep to build)."""
    fields: dict[str, dict[str, str]] = {}
    for key, value in form.multi_items():
        if key.startswith("w.") and isinstance(value, str):
            path, _, name = key[2:].rpartition(".")
            if path.count(".") > MAX_DEPTH:
                raise HTTPException(
                    400, f"the conditions nest more than {MAX_DEPTH} groups deep; flatten them"
                )
            fields.setdefault(path, {})[name] = value
    root = _from_fields("r", fields)
    if not root.is_group:
        root = Node(children=[root])
    return root.renumber()


def _from_fields(path: str, fields: dict[str, dict[str, str]]) -> Node:
    own = fields.get(path, {})
    kind = own.get("kind", "all")
    if kind not in GROUPS:
        op = own.get("op", "eq")
        return Node(
            kind="rule",
            column=own.get("column", ""),
            op=op if op in OPERATORS else "eq",
            value=own.get("value", ""),
            ignore_case=own.get("ignore_case") == "1",
            unit=own.get("unit", "days") if own.get("unit") in UNITS else "days",
            high=own.get("high", ""),
        )
    indexes = sorted(
        int(p.rpartition(".")[2]) for p in fields if p.rpartition(".")[0] == path and p != path
    )
    return Node(kind=kind, children=[_from_fields(f"{path}.{i}", fields) for i in indexes])


def apply_action(root: Node, action: str, first_column: str) -> Node:
    """Apply a builder button: ``add-rule:PATH``, ``add-group:PATH`` or ``remove:PATH``."""
    verb, _, path = action.partition(":")
    if verb == "remove" and path != "r":
        parent = _find(root, path.rpartition(".")[0])
        index = int(path.rpartition(".")[2])
        if parent is not None and index < len(parent.children):
            del parent.children[index]
    group = _find(root, path)
    if group is not None and group.is_group:
        if verb == "add-rule":
            group.children.append(Node(kind="rule", column=first_column))
        elif verb == "add-group":
            group.children.append(Node(kind="any", children=[Node("rule", column=first_column)]))
    return root.renumber()


def _find(node: Node, path: str) -> Node | None:
    if node.path == path:
        return node
    for child in node.children:
        found = _find(child, path)
        if found is not None:
            return found
    return None


_STEP = re.compile(r"\.(?:all|any)(?:\[(\d+)\])?|\.not")


def problem_field(key: str) -> str:
    """The form field of a problem's key: ``...where.all[2].any[0].value`` -> ``r.2.0.value``."""
    _, found, rest = key.partition("where")
    if not found:
        return key.rpartition(".")[2] if key else ""
    path = "r"
    position = 0
    while (match := _STEP.match(rest, position)) is not None:
        position = match.end()
        if match.group(1) is not None:
            path += f".{match.group(1)}"
    field_name = re.sub(r"\[\d+\]$", "", rest[position:].lstrip("."))
    return f"{path}.{field_name}" if field_name else path


def field_of(root: Node) -> Callable[[str], str]:
    """`problem_field` for the tree `root`: a problem with a "between" rule's high bound (its
    second value, or the one missing beside a low bound) goes to the rule's high input."""

    def field(key: str) -> str:
        name = problem_field(key)
        path, _, leaf = name.rpartition(".")
        rule = _find(root, path) if leaf == "value" else None
        if rule is None or rule.op != "between":
            return name
        second = key.endswith("value[1]") or (rule.value.strip() and not rule.high.strip())
        return f"{path}.high" if second else name

    return field


def bound_problems(root: Node, kinds: dict[str, str]) -> dict[str, str]:
    """What is wrong with the bounds of each "between" rule, by form field: a bound left empty
    (at its input), or a low bound above the high one (at the rule: it can match no row)."""
    problems: dict[str, str] = {}
    for rule in rules(root):
        if rule.op != "between":
            continue
        low, high = rule.value.strip(), rule.high.strip()
        if not low and not high:
            problems[f"{rule.path}.value"] = "between needs a low and a high bound; fill both"
        elif not low:
            problems[f"{rule.path}.value"] = "add the low bound (the smallest value to match)"
        elif not high:
            problems[f"{rule.path}.high"] = "add the high bound (the largest value to match)"
        elif _above(low, high, kinds.get(rule.column, "text")):
            problems[rule.path] = (
                f"the low bound ({low}) is above the high bound ({high}), so no company can "
                "match; swap them"
            )
    return problems


def _above(low: str, high: str, kind: str) -> bool:
    """Whether `low` orders after `high` as values of a `kind` column (False when either does
    not read as one: the type check says why)."""
    lower, upper = _ordered(low, kind), _ordered(high, kind)
    if lower is None or upper is None:
        return False
    try:
        return bool(lower > upper)
    except TypeError:  # a time with a zone against one without: the check refuses the mix
        return False


def _ordered(text: str, kind: str) -> Any:
    """`text` as an orderable value of a `kind` column, or None."""
    if kind in ("integer", "number"):
        value = _scalar(text, kind)
        return value if isinstance(value, int | float) else None
    readers = {"date": date.fromisoformat, "timestamp": datetime.fromisoformat}
    read = readers.get(kind, datetime.fromisoformat if kind.startswith("timestamp") else None)
    if read is None:
        return None
    try:
        return read(text)
    except ValueError:
        return None


def rules(node: Node) -> list[Node]:
    """Every rule of the tree under `node`, in order."""
    if not node.is_group:
        return [node]
    return [rule for child in node.children for rule in rules(child)]
