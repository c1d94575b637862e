"""The figures published for a measurement, the project's own copies, read through this one loader.

``report_<year>.yaml``: the published list of tables and figures and the chapter-2 (ad) figures;
``survey_<year>.yaml``: the survey tables of chapters 2-4 and the text figures. Only 2020 (the nulmeting)
is published; later years have none and compare with it.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

FOLDER = Path(__file__).resolve().parent
PARTS = ("report", "survey")


@functools.cache
def load(part: str, year: str | int = "2020") -> dict | None:
    """The published figures of ``part`` for ``year`` (None when that year has none)."""
    if part not in PARTS:
        raise ValueError(f"unknown part of the published figures: {part!r} (one of {', '.join(PARTS)})")
    path = FOLDER / f"{part}_{year}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
