"""Key survey indicators side by side over the materialised measurement years, with 2014 as a fixed earlier point."""

import pandas as pd  # noqa: E402
from dagster_duckdb import DuckDBResource  # noqa: E402

from sekswerk_assets.lib.disclosure import MIN_CELL  # noqa: E402
from sekswerk_assets.lib.lazy import pyplot as plt  # matplotlib (Agg) is imported at the first figure
from sekswerk_assets.lib.metadata import png_metadata  # noqa: E402
from sekswerk_assets.lib.warehouse import read_sql  # noqa: E402
from sekswerk_assets.survey.tables import published  # noqa: E402

UPSTREAM = [
    ["survey", "tables"],
    ["survey", "policy_typology"],
    ["survey", "licence_counts"],
    ["survey", "licence_extrapolation"],
    ["survey", "enforcement_trends"],
]
EARLIER_SOURCE = "Van Wijk et al. (2014), as cited in the report (sections 2.2 and 3.2); published/survey_2020.yaml earlier_2014"
POLICY_TYPES = {"1": "maximum", "2": "zero", "3": "de_facto_zero", "4": "phase_out", "5": "spatial_planning"}
COLUMNS = ["indicator", "year", "value", "unit", "source", "synthetic", "status"]
NOT_ANSWERED = "not asked / not answered"


def earlier_point() -> list[dict]:
    """The 2014 values the report cites (fixed; not recomputed)."""
    e = (published("2020") or {}).get("earlier_2014", {"share_with_policy_percent": 75, "licensed_businesses": 833})
    return [
        dict(indicator="share_with_policy", year="2014", value=float(e["share_with_policy_percent"]), unit="percent",
             source=EARLIER_SOURCE, synthetic=False, status="value"),
        dict(indicator="licensed_businesses_national", year="2014", value=float(e["licensed_businesses"]),
             unit="businesses", source=EARLIER_SOURCE, synthetic=False, status="value"),
    ]


