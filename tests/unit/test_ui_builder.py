"""The segment builder's tree: from YAML to form fields and back, its buttons, problem keys."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import FormData, UploadFile

from hoist.ui.builder import (
    Node,
    apply_action,
    bound_problems,
    from_form,
    from_where,
    problem_field,
    to_where,
)

KINDS = {"plan": "text", "mrr": "number", "seats": "integer", "paid": "boolean"}
EXAMPLE: dict[str, Any] = {
    "all": [
        {"column": "plan", "op": "in", "value": ["Pro", "Enterprise"], "ignore_case": True},
        {"column": "mrr", "op": "gte", "value": 100},
        {
            "any": [
                {"column": "paid", "op": "is_true"},
                {"column": "seats", "op": "between", "value": [2, 9]},
            ]
        },
        {"not": {"any": [{"column": "plan", "op": "contains", "value": "test"}]}},
    ]
}


def fields(node: Node) -> list[tuple[str, str | UploadFile]]:
    """The form fields the page renders for `node` (what the browser posts back)."""
    prefix = f"w.{node.path}"
    own: list[tuple[str, str | UploadFile]]
    if node.is_group:
        own = [(f"{prefix}.kind", node.kind)]
        return own + [pair for child in node.children for pair in fields(child)]
    own = [(f"{prefix}.kind", "rule"), (f"{prefix}.column", node.column)]
    own += [(f"{prefix}.op", node.op), (f"{prefix}.value", node.value)]
    own += [(f"{prefix}.high", node.high)] if node.op == "between" else []
    return own + ([(f"{prefix}.ignore_case", "1")] if node.ignore_case else [])


def round_trip(where: Any) -> Any:
    return to_where(from_form(FormData(fields(from_where(where)))), KINDS)


def test_a_condition_tree_survives_the_form_unchanged() -> None:
    """YAML -> builder -> form fields -> builder -> YAML gives back the same conditions."""
    assert round_trip(EXAMPLE) == EXAMPLE


def test_no_condition_means_no_where_and_a_lone_rule_gets_a_group() -> None:
    """An empty root writes no `where`; a `where` that is one rule is shown in an all-group."""
    assert round_trip(None) is None
    lone = {"column": "mrr", "op": "lt", "value": 3.5}
    assert round_trip(lone) == {"all": [lone]}


@given(st.lists(st.sampled_from(["Pro", "Team", "Élan", "a b"]), min_size=1, max_size=4))
def test_in_lists_keep_their_text_values(values: list[str]) -> None:
    """Values of an `in` list written in the box come back as the same list."""
    where = {"all": [{"column": "plan", "op": "in", "value": values}]}
    assert round_trip(where) == where


def test_values_are_typed_from_their_column() -> None:
    """`100` is a number for a number column and text for a text one; `true` a boolean."""
    root = Node(
        children=[
            Node("rule", column=c, op="eq", value=v)
            for c, v in (
                ("mrr", "100"),
                ("mrr", "2.5"),
                ("plan", "100"),
                ("paid", "TRUE"),
                ("seats", "many"),
            )
        ]
    ).renumber()
    values = [rule["value"] for rule in to_where(root, KINDS)["all"]]
    assert values == [100, 2.5, "100", True, "many"]


def test_buttons_add_and_remove_conditions_and_groups() -> None:
    """+ condition and + group append to the group; remove takes the node out; paths follow."""
    root = from_where(None)
    root = apply_action(root, "add-rule:r", "plan")
    root = apply_action(root, "add-group:r", "plan")
    root = apply_action(root, "add-rule:r.1", "mrr")
    assert [c.path for c in root.children[1].children] == ["r.1.0", "r.1.1"]
    root = apply_action(root, "remove:r.0", "plan")
    assert root.children[0].kind == "any"
    assert root.children[0].path == "r.0"
    assert apply_action(root, "remove:r", "plan").children  # the root stays


def test_problem_keys_point_at_their_form_fields() -> None:
    """A problem under `where.all[2].any[0].value` is shown beside that condition's value."""
    assert problem_field("segments.s.where.all[2].any[0].value") == "r.2.0.value"
    assert problem_field("where.all[3].not.any[0].column") == "r.3.0.column"
    assert problem_field("where.all[1].value[0]") == "r.1.value"
    assert problem_field("where.all") == "r"
    assert problem_field("from") == "from"


def test_between_bounds_are_ordered_by_their_column_type() -> None:
    """Dates and times compare as dates and times (not as text); equal bounds are fine; an
    unreadable bound is left to the type check."""
    cases = [
        ("date", "2024-10-01", "2024-9-30", False),  # not ISO: the type check says why
        ("date", "2024-10-01", "2024-09-30", True),
        ("timestamp", "2024-01-02 00:00", "2024-01-01 23:59", True),
        ("integer", "9", "10", False),
        ("number", "2.5", "2.5", False),
        ("text", "b", "a", False),  # text is not ordered: between does not fit it
    ]
    for kind, low, high, refused in cases:
        root = Node(children=[Node("rule", column="c", op="between", value=low, high=high)])
        problems = bound_problems(root.renumber(), {"c": kind})
        assert ("r.0" in problems) is refused, (kind, low, high)
