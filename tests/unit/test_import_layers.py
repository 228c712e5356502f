"""The packages of hoist import in one direction only: the layer order CONTRIBUTING writes down.

config → sources → segments → diff → state → intercom → pipeline → verify → public API →
schedule → ui → cli. Each warehouse's folder (``sources/<name>/``) is split: its config model and
its dialect come before config (config builds the source union from them), its connector after.
A module may import its own layer and those before it; never a later one
(imports under ``if TYPE_CHECKING:`` are for annotations only and do not count), so the
packages have no cycle. No module imports another package's private module (``hoist.x._y``).
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "src" / "hoist"

#: The layers, first to last: each a list of module prefixes (the most specific prefix decides);
#: ``*`` in a prefix stands for one name, so ``hoist.sources.*.config`` is every warehouse's config.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "base",
        (
            "hoist.errors",
            "hoist.secret",
            "hoist.loopback",
            "hoist.suggest",
            "hoist.workspaces",
            "hoist.company_attributes",
            "hoist.offload",
            "hoist.progress",
            "hoist.report",
            "hoist.mapping",
            "hoist.cron",
            "hoist.compare",
            "hoist.sql.build",
            "hoist.idle_imports",
            "hoist.emulator",
        ),
    ),
    (
        "warehouses",
        (
            "hoist.sources.*",
            "hoist.sources.*.config",
            "hoist.sources.*.dialect",
            "hoist.sources.registry",
            "hoist.sources.shared_config",
            "hoist.sources.definition",
        ),
    ),
    ("config", ("hoist.config",)),
    (
        "sources",
        (
            "hoist.sources",
            "hoist.sources._*",
            "hoist.sources.*.connector",
            "hoist.sources.*.catalog",
            "hoist.dbt",
        ),
    ),
    ("segments", ("hoist.segments",)),
    ("diff", ("hoist.diff",)),
    ("sql", ("hoist.sql",)),
    ("state", ("hoist.state",)),
    ("intercom", ("hoist.intercom",)),
    (
        "pipeline",
        (
            "hoist.pipeline",
            "hoist.first_contact",
        ),
    ),
    ("verify", ("hoist.verify",)),
    ("public API", ("hoist.run_api", "hoist.attempts", "hoist.project", "hoist.__init__")),
    ("observe", ("hoist.observe",)),
    ("schedule", ("hoist.schedule",)),
    ("ui", ("hoist.ui",)),
    ("cli", ("hoist.cli",)),
)


def layer_of(module: str) -> int:
    """The index of the layer `module` belongs to (the most specific matching prefix)."""
    best, found = (-1, -1), -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            score = _specificity(prefix, module)
            if score is not None and score > best:
                best, found = score, index
    assert found >= 0, f"{module} belongs to no layer: add it to LAYERS (and CONTRIBUTING)"
    return found


def _specificity(prefix: str, module: str) -> tuple[int, int] | None:
    """How closely `prefix` names `module` (more names, then more letters), or None if not."""
    wanted, parts = prefix.split("."), module.split(".")
    if len(parts) < len(wanted):
        return None
    if not all(fnmatchcase(part, name) for part, name in zip(parts, wanted, strict=False)):
        return None
    return len(wanted), len(prefix.replace("*", ""))


def module_name(path: Path) -> str:
    """The dotted name of the module at `path` (a package is its ``__init__``)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    name = ".".join(parts)
    return "hoist.__init__" if name == "hoist.__init__" else name.removesuffix(".__init__")


def runtime_imports(text: str) -> list[tuple[int, str]]:
    """(line, module) of every hoist import outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(text)
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "hoist":
                found += [(node.lineno, f"hoist.{alias.name}") for alias in node.names]
            elif node.module.startswith("hoist."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("hoist.")]
    return found


#: Known backward imports, to remove: (importer, imported). All are imports inside functions,
#: merged from main as issue 23 closed: recording a failed attempt (`hoist.attempts`) reuses the
#: scheduler's history writer and its secret list, which belong below the public API; the ops
#: server (`hoist.observe.opsserver`) reuses the UI's guard and password middleware.
KNOWN: frozenset[tuple[str, str]] = frozenset(
    {
        ("hoist.attempts", "hoist.schedule.run_history"),
        ("hoist.attempts", "hoist.schedule.alerts"),
        ("hoist.observe.opsserver", "hoist.ui.guard"),
        ("hoist.observe.opsserver", "hoist.ui.security"),
    }
)


def violations() -> list[str]:
    """Every import of a later layer, and of another package's private module."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = module_name(path)
        for line, imported in runtime_imports(path.read_text()):
            where = f"{path.relative_to(PACKAGE)}:{line}"
            if layer_of(imported) > layer_of(importer) and (importer, imported) not in KNOWN:
                found.append(
                    f"{where} {importer} ({LAYERS[layer_of(importer)][0]}) imports "
                    f"{imported} ({LAYERS[layer_of(imported)][0]})"
                )
            if _private_elsewhere(importer, imported):
                found.append(f"{where} {importer} imports the private module {imported}")
        for line, imported, name in private_names(path.read_text()):
            if imported.split(".")[:2] != importer.split(".")[:2]:
                where = f"{path.relative_to(PACKAGE)}:{line}"
                found.append(f"{where} {importer} imports the private name {name} of {imported}")
    return found


