"""The code location's asset checks, registered when the definitions load, for the report's data-quality section.

A run executed in process (``execute_in_process``, ``dg.materialize``, the demo) has no repository on its
context, so the report could not list the checks of the code location from there; ``definitions.py``
registers them here once they are built, in every process that loads the code location.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

_CHECKS: set[dg.AssetCheckKey] = set()


def register_checks(keys: Iterable[dg.AssetCheckKey]) -> None:
    _CHECKS.update(keys)


def registered_checks() -> set[dg.AssetCheckKey]:
    return set(_CHECKS)
