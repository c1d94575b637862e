"""The benchmarks' results file: one dated row per figure (run_at, code_version, figure, value)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "results.csv"


def flatten(prefix: str, value, out: dict) -> None:
    """Nested dicts of figures -> ``{"a.b.c": value}`` (numbers, text and None only)."""
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(f"{prefix}.{k}" if prefix else k, v, out)
    elif isinstance(value, (int, float, str)) or value is None:
        out[prefix] = value


def append(prefix: str, figures: dict, path: Path = RESULTS) -> int:
    """Append ``figures`` (nested dicts allowed) under ``prefix``; returns the number of rows written."""
    from sekswerk_assets.lib.metadata import code_version

    flat: dict = {}
    flatten(prefix, figures, flat)
    path.parent.mkdir(exist_ok=True)
    new = not path.exists()
    stamp = dt.datetime.now().isoformat(timespec="seconds")
    version = code_version()
    with path.open("a", newline="") as fh:
        writer = csv.writer(fh)
        if new:
            writer.writerow(["run_at", "code_version", "figure", "value"])
        for name, value in flat.items():
            writer.writerow([stamp, version, name, value])
    return len(flat)
