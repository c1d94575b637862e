"""Enforcement figures of Tables 4.16-4.20 with the weight of the single largest municipality.

One row per (table, item, period): the total, the number of municipalities behind it (value > 0, or ticked),
the routing denominator, and for counts the share of the total contributed by the single largest municipality
(``largest_share``), the total without that municipality (``total_without_largest``, the largest of that row)
and the total without the *dominant* municipality: the largest contributor in the latest year of the row's
series (for 2020 the report's footnote: 45 reports and 70 measures), removed from every year, so that the
trend without it compares the same set of municipalities.
"""

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sekswerk_assets.codebook.codebook import Codebook  # noqa: E402
from sekswerk_assets.lib.metadata import png_metadata  # noqa: E402
from sekswerk_assets.lib.disclosure import MIN_CELL, PROTECTION_INTERVAL, STAT_KEYS, suppress_table  # noqa: E402
from sekswerk_assets.lib.lazy import pyplot as plt  # matplotlib (Agg) is imported at the first figure
from sekswerk_assets.lib.numbers import percent as pct  # noqa: E402
from sekswerk_assets.survey.tables import printed_cells, published  # noqa: E402

COLUMNS = ["table_id", "section", "item_key", "item", "period", "total", "municipalities", "no_answer", "base_n",
           "percent", "largest_share", "largest_share_band", "total_without_largest", "total_without_dominant",
           "suppressed"]
MIN_TIED = 3  # a largest value is published only when at least this many municipalities share it
ALL_YEARS = "all years"


def share_band(share: float) -> str:
    """A 10-point band for the largest municipality's share (``40-50%``), published instead of the share."""
    if pd.isna(share):
        return ""
    lo = min(int(share * 10), 9) * 10
    return f"{lo}-{lo + 10}%"


def _row(tid, section, key, item, period, values: pd.Series | None, base, *, total=None, munis=None, percent=None,
         dominant=None, no_answer=0, nobody=False):
    r = dict(table_id=tid, section=section, item_key=str(key), item=item, period=str(period), base_n=int(base),
             percent=percent, largest_share=np.nan, total_without_largest=np.nan, total_without_dominant=np.nan,
             no_answer=int(no_answer), _largest_ties=0, _dominant_ties=0)
    if nobody:  # asked, but nobody answered: no 0s
        r.update(total=np.nan, municipalities=0, percent=None)
    elif values is not None:
        v = values.fillna(0).astype(float)
        t = float(v.sum())
        r["total"] = t
        r["municipalities"] = int((v > 0).sum())
        if t > 0:
            r["largest_share"] = float(v.max() / t)
            r["total_without_largest"] = t - float(v.max())
            r["_largest_ties"] = int((v == v.max()).sum())
        else:
            r["total_without_largest"] = 0.0
        if dominant is not None:
            d = float(v.get(dominant, 0.0))
            r["total_without_dominant"] = t - d
            r["_dominant_ties"] = int((v == d).sum()) if d > 0 else MIN_TIED
    else:
        r["total"] = float(total)
        r["municipalities"] = int(munis)
    return r


def _dominant(v: pd.Series):
    """The municipality with the largest value; ties go to the first in gm_code order (the lowest CBS code)."""
    v = v.fillna(0)
    return v.idxmax() if len(v) and v.max() > 0 else None


def _answered(sub: pd.DataFrame, cols: list[str]) -> tuple[pd.DataFrame, int, bool]:
    """Respondents who filled in at least one cell of the question, the number who did not, and 'nobody did'."""
    if not len(sub):
        return sub, 0, False
    ok = sub[cols].notna().any(axis=1)
    return sub.loc[ok], int((~ok).sum()), not ok.any()


