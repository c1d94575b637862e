"""Heavy libraries imported on first use, so that loading the code location does not pay for them.

Great Expectations, matplotlib and the like take seconds to import, and most processes that load the
definitions (the webserver, a run worker, a test) never evaluate a GX suite or draw a figure.
:func:`lazy_module` returns a stand-in that imports the real module at the first attribute access and
then behaves as the module itself (``gxe.ExpectColumnValuesToBeInSet(...)``, ``plt.subplots(...)``).
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable
from types import ModuleType


class LazyModule:
    """A module imported at its first attribute access (thread-safe; ``setup`` runs once before it)."""

    def __init__(self, name: str, setup: Callable[[], None] | None = None):
        self._name = name
        self._setup = setup
        self._module: ModuleType | None = None
        self._lock = threading.Lock()

    def _load(self) -> ModuleType:
        if self._module is None:
            with self._lock:
                if self._module is None:
                    if self._setup is not None:
                        self._setup()
                    self._module = importlib.import_module(self._name)
        return self._module

    def __getattr__(self, attr: str):
        if attr.startswith("_"):  # our own fields before __init__ ran, copy/pickle probes
            raise AttributeError(attr)
        return getattr(self._load(), attr)

    def __dir__(self):
        return dir(self._load())

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded yet"
        return f"<lazy module {self._name!r} ({state})>"


def lazy_module(name: str, setup: Callable[[], None] | None = None) -> LazyModule:
    """A stand-in for ``import name`` that imports it on first use."""
    return LazyModule(name, setup)


def _headless_matplotlib() -> None:
    import matplotlib

    matplotlib.use("Agg")


def _quiet_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


#: ``matplotlib.pyplot`` with the headless Agg backend
pyplot = lazy_module("matplotlib.pyplot", setup=_headless_matplotlib)
#: ``great_expectations.expectations`` (the expectation classes), analytics off
gx_expectations = lazy_module("great_expectations.expectations", setup=_quiet_gx)
