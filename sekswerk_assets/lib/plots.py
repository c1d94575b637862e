"""Figures as PNG for the Dagster UI (matplotlib, headless)."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pandas as pd

from sekswerk_assets.lib.lazy import pyplot as plt  # matplotlib (Agg) is imported at the first figure
from sekswerk_assets.lib.metadata import png_metadata


def _weekly(ax, df: pd.DataFrame, cols: dict[str, str], title: str):
    """Weekly lines; a week that was not collected is a gap (no value), shaded grey, never a drop to 0."""
    x = pd.to_datetime(df["measurement_week"])
    collected = df["collected"].astype(bool) if "collected" in df else pd.Series(True, index=df.index)
    for col, label in cols.items():
        y = pd.to_numeric(df[col], errors="coerce").astype("float").where(collected)
        ax.plot(x, y, marker=".", label=label)
    missing = x[~collected.to_numpy()]
    for k, week in enumerate(missing):
        ax.axvspan(week - pd.Timedelta(days=3.5), week + pd.Timedelta(days=3.5), color="0.85", lw=0,
                   label="not collected" if k == 0 else None)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    if len(cols) > 1 or len(missing):
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


def published_preview(df: pd.DataFrame, rows: int = 40) -> dg.MetadataValue:
    """The ``report`` method cells of a long table as a wide Markdown table: "–" where a row has no such stat."""
    report = df[(df["method"] == "report") & df["stat"].isin(["count", "percent", "mean", "sd", "per_100k", "population"])]
    wide = report.pivot_table(index=["table_id", "row"], columns=["column", "stat"], values="value", sort=False)
    wide.columns = [" ".join(c) for c in wide.columns]
    wide = wide.dropna(axis=1, how="all").head(rows).reset_index()
    return dg.MetadataValue.md(_markdown(wide))


def _markdown(frame: pd.DataFrame) -> str:
    def text(v):
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return "–"
        if isinstance(v, float):
            return f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"
        return str(v)

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(text(v) for v in r) + " |" for r in frame.itertuples(index=False)]
    return "\n".join(lines)


def municipality_metadata(df: pd.DataFrame, boundaries: Path | None, municipalities: pd.DataFrame) -> dict:
    """UI metadata of ``ads/municipality_table``, one block per printed item, each labelled with its id:

    * ``table_2_4`` / ``table_2_4_plot``: the ten most named municipalities (ads and share) and their bar chart;
    * ``table_2_5`` : the ten highest rates per 100,000 inhabitants;
    * ``figure_2_11_map`` and ``figure_2_11/...``: the map of every municipality (rows with table id 2.11).
    """
    rep = df[df["method"] == "report"]
    linked = df[df["method"] == "linked"]

    def wide(t: pd.DataFrame, table_id: str) -> pd.DataFrame:
        part = t[t["table_id"] == table_id]
        w = part.pivot_table(index="row", columns="stat", values="value", sort=False)
        return w.reset_index().rename(columns={"row": "municipality"})

    top = wide(rep, "2.4").rename(columns={"count": "ads", "percent": "% of ads with a municipality"})
    top = top[["municipality", "ads", "% of ads with a municipality"]]
    linked_top = wide(linked, "2.4").set_index("municipality")
    if len(linked_top):
        top["linked advertisers"] = top["municipality"].map(linked_top["count"])
    rates = wide(rep, "2.5b").rename(columns={"per_100k": "ads per 100,000", "population": "inhabitants"})
    meta = {
        "table_2_4": dg.MetadataValue.md("**Table 2.4** The ten most named municipalities (report method)\n\n"
                                         + _markdown(top)),
        "table_2_5": dg.MetadataValue.md("**Table 2.5** The ten highest numbers of ads per 100,000 inhabitants\n\n"
                                         + _markdown(rates)),
    }
    ten = top[top["municipality"] != "total top ten"]
    if len(ten):
        fig, ax = plt.subplots(figsize=(7, 0.35 * len(ten) + 1))
        ax.barh(ten["municipality"], ten["ads"].astype(float), color="tab:blue")
        ax.invert_yaxis()
        ax.set_xlabel("unique ads (report method)")
        ax.set_title("Table 2.4 The ten most named municipalities", fontsize=10)
        for y, (v, p) in enumerate(zip(ten["ads"], ten["% of ads with a municipality"])):
            ax.text(float(v), y, f" {v:,.0f} ({p:.1f}%)", va="center", fontsize=8)
        ax.margins(x=0.2)
        meta["table_2_4_plot"] = png_metadata(fig)
    counts = rep[(rep["table_id"] == "2.11") & (rep["stat"] == "count")]
    rates_all = rep[(rep["table_id"] == "2.11") & (rep["stat"] == "per_100k")]
    meta["figure_2_11/municipalities"] = int(len(counts))
    meta["figure_2_11/named_in_an_ad"] = int((counts["value"] > 0).sum())
    by_name = municipalities.set_index("name")["gm_code"]
    per_code = pd.Series(rates_all["value"].to_numpy(), index=rates_all["row"].map(by_name))
    meta.update({f"figure_2_11_{k}": v for k, v in choropleth(per_code, boundaries, "Figure 2.11 Ads per 100,000 inhabitants").items()})
    return meta


def choropleth(per_100k: pd.Series, geojson: Path | None, title: str) -> dict:
    """Figure 2.11: ads per 100,000 inhabitants per municipality (darker = more)."""
    if geojson is None or not Path(geojson).exists():
        return {}
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Polygon

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