def enforcement_rows(cb: Codebook, full: pd.DataFrame) -> pd.DataFrame:
    """Tables 4.16-4.20 from the wide full export (one row per municipality)."""
    asked = cb.asked(full, "full") if len(full) else pd.DataFrame(columns=list(cb.questions), dtype=bool)
    rows: list[dict] = []
    # 4.16 administrative reports (q55a) and measures (q55b) per year
    for section, label, q in (("reports", "Administrative reports", "q55a"), ("measures", "Administrative measures", "q55b")):
        mask = asked[q].astype(bool) if len(full) else pd.Series(dtype=bool)
        sub = full.loc[mask]
        base = len(sub)
        years = list(cb.question(q).columns_)
        cols = [f"{q}_r1_c{c}" for c in range(1, len(years) + 1)]
        sub, na, nobody = _answered(sub, cols)
        dom = _dominant(sub[cols[-1]]) if len(sub) else None
        for c, year in zip(cols, years):
            rows.append(_row("4.16", section, section, label, year, sub[c], base, dominant=dom, no_answer=na,
                             nobody=nobody))
        rows.append(_row("4.16", section, section, label, ALL_YEARS, sub[cols].fillna(0).sum(axis=1), base,
                         dominant=dom, no_answer=na, nobody=nobody))
    # 4.17 measures by kind (q56; 2017-2020 together)
    q = "q56"
    sub = full.loc[asked[q].astype(bool)] if len(full) else full
    base = len(sub)
    qq = cb.question(q)
    cols = [f"{q}_r{r}_c1" for r in range(1, len(qq.rows) + 1)]
    sub, na, nobody = _answered(sub, cols)
    grand = float(sub[cols].fillna(0).to_numpy().sum()) if len(sub) else 0.0
    for r, c in enumerate(cols, 1):
        v = sub[c].fillna(0)
        rows.append(_row("4.17", "measures_by_kind", r, qq.rows[r - 1], ALL_YEARS, v, base,
                         percent=pct(v.sum(), grand), no_answer=na, nobody=nobody))
    rows.append(_row("4.17", "measures_by_kind", "total", "Total measures", ALL_YEARS, sub[cols].fillna(0).sum(axis=1),
                     base, percent=100.0 if grand else None, no_answer=na, nobody=nobody))
    # 4.18 licensed businesses warned / sanctioned, 4.19 unlicensed businesses sanctioned
    for tid, section, q in (("4.18", "licensed_warnings", "q65"), ("4.18", "licensed_sanctions", "q66"),
                            ("4.19", "unlicensed_sanctions", "q67")):
        sub = full.loc[asked[q].astype(bool)] if len(full) else full
        base = len(sub)
        qq = cb.question(q)
        cols = [f"{q}_r{r}_c1" for r in range(1, len(qq.rows) + 1)]
        sub, na, nobody = _answered(sub, cols)
        for r, c in enumerate(cols, 1):
            rows.append(_row(tid, section, r, qq.rows[r - 1], ALL_YEARS, sub[c], base, no_answer=na, nobody=nobody))
        rows.append(_row(tid, section, "total", "Total (unique municipalities)", ALL_YEARS,
                         sub[cols].fillna(0).sum(axis=1), base, no_answer=na, nobody=nobody))
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
    df["largest_share_band"] = ""
    return df[COLUMNS + ["_largest_ties", "_dominant_ties"]]


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


def _long_cells(df: pd.DataFrame, printed: set) -> tuple[pd.DataFrame, set, list]:
    """The rows as cells of the long table layout, so that ``lib/disclosure`` sees the tables' relations:
    4.16 as periods (rows, 'all years' = total) x reports/measures; 4.17-4.19 items x count/municipalities."""
    cells, own_printed, origin = [], set(), []
    for i, r in df.iterrows():
        tid = r.table_id
        if tid == "4.16":
            rk, pre = ("total" if r.period == ALL_YEARS else r.period), f"{r.section}:"
            table = f"4.16:{r.section}"
        elif tid == "4.20":
            rk, pre, table = r.item_key, "", tid
        else:
            rk, pre, table = r.item_key, ("" if tid == "4.17" else f"{r.section}:"), f"{tid}:{r.section}"
        keys = _published_keys(r)
        for col, value, pk in ((f"{pre}count", r.total, keys[0]),
                               (f"{pre}municipalities", r.municipalities, keys[1] if len(keys) > 1 else None)):
            if tid == "4.20" and col.endswith("municipalities"):
                continue
            cells.append(dict(table_id=table, row_key=str(rk), column=col, value=value, base_n=r.base_n,
                              multiple_answers=tid == "4.20"))
            origin.append(i)
            if pk is not None and pk in printed:
                own_printed.add((table, str(rk), col))
    return pd.DataFrame(cells), own_printed, origin


