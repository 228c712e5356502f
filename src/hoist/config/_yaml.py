"""Reading a project's YAML with limits: a file of at most `MAX_FILE_BYTES`, and aliases that
expand to at most `MAX_ALIAS_EXPANSION` extra values.

PyYAML builds an alias as a second reference to the same object, which is cheap; whatever walks
the result afterwards (``${VAR}`` substitution, validation, the UI on every page) copies each
reference. Ten anchors of nine aliases each are 700 bytes and billions of values, so the
composed node graph is measured before anything is built from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

__all__ = ["MAX_ALIAS_EXPANSION", "MAX_FILE_BYTES", "YamlLimitError", "read_yaml_file", "safe_yaml"]

#: A project file is a few kilobytes; a megabyte is not one a person wrote.
MAX_FILE_BYTES: Final = 1024 * 1024
#: Values that aliases may add to a document (a shared block reused a few dozen times is fine).
MAX_ALIAS_EXPANSION: Final = 100_000


class YamlLimitError(yaml.YAMLError):
    """The document is beyond hoist's limits; `problem` says which and what to do."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.problem_mark = None
        super().__init__(problem)


def read_yaml_file(file: Path) -> Any:
    """The YAML document in `file`, within the size and alias limits.

    Raises `OSError` / `UnicodeDecodeError` when it cannot be read, `yaml.YAMLError`
    (`YamlLimitError` among them) when it is not acceptable YAML.
    """
    if file.stat().st_size > MAX_FILE_BYTES:
        raise YamlLimitError(
            f"the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB; a hoist file holds "
            "definitions, not data: split it or move the data into the warehouse"
        )
    return safe_yaml(file.read_text(encoding="utf-8"))


def safe_yaml(text: str) -> Any:
    """`yaml.safe_load(text)`, refusing documents whose aliases expand too far."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return loader.construct_document(node)
    except RecursionError:
        raise YamlLimitError("the document is nested too deeply; flatten it") from None
    finally:
        loader.dispose()


def _check_expansion(root: Node) -> None:
    """Refuse a node graph whose aliases add more than `MAX_ALIAS_EXPANSION` values."""
    sizes: dict[int, int] = {}  # expanded size of each node, once known
    unique: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] - len(unique) > MAX_ALIAS_EXPANSION:
                raise _too_many()
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise YamlLimitError("an alias refers to the block that holds it; remove the loop")
        open_nodes.add(key)
        unique.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    if sizes[id(root)] - len(unique) > MAX_ALIAS_EXPANSION:
        raise _too_many()  # pragma: no cover - caught when the root is summed above


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _too_many() -> YamlLimitError:
    return YamlLimitError(
        f"its aliases (*name) expand to more than {MAX_ALIAS_EXPANSION:,} values; write the "
        "repeated blocks out or reuse them less (a file this size holds far fewer values)"
    )
