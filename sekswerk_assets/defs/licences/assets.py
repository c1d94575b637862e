"""Licence counts per type of business (Table 2.1) and the national extrapolation (section 2.2)."""

import dagster as dg
import numpy as np
import pandas as pd

from sekswerk_assets.codebook import codebook_for_year
from sekswerk_assets.licences.estimator import bootstrap_interval, report_estimate, stratified_estimate
from sekswerk_assets.lib.automation import YEARLY_EAGER
from sekswerk_assets.lib.factory import typed_asset
from sekswerk_assets.lib.keys import survey_ins
from sekswerk_assets.lib.metadata import provenance, table_metadata
from sekswerk_assets.reference.loader import MunicipalityReference, list_year_for
from sekswerk_assets.schemas.survey import LicenceCountsModel, LicenceExtrapolationModel
from sekswerk_assets.survey.responses import to_wide
from sekswerk_assets.survey.source import SurveySource
from sekswerk_assets.survey.tables import SIZES

LICENCE_COMMON = dict(partitions="yearly", group="licences", code_version="1", automation_condition=YEARLY_EAGER)
BOOTSTRAP_REPS = 2000


def licences_per_municipality(full_long: pd.DataFrame, year: str, cb=None) -> pd.DataFrame:
    """Licences per respondent and business type (0 where the municipality has no licensed businesses)."""
    cb = cb or codebook_for_year(year)
    q = cb.question("q28")
    wide = to_wide(full_long, year, "full", cb)
    out = wide[["gm_code", "size_class", "population"]].copy()
    for r, label in enumerate(q.rows, 1):
        out[label] = wide[f"q28_r{r}_c1"].fillna(0).astype(int)
    return out, list(q.rows)


@typed_asset(key=["survey", "licence_counts"], model=LicenceCountsModel, ins=survey_ins(), **LICENCE_COMMON)
def licence_counts(context: dg.AssetExecutionContext, reference: MunicipalityReference, survey_source: SurveySource,
                   full: pd.DataFrame) -> pd.DataFrame:
    """Licences per type of sex business and size class, with respondents and municipalities per stratum (Table 2.1)."""
    year = context.partition_key
    munis = reference.municipalities(list_year_for(year))
    per, types = licences_per_municipality(full, year, survey_source.codebook(year))
    per["all types"] = per[types].sum(axis=1)
    rows = []
    for t in types + ["all types"]:
        for s in list(SIZES) + ["all"]:
            m = per["size_class"] == s if s != "all" else pd.Series(True, index=per.index)
            rows.append(dict(measurement_year=year, business_type=t, size_class=s, licences=int(per.loc[m, t].sum()),
                             municipalities_with_licences=int((per.loc[m, t] > 0).sum()), respondents=int(m.sum()),
                             municipalities_in_list=int((munis["size_class"] == s).sum()) if s != "all" else len(munis),
                             synthetic=bool(full["synthetic"].any())))
    df = pd.DataFrame(rows)
    total = df[(df.business_type == "all types") & (df.size_class == "all")]
    context.add_output_metadata(output_name="result", metadata={
        **table_metadata(df[df.size_class == "all"].drop(columns=["measurement_year", "synthetic"]), preview_rows=10),
        **provenance(synthetic=bool(full["synthetic"].any())),
        "total_licences": int(total["licences"].iloc[0]),
        "municipalities_with_licences": int(total["municipalities_with_licences"].iloc[0]),
    })
    return df


@typed_asset(key=["survey", "licence_extrapolation"], model=LicenceExtrapolationModel,
             ins=survey_ins(), **LICENCE_COMMON)
def licence_extrapolation(context: dg.AssetExecutionContext, reference: MunicipalityReference,
                          survey_source: SurveySource, full: pd.DataFrame) -> pd.DataFrame:
    """National number of licensed businesses: the report's 168/45x100 and size-class-stratified estimates with 95% intervals."""
    year = context.partition_key
    munis = reference.municipalities(list_year_for(year))
    per, types = licences_per_municipality(full, year, survey_source.codebook(year))
    per["all types"] = per[types].sum(axis=1)
    sizes = {s: int((munis["size_class"] == s).sum()) for s in SIZES}
    pops = {s: float(munis.loc[munis["size_class"] == s, "population"].sum()) for s in SIZES}
    synthetic = bool(full["synthetic"].any())
    rows = []
    strata = per["size_class"].to_numpy()
    x = per["population"].to_numpy(dtype=float)
    for i, t in enumerate(["all types"] + types):
        y = per[t].to_numpy(dtype=float)
        total = int(y.sum())
        rep = report_estimate(total, len(per), len(munis))
        rows.append(dict(business_type=t, method="report", estimate=rep, ci_low=np.nan, ci_high=np.nan, sample_total=total))
        est = stratified_estimate(y, strata, sizes)
        lo, hi = bootstrap_interval(y, strata, sizes, reps=BOOTSTRAP_REPS, seed=i)
        rows.append(dict(business_type=t, method="stratified_expansion", estimate=est, ci_low=lo, ci_high=hi, sample_total=total))
        est_r = stratified_estimate(y, strata, sizes, x=x, stratum_x=pops)
        lo_r, hi_r = bootstrap_interval(y, strata, sizes, x=x, stratum_x=pops, reps=BOOTSTRAP_REPS, seed=100 + i)
        rows.append(dict(business_type=t, method="stratified_ratio", estimate=est_r, ci_low=lo_r, ci_high=hi_r, sample_total=total))
    df = pd.DataFrame(rows)
    df.insert(0, "measurement_year", year)
    df["synthetic"] = synthetic
    allt = df[df.business_type == "all types"].set_index("method")
    rep, strat, ratio = (allt.loc[m] for m in ("report", "stratified_expansion", "stratified_ratio"))
    resp_rate = {s: (per["size_class"] == s).sum() / sizes[s] for s in SIZES}
    explanation = (
        f"Report method: {rep.estimate:.0f} (= {int(rep.sample_total)} / {round(100 * len(per) / len(munis))} x 100). "
        f"Stratified by size class: {strat.estimate:.0f} (95% CI {strat.ci_low:.0f}-{strat.ci_high:.0f}); "
        f"ratio to population: {ratio.estimate:.0f} ({ratio.ci_low:.0f}-{ratio.ci_high:.0f}). "
        f"Difference stratified - report: {strat.estimate - rep.estimate:+.0f} ({(strat.estimate / rep.estimate - 1) * 100:+.0f}%). "
        "Why: the report weights every respondent equally, but response differs by size class "
        + ", ".join(f"{s} {resp_rate[s]:.0%}" for s in SIZES)
        + " and licences are concentrated in large municipalities; stratifying gives each size class its own weight N_h/n_h. "
        + ("SYNTHETIC data: the split of licences over size classes is invented, so the size of the difference is illustrative."
           if synthetic else "")
    )
    context.add_output_metadata(output_name="result", metadata={
        **table_metadata(df.drop(columns=["measurement_year", "synthetic"]).round(1), preview_rows=9),
        **provenance(synthetic=synthetic, seed=None),
        "report_estimate": round(rep.estimate),
        "stratified_estimate": round(strat.estimate),
        "stratified_ci95": f"{strat.ci_low:.0f}-{strat.ci_high:.0f}",
        "ratio_estimate": round(ratio.estimate),
        "explanation": dg.MetadataValue.md(explanation),
    })
    return df