def apply_disclosure(df: pd.DataFrame, year: str, min_cell: int = MIN_CELL,
                     protection: float = PROTECTION_INTERVAL) -> pd.DataFrame:
    """Primary and complementary suppression of the rows (``lib/disclosure.py``), and the largest municipality:
    its value, share and the totals without it are published only when at least ``MIN_TIED`` municipalities share
    that value or the report printed it for ``year``; otherwise the share is given as a 10-point band."""
    printed = printed_cells(year)
    df = df.copy()
    cells, own_printed, origin = _long_cells(df, printed)
    stats = dict.fromkeys(STAT_KEYS, 0)
    sup = pd.Series(False, index=df.index)
    if len(cells):
        for _, t in cells.groupby("table_id", sort=False):
            flags, s = suppress_table(t, own_printed, min_cell, protection)
            for k in stats:
                stats[k] += s[k]
            for j in flags.index[flags]:
                sup.loc[origin[j]] = True
    df["suppressed"] = sup
    printed_largest = {str(k): float(v) for k, v in ((published(year) or {}).get(f"largest_municipality_{year}") or {}).items()}
    latest = {s: max((p for p in df.loc[(df.table_id == "4.16") & (df.section == s), "period"] if p != ALL_YEARS),
                     default=None) for s in ("reports", "measures")}
    for i, r in df.iterrows():
        largest = r.total - r.total_without_largest if pd.notna(r.total_without_largest) else np.nan
        report_printed = (r.table_id == "4.16" and r.period == latest.get(r.section)
                          and printed_largest.get(r.section) == largest)
        df.at[i, "largest_share_band"] = share_band(r.largest_share)
        if not (r._largest_ties >= MIN_TIED or report_printed):
            df.at[i, "largest_share"] = np.nan
            df.at[i, "total_without_largest"] = np.nan
        if not (r._dominant_ties >= MIN_TIED or report_printed):
            df.at[i, "total_without_dominant"] = np.nan
        if r.suppressed:
            df.at[i, "largest_share_band"] = ""
            df.loc[i, ["largest_share", "total_without_largest", "total_without_dominant"]] = np.nan
    df.attrs["disclosure"] = stats
    return df.drop(columns=["_largest_ties", "_dominant_ties"])


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
                    "largest share": fmt(r.largest_share, "{:.1%}") if pd.notna(r.largest_share) else
                    ("[s]" if r.suppressed else r.largest_share_band),
                    "no answer": fmt(r.no_answer) if r.no_answer else "",
                    "without largest": fmt(r.total_without_largest),
                    "without dominant": fmt(r.total_without_dominant)})
    md = pd.DataFrame(out)
    md = md.loc[:, [c for c in md.columns if c in ("section", "item", "period", "N") or (md[c] != "").any()]]
    return f"**{table_id}**\n\n" + md.to_markdown(index=False)


def trend(df: pd.DataFrame) -> pd.DataFrame:
    """Reports and measures per year: total, without each year's largest, without the dominant municipality."""
    t = df[(df["table_id"] == "4.16") & (df["period"] != ALL_YEARS)]
    return t[["section", "period", "total", "municipalities", "largest_share", "largest_share_band",
              "total_without_largest", "total_without_dominant", "suppressed"]].reset_index(drop=True)


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
