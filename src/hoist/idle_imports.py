"""Keep pandas out of runs that do not use it, although pyarrow would import it for them.

pyarrow asks whether pandas is installed the first time it converts Python objects
(``pa.array(list)``, ``pa.table(dict)``, ``RecordBatch.from_pylist``: its ``_is_array_like``
checks whether the object is a pandas Series), and imports pandas to find out: about 0.3 s of
CPU in every run, wherever pandas is installed (the Spark extra, most data environments).
hoist converts Python lists in many places (state stores, landing tables, reports), so instead
of changing each call, `install` (run by ``import hoist``) puts a finder first on
``sys.meta_path`` that refuses ``import pandas`` when it is asked for on behalf of hoist's own
code: hoist never imports pandas itself, so such an import can only be a compiled extension's
(pyarrow's) probe. pyarrow then goes on as it does without pandas, converting lists as
sequences. pandas imported by anything else (pyspark, a warehouse driver, the user's code)
is imported as usual.

The Spark source needs pandas (pyspark's Arrow paths use it): `allow` imports it and lets
pyarrow look again, so pyarrow's pandas integration works for the rest of the process. So does
any later ``import pandas`` by other code in the process (hoist used as a library): pyarrow
is told once pandas has loaded.

numpy is another matter: ``pyarrow.lib`` imports it whenever it is installed, at
``import pyarrow``, and keeping it out would turn off pyarrow's numpy support for the whole
process. `import hoist` imports neither; a run, which reads Arrow, imports numpy through
pyarrow wherever numpy is installed.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Final, cast

if TYPE_CHECKING:  # importlib.abc costs more to import than the rest of this module
    from importlib.abc import Loader
    from importlib.machinery import ModuleSpec

__all__ = ["allow", "install"]

#: The modules whose probing import is refused.
_HELD: Final = frozenset({"pandas"})


class _Refuser:
    """A meta-path finder refusing the modules in `_HELD` when hoist's code asks for them."""

    enabled = True
    refused = False  # pyarrow went on without pandas: tell it when pandas arrives after all

    def find_spec(
        self,
        name: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        """Refuse `name` (raise ImportError) when it is held and asked for by hoist itself."""
        if name not in _HELD:
            return None
        if self.enabled and _asked_by_hoist(sys._getframe(1)):
            self.refused = True
            raise ModuleNotFoundError(f"hoist does not use {name} here", name=name)
        if not self.refused:
            return None
        # Someone else imports pandas after pyarrow went on without it (hoist used as a
        # library beside pandas): pyarrow learns of it once pandas is loaded.
        spec = _spec_elsewhere(self, name, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = cast("Loader", _ThenTellPyarrow(spec.loader))
        return spec


class _ThenTellPyarrow:
    """`loader`, telling pyarrow about pandas once it has loaded it."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        """As the wrapped loader does."""
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        """Load the module as the wrapped loader does, then let pyarrow see it."""
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        _tell_pyarrow()


def _spec_elsewhere(
    finder: object, name: str, path: Sequence[str] | None, target: ModuleType | None
) -> ModuleSpec | None:
    """The spec the other finders on ``sys.meta_path`` give `name`."""
    for other in sys.meta_path:
        find = getattr(other, "find_spec", None)
        if other is not finder and find is not None:
            spec: ModuleSpec | None = find(name, path, target)
            if spec is not None:
                return spec
    return None


def _tell_pyarrow() -> None:
    """Make pyarrow look for pandas again if it has concluded that pandas was missing."""
    pyarrow_lib = sys.modules.get("pyarrow.lib")
    shim = getattr(pyarrow_lib, "_pandas_api", None)
    if shim is not None:
        # Asking for its compatibility module makes pyarrow import pandas again.
        getattr(shim, "compat", None)


def _asked_by_hoist(frame: FrameType | None) -> bool:
    """Whether the innermost Python code importing (past importlib) is hoist's."""
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if not module.startswith("importlib") and module != __name__:
            return module == "hoist" or module.startswith("hoist.")
        frame = frame.f_back
    return False


_REFUSER: Final = _Refuser()


def install() -> None:
    """Put the refusing finder first on ``sys.meta_path`` (once)."""
    if _REFUSER not in sys.meta_path:
        sys.meta_path.insert(0, _REFUSER)


def allow() -> None:
    """Import pandas for good (a Spark source is in use) and let pyarrow see it."""
    _REFUSER.enabled = False
    try:
        importlib.import_module("pandas")
    except ImportError:  # pyarrow then goes on without it, as it would have
        return
    _tell_pyarrow()
