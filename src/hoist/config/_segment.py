"""A segment as written: a table plus a tree of filter conditions, with the shape of each rule.

What can be checked without the warehouse is checked here: the operator is known, its value has
the right shape (one value, a non-empty list, two bounds, ``N days``, none at all) and
`ignore_case` is used only where text is compared. Whether a value fits its column's type is
checked later, against the table's real columns (`hoist.segments`).

Groups and rules are told apart by their key (``all``, ``any``, ``not``, ``column``). Each
variant carries a tag in angle brackets; the loader drops those tags from error locations, so a
problem is reported at ``where.all[2].any[0].value``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hoist.config._schema import (
    ActivationConfig,
    ModelConfig,
    _check_name,
    _check_source_type,
)
from hoist.sources.registry import SourceConfig
from hoist.suggest import did_you_mean

__all__ = [
    "COMPARISONS",
    "MAX_DEPTH",
    "MAX_LIST_VALUES",
    "NOT_A_CONDITION",
    "OPERATORS",
    "TEXT_OPERATORS",
    "AllOf",
    "AnyOf",
    "Condition",
    "DbtRef",
    "NotOf",
    "Relation",
    "Rule",
    "SegmentConfig",
    "SegmentDefinition",
    "Span",
    "check_depth",
    "parse_span",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")

#: Operators taking one value.
COMPARISONS: Final = ("eq", "ne", "gt", "gte", "lt", "lte")
#: Operators matching part of a text; `%` and `_` in their value match only themselves.
TEXT_OPERATORS: Final = ("contains", "starts_with", "ends_with")
_LISTS: Final = ("in", "not_in")
#: Deepest nesting of groups (all/any/not) in a segment; a person's filter needs a few.
MAX_DEPTH: Final = 32
#: Most values of one in / not_in list; longer lists belong in a warehouse table.
MAX_LIST_VALUES: Final = 10_000
_NO_VALUE: Final = ("is_null", "is_not_null", "is_true", "is_false")
_SPANS: Final = ("within_last", "not_within_last")
OPERATORS: Final = (*COMPARISONS, *_LISTS, "between", *TEXT_OPERATORS, *_NO_VALUE, *_SPANS)
#: Operators `ignore_case: true` applies to.
_CASELESS: Final = ("eq", "ne", *_LISTS, *TEXT_OPERATORS)

Operator = Literal[
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "not_in",
    "between",
    "contains",
    "starts_with",
    "ends_with",
    "is_null",
    "is_not_null",
    "is_true",
    "is_false",
    "within_last",
    "not_within_last",
]
Unit = Literal["minutes", "hours", "days", "weeks", "months"]
_SPAN = re.compile(r"\s*(\d+)\s*(minute|hour|day|week|month)s?\s*", re.IGNORECASE)
_SCALAR = (str, int, float, date, datetime)  # bool is an int


def _problem(message: str, key: str = "") -> PydanticCustomError:
    return PydanticCustomError("hoist", message, {"issues": [(key, message)]})


class Span(BaseModel):
    """``N unit`` of a `within_last` rule; months are calendar months."""

    model_config = _FROZEN

    count: int
    unit: Unit


def parse_span(value: Any) -> Span | None:
    """`value` (``30 days``, ``1 month``) as a `Span`, or None when it is not one."""
    match = _SPAN.fullmatch(value) if isinstance(value, str) else None
    if match is None or int(match.group(1)) < 1:
        return None
    return Span(count=int(match.group(1)), unit=f"{match.group(2).lower()}s")  # type: ignore[arg-type]


class Rule(BaseModel):
    """One condition on one column: ``{column: mrr, op: gte, value: 100}``."""

    model_config = _FROZEN

    column: str = Field(min_length=1)
    op: Operator
    value: Any = None
    ignore_case: bool = False

    @model_validator(mode="before")
    @classmethod
    def _known_operator(cls, data: Any) -> Any:
        op = data.get("op") if isinstance(data, Mapping) else None
        if isinstance(op, str) and op not in OPERATORS:
            hint = did_you_mean(op, OPERATORS)
            raise _problem(
                f"unknown operator {op!r};{hint} use one of {', '.join(OPERATORS)}", "op"
            )
        return data

    @model_validator(mode="after")
    def _value_fits_operator(self) -> Rule:
        problem = _shape_problem(self.op, self.value, "value" in self.model_fields_set)
        if problem is not None:
            raise _problem(problem, "value")
        if self.ignore_case and self.op not in _CASELESS:
            raise _problem(
                f"ignore_case applies to text comparisons ({', '.join(_CASELESS)}), "
                f"not to {self.op}; remove it",
                "ignore_case",
            )
        return self

    @property
    def span(self) -> Span:
        """The `within_last` span (only for `within_last` / `not_within_last`)."""
        span = parse_span(self.value)
        assert span is not None, "validated with the rule"
        return span


def _shape_problem(op: str, value: Any, given: bool) -> str | None:
    """What is wrong with the shape of `value` for `op`, or None."""
    if op in _NO_VALUE:
        return f"{op} takes no value; remove value" if given else None
    if not given or value is None:
        return f"{op} needs a value{_NULL_HINT}" if given else f"{op} needs a value; add value"
    if op in _LISTS:
        return _list_problem(op, value)
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            return "between needs two values, the low and the high bound: value: [10, 20]"
        return _scalars_problem(value)
    if op in _SPANS:
        if parse_span(value) is None:
            return f"{value!r} is not a span; write N minutes|hours|days|weeks|months: 30 days"
        return None
    if op in TEXT_OPERATORS and (not isinstance(value, str) or value == ""):
        return f"{op} needs a non-empty text; quote it if YAML reads it as another type: '42'"
    return _scalars_problem([value])


_NULL_HINT = "; null never matches a comparison, use op: is_null / is_not_null"


def _list_problem(op: str, value: Any) -> str | None:
    if not isinstance(value, list):
        return f"{op} needs a list of values: value: [pro, enterprise]"
    if not value:
        return f"the {op} list is empty; list at least one value"
    if len(value) > MAX_LIST_VALUES:
        return (
            f"the {op} list has {len(value):,} values, more than {MAX_LIST_VALUES:,}; keep such "
            "a list in a table of the warehouse and write the model in SQL (a join)"
        )
    return _scalars_problem(value)


def check_depth(where: Any) -> Any:
    """`where` as written, once its groups nest at most `MAX_DEPTH` deep (checked before the
    tree is validated: validating a deeper one recursively would exhaust the stack)."""
    stack: list[tuple[Any, int]] = [(where, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _problem(
                f"the conditions nest more than {MAX_DEPTH} groups deep; flatten the tree "
                "(a group inside a group of the same kind can be merged into it)"
            )
        if isinstance(node, Mapping):
            for key in ("all", "any"):
                if isinstance(node.get(key), list | tuple):
                    stack.extend((child, depth + 1) for child in node[key])
            if "not" in node:
                stack.append((node["not"], depth + 1))
    return where


def _scalars_problem(values: list[Any]) -> str | None:
    for item in values:
        if item is None:
            return f"null is not a value to compare with{_NULL_HINT}"
        if not isinstance(item, _SCALAR):
            return f"{item!r} is not a single value (text, number, true/false, date or time)"
        if isinstance(item, float) and not math.isfinite(item):
            return f"{item!r} is not a finite number"
    return None


class AllOf(BaseModel):
    """Every condition holds."""

    model_config = _FROZEN

    all: tuple[Condition, ...] = Field(min_length=1)


class AnyOf(BaseModel):
    """At least one condition holds."""

    model_config = _FROZEN

    any: tuple[Condition, ...] = Field(min_length=1)


class NotOf(BaseModel):
    """The condition does not hold (a comparison with a null is false, so `not` keeps nulls)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    not_: Condition = Field(alias="not")


