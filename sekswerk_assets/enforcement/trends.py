"""Enforcement figures of Tables 4.16-4.20 with the weight of the single largest municipality.

One row per (table, item, period): the total, the number of municipalities behind it (value > 0, or ticked),
the routing denominator, and for counts the share of the total contributed by the single largest municipality
(``largest_share``), the total without that municipality (``total_without_largest``, the largest of that row)
and the total without the *dominant* municipality: the largest contributor in the latest year of the row's
series (for 2020 the report's footnote: 45 reports and 70 measures), removed from every year, so that the
trend without it compares the same set of municipalities.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sekswerk_assets.codebook.codebook import Codebook  # noqa: E402
from sekswerk_assets.lib.metadata import png_metadata  # noqa: E402
from sekswerk_assets.survey.tables import pct, printed_cells  # noqa: E402

COLUMNS = ["table_id", "section", "item_key", "item", "period", "total", "municipalities", "base_n", "percent",
           "largest_share", "total_without_largest", "total_without_dominant", "suppressed"]
ALL_YEARS = "all years"


def _row(tid, section, key, item, period, values: pd.Series | None, base, *, total=None, munis=None, percent=None,
         dominant=None):
    r = dict(table_id=tid, section=section, item_key=str(key), item=item, period=str(period), base_n=int(base),
             percent=percent, largest_share=np.nan, total_without_largest=np.nan, total_without_dominant=np.nan)
    if values is not None:
        v = values.fillna(0).astype(float)
        t = float(v.sum())
        r["total"] = t
        r["municipalities"] = int((v > 0).sum())
        if t > 0:
            r["largest_share"] = float(v.max() / t)
            r["total_without_largest"] = t - float(v.max())
        else:
            r["total_without_largest"] = 0.0
        if dominant is not None:
            r["total_without_dominant"] = t - float(v.get(dominant, 0.0))
    else:
        r["total"] = float(total)
        r["municipalities"] = int(munis)
    return r


def _dominant(v: pd.Series):
    v = v.fillna(0)
    return v.idxmax() if len(v) and v.max() > 0 else None


def enforcement_rows(cb: Codebook, full: pd.DataFrame) -> pd.DataFrame:
    """Tables 4.16-4.20 from the wide full export (one row per municipality)."""
    asked = cb.asked(full, "full") if len(full) else pd.DataFrame(columns=list(cb.questions), dtype=bool)
    rows: list[dict] = []
    # 4.16 administrative reports (q55a) and measures (q55b) per year
    for section, label, q in (("reports", "Administrative reports", "q55a"), ("measures", "Administrative measures", "q55b")):
        mask = asked[q].astype(bool) if len(full) else pd.Series(dtype=bool)
        sub = full.loc[mask]
        years = list(cb.question(q).columns_)
        cols = [f"{q}_r1_c{c}" for c in range(1, len(years) + 1)]
        dom = _dominant(sub[cols[-1]]) if len(sub) else None
        for c, year in zip(cols, years):
            rows.append(_row("4.16", section, section, label, year, sub[c], len(sub), dominant=dom))
        rows.append(_row("4.16", section, section, label, ALL_YEARS, sub[cols].fillna(0).sum(axis=1), len(sub),
                         dominant=dom))
    # 4.17 measures by kind (q56; 2017-2020 together)
    q = "q56"
    sub = full.loc[asked[q].astype(bool)] if len(full) else full
    qq = cb.question(q)
    cols = [f"{q}_r{r}_c1" for r in range(1, len(qq.rows) + 1)]
    grand = float(sub[cols].fillna(0).to_numpy().sum()) if len(sub) else 0.0
    for r, c in enumerate(cols, 1):
        v = sub[c].fillna(0)
        rows.append(_row("4.17", "measures_by_kind", r, qq.rows[r - 1], ALL_YEARS, v, len(sub),
                         percent=pct(v.sum(), grand)))
    rows.append(_row("4.17", "measures_by_kind", "total", "Total measures", ALL_YEARS, sub[cols].fillna(0).sum(axis=1),
                     len(sub), percent=100.0 if grand else None))
    # 4.18 licensed businesses warned / sanctioned, 4.19 unlicensed businesses sanctioned
    for tid, section, q in (("4.18", "licensed_warnings", "q65"), ("4.18", "licensed_sanctions", "q66"),
                            ("4.19", "unlicensed_sanctions", "q67")):
        sub = full.loc[asked[q].astype(bool)] if len(full) else full
        qq = cb.question(q)
        cols = [f"{q}_r{r}_c1" for r in range(1, len(qq.rows) + 1)]
        for r, c in enumerate(cols, 1):
            rows.append(_row(tid, section, r, qq.rows[r - 1], ALL_YEARS, sub[c], len(sub)))
        rows.append(_row(tid, section, "total", "Total (unique municipalities)", ALL_YEARS,
                         sub[cols].fillna(0).sum(axis=1), len(sub)))
    # 4.20 reasons for sanctions (municipalities ticking each reason)
    q = "q68"
    sub = full.loc[asked[q].astype(bool)] if len(full) else full
    qq = cb.question(q)
    for k in range(1, len(qq.options) + 1):
        n = int((sub[f"{q}_{k}"] == 1).sum()) if len(sub) else 0
        rows.append(_row("4.20", "sanction_reasons", k, qq.option_label(k), ALL_YEARS, None, len(sub), total=n,
                         munis=n, percent=pct(n, len(sub))))
    df = pd.DataFrame(rows)
    df["suppressed"] = False
    return df[COLUMNS]


def _published_keys(row) -> list[tuple[str, str, str]]:
    """The cells of the published copy that hold this row's total and municipality count."""
    tid, key, period = row.table_id, row.item_key, row.period
    if tid == "4.16":
        return [(tid, key, f"{period}:count"), (tid, key, f"{period}:municipalities")]
    if tid == "4.18":
        group = "warnings" if row.section == "licensed_warnings" else "sanctions"
        return [(tid, key, f"{group}:count"), (tid, key, f"{group}:municipalities")]
    if tid == "4.19":
        return [(tid, key, "sanctions:count"), (tid, key, "sanctions:municipalities")]
    if tid == "4.17":
        return [(tid, key, "count"), (tid, key, "municipalities")]
    return [(tid, key, "count")]


