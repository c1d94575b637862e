"""Pure functions: unique units of one method -> the report's tables in long form.

Long form: one row per (row, column, stat) with ``value`` and ``base_n`` (the denominator).
Row and band labels follow the report (Tables 2.2-2.6, Figures 2.6-2.12).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from sekswerk_assets.constants import LICENSED_TERMS
from sekswerk_assets.lib.numbers import percent

PRICE_BANDS = [  # (label, lower exclusive, upper inclusive): whole euros as in Table 2.2
    ("< 50", -np.inf, 49.999), ("50-100", 49.999, 100), ("101-150", 100, 150), ("151-200", 150, 200),
    ("201-250", 200, 250), ("251-300", 250, 300), ("> 300", 300, np.inf),
]
# Table 2.3 prints '< 30' and '31-40': age 30 is put in the first band (documented reading).
AGE_BANDS = [("< 30", -np.inf, 30), ("31-40", 30, 40), ("41-50", 40, 50), ("51-60", 50, 60),
             ("61-70", 60, 70), ("> 70", 70, np.inf)]
COMBOS = {  # (home, escort, massage) -> Figure 2.7 label
    (True, False, False): "home only", (True, True, False): "home + escort", (True, False, True): "home + massage",
    (False, True, False): "escort only", (True, True, True): "home + escort + massage",
    (False, False, True): "massage only", (False, True, True): "escort + massage",
}
TERMS = list(LICENSED_TERMS)
MIN_ADS_FOR_RATE = 10


def cell(row: str, column: str, stat: str, value, base_n: int) -> dict:
    return {"row": row, "column": column, "stat": stat,
            "value": None if value is None or pd.isna(value) else float(value), "base_n": int(base_n)}


def pct(part: int, whole: int) -> float | None:
    """Percentage rounded half up to one decimal as the report prints it (5/16 -> 31.3): the shared helper."""
    return percent(part, whole)


def half_up(value: float, digits: int = 1) -> float:
    """``value`` rounded half up (means, SDs, rates)."""
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def band_cells(values: pd.Series, bands, column: str) -> list[dict]:
    v = values.dropna().astype(float)
    n = len(v)
    out = []
    for label, lo, hi in bands:
        c = int(((v > lo) & (v <= hi)).sum())
        out += [cell(label, column, "count", c, n), cell(label, column, "percent", pct(c, n), n)]
    out += [cell("total", column, "count", n, n),
            cell("mean", column, "mean", half_up(v.mean()) if n else None, n),
            cell("sd", column, "sd", half_up(v.std(ddof=1)) if n > 1 else None, n)]
    return out


def gender_table(u: pd.DataFrame) -> list[dict]:
    """Figure 2.6: gender from the fixed form fields, plus transgender mentions in the text."""
    g = u["gender"].dropna()
    n = len(g)
    out = []
    for label in ("female", "male"):
        c = int((g == label).sum())
        out += [cell(label, "gender", "count", c, n), cell(label, "gender", "percent", pct(c, n), n)]
    t = int(u["transgender"].sum())
    out.append(cell("transgender mention", "gender", "count", t, len(u)))
    return out


def work_type_table(u: pd.DataFrame) -> list[dict]:
    """Figure 2.7: combinations of home reception / escort / massage, and 'also offers' shares.

    Reading: the printed combinations add up to 96%, so the base is all unique ads, with the ads
    that state no type as the remaining category ('not stated').
    """
    n = len(u)
    s = u[u["type_stated"]]
    keys = list(zip(s["work_home"], s["work_escort"], s["work_massage"]))
    out = []
    for combo, label in COMBOS.items():
        c = sum(1 for k in keys if k == combo)
        out += [cell(label, "combination", "count", c, n), cell(label, "combination", "percent", pct(c, n), n)]
    c = n - len(s)
    out += [cell("not stated", "combination", "count", c, n), cell("not stated", "combination", "percent", pct(c, n), n)]
    for col, label in (("work_home", "home"), ("work_escort", "escort"), ("work_massage", "massage")):
        c = int(s[col].sum())
        out += [cell(f"(also) {label}", "offers", "count", c, n), cell(f"(also) {label}", "offers", "percent", pct(c, n), n)]
    return out


def price_table(u: pd.DataFrame) -> list[dict]:
    """Table 2.2: hourly prices in bands for all prices, home reception and escort, with mean and SD."""
    home, escort = u["price_home"].dropna(), u["price_escort"].dropna()
    return (band_cells(pd.concat([home, escort]), PRICE_BANDS, "all")
            + band_cells(home, PRICE_BANDS, "home") + band_cells(escort, PRICE_BANDS, "escort"))


def origin_table(u: pd.DataFrame) -> list[dict]:
    """Figure 2.10: Dutch vs non-Dutch; of non-Dutch Europe / South America / other; of Europe the East."""
    r = u["origin_region"].dropna()
    n = len(r)
    non = r[r != "netherlands"]
    europe = non[non.isin(["eastern_europe", "rest_of_europe"])]
    rows = [
        ("netherlands", "all", int((r == "netherlands").sum()), n),
        ("not netherlands", "all", len(non), n),
        ("europe (not netherlands)", "not netherlands", len(europe), len(non)),
        ("south america", "not netherlands", int((non == "south_america").sum()), len(non)),
        ("other", "not netherlands", int((non == "other").sum()), len(non)),
        ("eastern europe", "europe (not netherlands)", int((europe == "eastern_europe").sum()), len(europe)),
        ("rest of europe", "europe (not netherlands)", int((europe == "rest_of_europe").sum()), len(europe)),
    ]
    out = []
    for label, col, c, base in rows:
        out += [cell(label, col, "count", c, base), cell(label, col, "percent", pct(c, base), base)]
    return out


def age_table(u: pd.DataFrame) -> list[dict]:
    """Table 2.3 (all / Dutch / non-Dutch) and the first Table 2.5 (non-Dutch by region): ages in bands."""
    a = u.dropna(subset=["age"])
    groups = {
        "all": a["age"],
        "netherlands": a.loc[a["origin_region"] == "netherlands", "age"],
        "not netherlands": a.loc[a["origin_region"].notna() & (a["origin_region"] != "netherlands"), "age"],
        "europe (not netherlands)": a.loc[a["origin_region"].isin(["eastern_europe", "rest_of_europe"]), "age"],
        "south america": a.loc[a["origin_region"] == "south_america", "age"],
        "other": a.loc[a["origin_region"] == "other", "age"],
    }
    out = []
    for col, ages in groups.items():
        table = "2.3" if col in ("all", "netherlands", "not netherlands") else "2.5a"
        out += [{**c, "table_id": table} for c in band_cells(ages, AGE_BANDS, col)]
    return out


def municipality_table(u: pd.DataFrame, municipalities: pd.DataFrame) -> list[dict]:
    """Table 2.4 (the ten most named municipalities), Table 2.5 (the ten highest rates per 100,000) and, after
    them and marked ``table_id`` 2.11, the map data of Figure 2.11 for every municipality."""
    m = u.dropna(subset=["gm_code"])
    n = len(m)
    counts = m["gm_code"].value_counts()
    ref = municipalities.set_index("gm_code")
    frame = ref[["name", "population"]].assign(ads=counts.reindex(ref.index).fillna(0).astype(int))
    frame["per_100k"] = [half_up(a / p * 100_000) for a, p in zip(frame["ads"], frame["population"])]
    ranked = frame.sort_values(["ads", "name"], ascending=[False, True])
    out = []
    top = ranked.head(10)
    for name, r in top.set_index("name").iterrows():
        out += [{**cell(name, "ads", "count", r["ads"], n), "table_id": "2.4"},
                {**cell(name, "ads", "percent", pct(r["ads"], n), n), "table_id": "2.4"}]
    out += [{**cell("total top ten", "ads", "count", int(top["ads"].sum()), n), "table_id": "2.4"},
            {**cell("total top ten", "ads", "percent", pct(int(top["ads"].sum()), n), n), "table_id": "2.4"}]
    # Table 2.5: the ten highest rates, among municipalities with enough ads that a rate means something
    # (a place with one or two ads would otherwise top the list and be singled out)
    min_ads = max(MIN_ADS_FOR_RATE, int(0.005 * n))
    rates = frame[frame["ads"] >= min_ads].sort_values(["per_100k", "name"], ascending=[False, True]).head(10)
    for name, r in rates.set_index("name").iterrows():
        out += [{**cell(name, "ads per 100,000", "per_100k", r["per_100k"], n), "table_id": "2.5b"},
                {**cell(name, "inhabitants", "population", r["population"], n), "table_id": "2.5b"}]
    for code, r in ranked.iterrows():
        out += [{**cell(r["name"], "ads", "count", r["ads"], n), "table_id": "2.11"},
                {**cell(r["name"], "ads", "per_100k", r["per_100k"], n), "table_id": "2.11"},
                {**cell(r["name"], "inhabitants", "population", r["population"], n), "table_id": "2.11"}]
    return out


def work_type_by_municipality(u: pd.DataFrame, municipalities: pd.DataFrame) -> list[dict]:
    """Figure 2.12: share offering (also) home reception / escort / massage in the ten most named municipalities."""
    s = u[u["type_stated"] & u["gm_code"].notna()]
    names = municipalities.set_index("gm_code")["name"]
    counts = u["gm_code"].value_counts()
    # the same ten as Table 2.4: most ads first, ties by name
    top = sorted(counts.index, key=lambda c: (-counts[c], names.get(c, c)))[:10]
    out = []
    for code in top:
        g = s[s["gm_code"] == code]
        for col, label in (("work_home", "home"), ("work_escort", "escort"), ("work_massage", "massage")):
            out.append(cell(names.get(code, code), label, "percent", pct(int(g[col].sum()), len(g)), len(g)))
    return out


def licensed_signals(u: pd.DataFrame) -> list[dict]:
    """Table 2.6: search terms found and those that really indicate licensed work (automated disambiguation)."""
    n = len(u)
    terms = u["licensed_terms"].fillna("").str.split(",")
    out = []
    any_found = pd.Series(False, index=u.index)
    for t in TERMS:
        found = terms.map(lambda xs, t=t: t in xs)
        any_found |= found
        real = int((found & u["licensed_indicated"]).sum())
        f = int(found.sum())
        out += [cell(t, "term found", "count", f, n), cell(t, "term found", "percent", pct(f, n), n),
                cell(t, "indicates licensed work", "count", real, f),
                cell(t, "indicates licensed work", "percent", pct(real, f), f)]
    f = int(any_found.sum())
    real = int((any_found & u["licensed_indicated"]).sum())
    out += [cell("total", "term found", "count", f, n), cell("total", "term found", "percent", pct(f, n), n),
            cell("total", "indicates licensed work", "count", real, f),
            cell("total", "indicates licensed work", "percent", pct(real, f), f)]
    return out


def weekly_prices(rows: pd.DataFrame) -> pd.DataFrame:
    """Figure 2.9: mean hourly price per week for all prices, home reception and escort."""
    out = []
    for week, g in rows.groupby("measurement_week"):
        home, escort = g["price_home"].dropna(), g["price_escort"].dropna()
        for series, v in (("all", pd.concat([home, escort])), ("home", home), ("escort", escort)):
            out.append({"measurement_week": week, "series": series,
                        "value": half_up(v.mean()) if len(v) else None, "base_n": len(v)})
    return pd.DataFrame(out)


def wrs_indicators(rows: pd.DataFrame) -> pd.DataFrame:
    """Weekly shares the Wrs will change: ads stating an age under 21, ads showing a licence or KvK number."""
    out = []
    for week, g in rows.groupby("measurement_week"):
        aged = g["age"].dropna()
        out.append({"measurement_week": week, "series": "age under 21 (% of ads stating an age)",
                    "value": pct(int((aged < 21).sum()), len(aged)), "base_n": len(aged)})
        shown = int((g["licence_number"] | g["kvk_number"]).sum())
        out.append({"measurement_week": week, "series": "licence or KvK number shown (% of ads)",
                    "value": pct(shown, len(g)), "base_n": len(g)})
    return pd.DataFrame(out)
