"""Figures of the report as base64 PNG (reusing the chapter-2 plot helpers of ``tables.plots``)."""

from __future__ import annotations

import re

import pandas as pd

from sekswerk_assets.lib import plots

_DATA_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def _b64(meta: dict) -> str | None:
    for value in meta.values():
        m = _DATA_URI.search(str(getattr(value, "value", value)))
        if m:
            return m.group(1)
    return None


class Figures:
    """Draws the report's figures; every method returns a base64 PNG or None."""

    def bar(self, cells: pd.DataFrame, title: str) -> str | None:
        d = cells.assign(method="value")
        stat = "percent" if (d["stat"] == "percent").any() else d["stat"].iloc[0]
        return _b64(plots.bar_figure(d, title, stat=stat))

    def weekly(self, frame: pd.DataFrame, columns: list[str], title: str) -> str | None:
        import matplotlib.pyplot as plt

        from sekswerk_assets.lib.metadata import png_metadata

        fig, ax = plt.subplots(figsize=(7, 3))
        plots._weekly(ax, frame, {c: c.replace("_", " ") for c in columns}, title)
        return _b64({"plot": png_metadata(fig)})

    def choropleth(self, per_code: pd.Series, boundaries, title: str) -> str | None:
        return _b64(plots.choropleth(per_code, boundaries, title))