def _kind(value: Any) -> str | None:
    """The variant tag of a condition written as `value` (a mapping), by its keys."""
    if isinstance(value, BaseModel):
        return {Rule: "<rule>", AllOf: "<all>", AnyOf: "<any>", NotOf: "<not>"}.get(type(value))
    if not isinstance(value, Mapping):
        return None
    for key in ("all", "any", "not"):
        if key in value:
            return f"<{key}>"
    return "<rule>"


#: The message for a condition that is not a mapping (error type ``condition``).
NOT_A_CONDITION: Final = (
    "a condition is a mapping: {column: ..., op: ..., value: ...} or a group "
    "{all: [...]}, {any: [...]}, {not: {...}}"
)

Condition = Annotated[
    Annotated[Rule, Tag("<rule>")]
    | Annotated[AllOf, Tag("<all>")]
    | Annotated[AnyOf, Tag("<any>")]
    | Annotated[NotOf, Tag("<not>")],
    Discriminator(_kind, custom_error_type="condition", custom_error_message=NOT_A_CONDITION),
]

AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class DbtRef(BaseModel):
    """A dbt model where a table is expected: ``from: {dbt: NAME}``."""

    model_config = _FROZEN

    dbt: str = Field(
        min_length=1, description="a model of the source's dbt project: NAME or package.NAME"
    )


def _relation_kind(value: Any) -> str:
    return "<dbt>" if isinstance(value, Mapping | DbtRef) else "<table>"


#: What a segment filters: a table or view (``schema.table``) or a dbt model (``{dbt: NAME}``).
Relation = Annotated[
    Annotated[str, StringConstraints(min_length=1), Tag("<table>")]
    | Annotated[DbtRef, Tag("<dbt>")],
    Discriminator(_relation_kind),
]


class SegmentDefinition(BaseModel):
    """A segment as written under ``segments.NAME`` (or in ``segments/NAME.yml``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    source: str = Field(min_length=1, description="the name of a source of the project")
    from_: Relation = Field(
        alias="from",
        description="the table (or view) to filter: schema.table, or a dbt model: {dbt: NAME}",
    )
    where: Annotated[Condition | None, BeforeValidator(check_depth)] = Field(
        default=None, description="the filter; without it the segment holds every row"
    )


class SegmentConfig(BaseModel):
    """A segment ready to compile: its name, the file it is defined in, and its source."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: Annotated[str, AfterValidator(_check_name)]
    file: Path
    source: Annotated[SourceConfig, BeforeValidator(_check_source_type)]
    from_: Relation = Field(alias="from")
    where: Annotated[Condition | None, BeforeValidator(check_depth)] = None

    @property
    def key(self) -> str:
        """The dotted key the segment is reported under, e.g. ``segments.paying-eu``."""
        return f"segments.{self.name}"

    @property
    def from_text(self) -> str:
        """What the segment filters, as messages name it: the table, or ``dbt model NAME``."""
        if isinstance(self.from_, DbtRef):
            return f"dbt model {self.from_.dbt}"
        return self.from_


# ModelConfig names SegmentConfig, which needs the source configs defined beside ModelConfig.
ModelConfig.model_rebuild(_types_namespace={"SegmentConfig": SegmentConfig})
ActivationConfig.model_rebuild()