def private_names(text: str) -> list[tuple[int, str, str]]:
    """(line, module, name) of every ``from hoist.x import _name`` (a private name)."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hoist"):
            private = [a.name for a in node.names if a.name.startswith("_")]
            found += [(node.lineno, node.module, name) for name in private if name[1] != "_"]
    return found


def package_cycles() -> list[list[str]]:
    """Cycles among the packages' layers: a package's modules in one layer are one node."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = module_name(path)
        for _, imported in runtime_imports(path.read_text()):
            if (importer, imported) not in KNOWN and _node(importer) != _node(imported):
                graph.setdefault(_node(importer), set()).add(_node(imported))
    return _cycles(graph)


def _node(module: str) -> str:
    """The package of `module` (``hoist.sources``) and the layer it is in."""
    return f"{'.'.join(module.split('.')[:2])} ({LAYERS[layer_of(module)][0]})"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk of `graph` closes (none in a graph without cycles)."""
    found: list[list[str]] = []
    done: set[str] = set()

    def walk(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in done:
                walk(nxt, [*path, nxt])
        done.add(node)

    for start in sorted(graph):
        if start not in done:
            walk(start, [start])
    return found


def _private_elsewhere(importer: str, imported: str) -> bool:
    """Whether `imported` is a private module (``hoist.x._y``) of a package not `importer`'s."""
    parts = imported.split(".")
    private = any(part.startswith("_") and part != "__init__" for part in parts[2:])
    return private and importer.split(".")[:2] != parts[:2]


def test_every_import_goes_to_an_earlier_layer() -> None:
    """No module imports a later layer or another package's private module."""
    found = violations()
    print("\n".join(["import layers: " + " → ".join(name for name, _ in LAYERS), *found]))
    assert found == []


def test_no_cycle_between_packages() -> None:
    """The packages (each split by layer, as a warehouse folder is) import one another in no
    cycle: also where two packages share a layer."""
    assert package_cycles() == []


def test_the_cycle_check_sees_a_cycle() -> None:
    """A package importing one that imports it back is a cycle."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert _cycles(graph) == [["a", "b", "c", "a"]]


def test_the_check_sees_a_private_name_of_another_package() -> None:
    """`from hoist.config._schema import _problem` names a private name; dunders do not count."""
    text = "from hoist.config._schema import _problem, Model\nfrom hoist import __version__\n"

    assert private_names(text) == [(1, "hoist.config._schema", "_problem")]


def test_the_check_sees_a_backward_and_a_private_import() -> None:
    """A state module importing the pipeline, and the UI importing config._load, are found."""
    text = "from hoist.pipeline.apply import apply_run\nfrom hoist.config._load import x\n"
    imports = runtime_imports(text)

    assert layer_of(imports[0][1]) > layer_of("hoist.state.store")
    assert _private_elsewhere("hoist.ui.forms", imports[1][1])
    assert not _private_elsewhere("hoist.config", imports[1][1])


def test_a_warehouse_folder_is_split_around_config() -> None:
    """A warehouse's config and dialect come before config, its connector after it."""
    config = layer_of("hoist.config")

    assert layer_of("hoist.sources.duckdb.config") < config
    assert layer_of("hoist.sources.spark.dialect") < config
    assert layer_of("hoist.sources.postgres") < config
    assert layer_of("hoist.sources.duckdb.connector") > config
    assert layer_of("hoist.sources._adbc") > config
    assert layer_of("hoist.sources") > config


def test_annotations_only_imports_do_not_count() -> None:
    """An import under `if TYPE_CHECKING:` is for annotations and is not a dependency."""
    text = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from hoist.ui import app\n"
    assert runtime_imports(text) == []