def indicators(db: DuckDBResource, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Every indicator of every materialised measurement year, read from the warehouse tables.

    Disclosure control carries over: suppressed table cells, suppressed enforcement rows and figures resting on
    1..min_cell-1 municipalities (not printed by the report) are empty (``value`` null)."""
    rows: list[dict] = []

    def small(n) -> bool:
        return 1 <= n < min_cell

    def add(ind, year, value, unit, source, status=None):
        empty = value is None or pd.isna(value)
        rows.append(dict(indicator=ind, year=str(year), value=None if empty else float(value), unit=unit,
                         source=source, synthetic=False, status=status or ("suppressed" if empty else "value")))

    t = read_sql(db, """
        select measurement_year, table_id, row_key, "column", value_published as value,
               case when suppressed then 'suppressed' when value is null then 'not asked / not answered'
                    else 'value' end as status
        from survey.tables
        where (table_id = '3.1' and row_key in ('1', '2') and "column" = 'percent')
           or (table_id = '3.4' and row_key in ('1', '2', '3', '4', '5') and "column" = 'percent')
           or (table_id = 'text:q3' and row_key = '1' and "column" in ('count', 'percent'))
        order by measurement_year""")
    src = "survey.tables"
    for r in t.itertuples(index=False):
        if r.table_id == "3.1":
            add("share_with_policy" if r.row_key == "1" else "share_policy_in_development", r.measurement_year, r.value,
                "percent", f"{src} 3.1 (survey and follow-up)", r.status)
        elif r.table_id == "3.4":
            add(f"policy_type_{POLICY_TYPES[r.row_key]}", r.measurement_year, r.value, "percent of municipalities with policy",
                f"{src} 3.4", r.status)
        else:
            add("licensed_municipalities" if r.column == "count" else "licensed_municipalities_share", r.measurement_year,
                r.value, "municipalities" if r.column == "count" else "percent of respondents", f"{src} text:q3", r.status)
    typ = read_sql(db, """
        select measurement_year, count(*) n, bool_or(synthetic) synthetic,
               sum(case when has_policy = 'yes' and (type_zero or type_de_facto_zero) then 1 else 0 end) zero_any,
               sum(case when has_policy = 'yes' then 1 else 0 end) with_policy
        from survey.policy_typology group by measurement_year order by measurement_year""")
    for r in typ.itertuples(index=False):
        add("policy_type_zero_or_de_facto_zero", r.measurement_year,
            100 * r.zero_any / r.with_policy if r.with_policy and not small(r.zero_any) else None, "percent of municipalities with policy",
            "survey.policy_typology")
    lic = read_sql(db, """
        select measurement_year, licences, municipalities_with_licences, synthetic from survey.licence_counts
        where business_type = 'all types' and size_class = 'all' order by measurement_year""")
    for r in lic.itertuples(index=False):
        add("licences_in_responding_municipalities", r.measurement_year,
            None if small(r.municipalities_with_licences) else r.licences, "licences", "survey.licence_counts")
    few = {str(r.measurement_year) for r in lic.itertuples(index=False) if small(r.municipalities_with_licences)}
    ext = read_sql(db, """
        select measurement_year, method, estimate, ci_low, ci_high, synthetic from survey.licence_extrapolation
        where business_type = 'all types' order by measurement_year""")
    for r in ext.itertuples(index=False):
        if str(r.measurement_year) in few:
            continue
        if r.method == "report":
            add("licensed_businesses_national", r.measurement_year, round(r.estimate), "businesses",
                "survey.licence_extrapolation (report method: total / response % x 100)")
        elif r.method == "stratified_expansion":
            add("licensed_businesses_national_stratified", r.measurement_year, round(r.estimate), "businesses",
                f"survey.licence_extrapolation (stratified by size class, 95% CI {r.ci_low:.0f}-{r.ci_high:.0f})")
    enf = read_sql(db, """
        select measurement_year, table_id, section, item_key, period, total, total_without_dominant, suppressed, synthetic
        from survey.enforcement_trends
        where (table_id = '4.16') or (item_key = 'total' and table_id in ('4.17', '4.19'))
        order by measurement_year, period""")
    if len(enf):
        enf["status"] = ["suppressed" if s else (NOT_ANSWERED if pd.isna(t) else "value")
                         for s, t in zip(enf["suppressed"].astype(bool), enf["total"])]
        enf.loc[enf["suppressed"].astype(bool), ["total", "total_without_dominant"]] = None
        for year, e in enf.groupby("measurement_year"):
            series = e[(e.table_id == "4.16") & (e.period != "all years")]
            for section in ("reports", "measures"):
                s = series[series.section == section]
                if s.empty:
                    continue
                last = s.sort_values("period").iloc[-1]
                add(f"administrative_{section}_last_year", year, last.total, f"{section} in {last.period}",
                    "survey.enforcement_trends 4.16", last.status)
                add(f"administrative_{section}_last_year_without_largest", year, last.total_without_dominant,
                    f"{section} in {last.period}", "survey.enforcement_trends 4.16 (largest municipality removed)")
                allp = e[(e.table_id == "4.16") & (e.section == section) & (e.period == "all years")]
                if len(allp):
                    add(f"administrative_{section}_all_years", year, allp.total.iloc[0], f"{section}, all years asked",
                        "survey.enforcement_trends 4.16", allp.status.iloc[0])
            for tid, name in (("4.17", "measures_by_kind_total"), ("4.19", "unlicensed_sanctions_total")):
                x = e[e.table_id == tid]
                if len(x):
                    add(name, year, x.total.iloc[0], "count", f"survey.enforcement_trends {tid}", x.status.iloc[0])
    df = pd.DataFrame(rows, columns=COLUMNS)
    synth: dict[str, bool] = {}
    for frame in (typ, lic, ext, enf):
        if len(frame):
            for y, v in frame.groupby("measurement_year")["synthetic"].any().items():
                synth[str(y)] = synth.get(str(y), False) or bool(v)
    df["synthetic"] = df["year"].map(synth).fillna(False).astype(bool)
    return df


def _shown(df: pd.DataFrame) -> pd.DataFrame:
    """Indicators x years as text: the value, '[s]' when suppressed, 'not asked / not answered' (never a 0)."""
    text = [("" if pd.isna(v) else f"{v:.1f}") if st == "value" else ("[s]" if st == "suppressed" else NOT_ANSWERED)
            for v, st in zip(df["value"], df["status"])]
    wide = df.assign(text=text).pivot_table(index="indicator", columns="year", values="text", aggfunc="first")
    return wide[sorted(wide.columns)].fillna("")


def comparison_figure(df: pd.DataFrame) -> dict:
    fig, axes = plt.subplots(1, 2, figsize=(9, 3))
    for ax, ind, title in ((axes[0], "share_with_policy", "Municipalities with policy (%)"),
                           (axes[1], "licensed_businesses_national", "Licensed businesses (national estimate)")):
        s = df[df.indicator == ind].sort_values("year")
        ax.plot(s["year"], s["value"], marker="o")
        for x, v, syn in zip(s["year"], s["value"], s["synthetic"]):
            ax.annotate(f"{v:.0f}{' (synthetic)' if syn else ''}", (x, v), fontsize=7, textcoords="offset points",
                        xytext=(0, 5), ha="center")
        ax.set_title(title, fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    return {"comparison_plot": png_metadata(fig)}
