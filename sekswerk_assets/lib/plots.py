"""Figures as PNG for the Dagster UI (matplotlib, headless)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import dagster as dg  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.collections import PatchCollection  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402

from sekswerk_assets.lib.metadata import png_metadata  # noqa: E402


def _weekly(ax, df: pd.DataFrame, cols: dict[str, str], title: str):
    x = pd.to_datetime(df["measurement_week"])
    for col, label in cols.items():
        ax.plot(x, df[col].astype("float"), marker=".", label=label)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    if len(cols) > 1:
        ax.legend(fontsize=8)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)


def lifecycle_figures(series: pd.DataFrame) -> dict:
    """Figures 2.2-2.5 from the yearly lifecycle series."""
    specs = {
        "figure_2_2_new_ads": ({"new_vs_previous": "not in previous measurement",
                                "new_vs_previous_five": "not in previous five", "new_vs_all_previous": "never before"},
                               "Figure 2.2 New ads per week"),
        "figure_2_3_seen_once": ({"seen_once": "seen once"}, "Figure 2.3 Ads seen in one week only"),
        "figure_2_4_closed": ({"closed": "closed"}, "Figure 2.4 Closed ads per week"),
        "figure_2_5_active": ({"active": "active"}, "Figure 2.5 Unique (active) ads per week"),
    }
    out = {}
    for key, (cols, title) in specs.items():
        fig, ax = plt.subplots(figsize=(7, 3))
        _weekly(ax, series, cols, title)
        out[key] = png_metadata(fig)
    return out


def weekly_series_figure(df: pd.DataFrame, title: str) -> dict:
    wide = df.pivot(index="measurement_week", columns="series", values="value").reset_index()
    fig, ax = plt.subplots(figsize=(7, 3))
    _weekly(ax, wide, {c: c for c in wide.columns if c != "measurement_week"}, title)
    return {"plot": png_metadata(fig)}


def bar_figure(cells: pd.DataFrame, title: str, stat: str = "percent") -> dict:
    """Grouped bars of one table (rows x methods) for one stat."""
    d = cells[cells["stat"] == stat]
    if d.empty:
        return {}
    d = d.assign(label=d["row"] + (" / " + d["column"] if d["column"].nunique() > 1 else ""))
    wide = d.pivot_table(index="label", columns="method", values="value", sort=False)
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.3 * len(wide))))
    wide.plot.barh(ax=ax)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(stat)
    return {"plot": png_metadata(fig)}


def choropleth(per_100k: pd.Series, geojson: Path | None, title: str) -> dict:
    """Figure 2.11: ads per 100,000 inhabitants per municipality (darker = more)."""
    if geojson is None or not Path(geojson).exists():
        return {}
    features = json.loads(Path(geojson).read_text())["features"]
    patches, values = [], []
    for f in features:
        code = f["properties"].get("statcode")
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for poly in polys:
            patches.append(Polygon(poly[0], closed=True))
            values.append(float(per_100k.get(code, 0.0)))
    fig, ax = plt.subplots(figsize=(5, 6))
    coll = PatchCollection(patches, cmap="Blues", edgecolor="grey", linewidth=0.2)
    coll.set_array(pd.Series(values).clip(upper=pd.Series(values).quantile(0.98)).to_numpy())
    ax.add_collection(coll)
    ax.autoscale_view()
    ax.set_aspect(1.6)
    ax.axis("off")
    ax.set_title(title, fontsize=10)
    fig.colorbar(coll, ax=ax, shrink=0.6, label="ads per 100,000 inhabitants")
    return {"map": png_metadata(fig)}


def match_weights_figure(weights: pd.DataFrame) -> dg.MetadataValue:
    """Match weight (log2 m/u) per comparison level of the linkage model, as splink's chart shows it."""
    w = weights.dropna(subset=["match_weight"]).reset_index(drop=True)
    clipped = w["match_weight"].clip(-30, 30)
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(w) + 1.2))
    y = range(len(w))[::-1]
    ax.barh(list(y), clipped, color=["tab:green" if v > 0 else "tab:red" for v in clipped])
    ax.set_yticks(list(y), [f"{c}: {lvl}" for c, lvl in zip(w["comparison"], w["level"])], fontsize=7)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel("match weight, log2(m/u) (clipped at ±30)", fontsize=8)
    ax.set_title("Linkage model: evidence per comparison level", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return png_metadata(fig)