def apply_disclosure(df: pd.DataFrame, year: str, min_cell: int) -> pd.DataFrame:
    """Mark rows whose total or municipality count is 1..min_cell-1 and was not printed by the report for ``year``."""
    printed = printed_cells(year)
    df = df.copy()
    small = df["municipalities"].between(1, min_cell - 1) | df["total"].between(1, min_cell - 1)
    not_printed = pd.Series([not all(k in printed for k in _published_keys(r)) for r in df.itertuples()], index=df.index)
    df["suppressed"] = small & not_printed & (df["item_key"] != "total")
    return df


def markdown_preview(df: pd.DataFrame, table_id: str, year: str) -> str:
    """One table as Markdown; in suppressed rows every cell the report did not print shows as [s]."""
    t = df[df["table_id"] == table_id]
    if t.empty:
        return ""
    printed = printed_cells(year)
    out = []
    for r in t.itertuples():
        keys = _published_keys(r)
        total_printed = keys[0] in printed
        munis_printed = len(keys) > 1 and keys[1] in printed

        def fmt(v, spec="{:.0f}", shown=False):
            return "[s]" if r.suppressed and not shown else ("" if pd.isna(v) else spec.format(v))

        out.append({"section": r.section, "item": str(r.item)[:50], "period": r.period,
                    "total": fmt(r.total, shown=total_printed),
                    "municipalities": fmt(r.municipalities, shown=munis_printed or (total_printed and table_id == "4.20")),
                    "N": r.base_n, "percent": fmt(r.percent, "{:.1f}", shown=total_printed),
                    "largest share": fmt(r.largest_share, "{:.1%}"),
                    "without largest": fmt(r.total_without_largest),
                    "without dominant": fmt(r.total_without_dominant)})
    md = pd.DataFrame(out)
    md = md.loc[:, [c for c in md.columns if c in ("section", "item", "period", "N") or (md[c] != "").any()]]
    return f"**{table_id}**\n\n" + md.to_markdown(index=False)


def trend(df: pd.DataFrame) -> pd.DataFrame:
    """Reports and measures per year: total, without each year's largest, without the dominant municipality."""
    t = df[(df["table_id"] == "4.16") & (df["period"] != ALL_YEARS)]
    return t[["section", "period", "total", "municipalities", "largest_share", "total_without_largest",
              "total_without_dominant"]].reset_index(drop=True)


def trend_figure(df: pd.DataFrame, year: str) -> dict:
    """Reports and measures per year, with and without the largest municipality (suppressed series left out)."""
    t = trend(df)
    if t.empty:
        return {}
    hidden = set(df.loc[(df["table_id"] == "4.16") & df["suppressed"], "section"])
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, (section, title) in zip(axes, (("reports", "Administrative reports"), ("measures", "Administrative measures"))):
        s = t[t["section"] == section]
        ax.set_title(f"{title} (Table 4.16)", fontsize=10)
        ax.grid(alpha=0.3)
        if section in hidden or s.empty:
            ax.text(0.5, 0.5, "[s] suppressed (too few municipalities)", ha="center", va="center",
                    transform=ax.transAxes, fontsize=9)
            continue
        x = s["period"].astype(str)
        ax.plot(x, s["total"], marker="o", label="all municipalities")
        ax.plot(x, s["total_without_dominant"], marker="s", linestyle="--",
                label=f"without the largest of {x.iloc[-1]}")
        ax.plot(x, s["total_without_largest"], marker=".", linestyle=":", label="without each year's largest")
        ax.set_ylim(0, max(1.0, float(s["total"].max())) * 1.1)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(f"Enforcement trend, survey {year}", fontsize=10, y=1.02)
    return {"enforcement_trend": png_metadata(fig)}
