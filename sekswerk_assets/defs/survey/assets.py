"""Survey assets: validated responses, response overview (Bijlage 2) and the tables of chapters 2-4."""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from sekswerk_assets.lib.automation import YEARLY_EAGER
from sekswerk_assets.lib.disclosure import PROTECTION_INTERVAL, DisclosureConfig
from sekswerk_assets.lib.factory import partitioning, typed_asset, validated_events
from sekswerk_assets.lib.checks import schema_check_spec
from sekswerk_assets.lib.metadata import provenance, table_metadata
from sekswerk_assets.constants import DUCKDB_POOL, OWNERS
from sekswerk_assets.lib.keys import MUNICIPALITIES, SURVEY_EXPORTS, survey_ins
from sekswerk_assets.reference.loader import MunicipalityReference, list_year_for
from sekswerk_assets.schemas.survey import ResponsesModel, SurveyTableModel, YearComparisonModel
from sekswerk_assets.survey.comparison import COLUMNS, UPSTREAM, _shown, comparison_figure, earlier_point, indicators
from sekswerk_assets.survey.empty import replace_with_empty
from sekswerk_assets.survey.responses import load_year, to_long, to_wide
from sekswerk_assets.survey.source import SurveySource, SurveyYear
from sekswerk_assets.survey.tables import (
    SIZES,
    TABLE_COLUMNS,
    apply_disclosure,
    build_tables,
    compare_with_published,
    markdown_preview,
    pct,
    published,
)

SURVEY_VERSION = "2"  # 2: LP-audited protection interval, linked-table suppression, "not answered" cells
COMMON = dict(partitions="yearly", group="survey", code_version=SURVEY_VERSION)
RESPONSE_DEPS = [SURVEY_EXPORTS, MUNICIPALITIES]
TABLE_COMMON = {**COMMON, "automation_condition": YEARLY_EAGER}
#: a new or changed export (a new data version of ``survey/exports``) requests the year's survey assets
ON_NEW_EXPORT = (dg.AutomationCondition.any_deps_updated().ignore(dg.AssetSelection.assets(MUNICIPALITIES)) & ~dg.AutomationCondition.in_progress()).with_label("new or changed export")


def _responses_metadata(df: pd.DataFrame, parsed, year: SurveyYear) -> dict:
    n = df["gm_code"].nunique()
    sizes = df.drop_duplicates("gm_code")["size_class"].value_counts().to_dict()
    nonresp = pd.DataFrame(sorted(parsed.item_nonresponse.items()), columns=["question", "asked_but_not_answered"])
    nonresp = nonresp[nonresp["asked_but_not_answered"] > 0]
    return {
        **table_metadata(df, preview=False),
        **provenance(synthetic=year.synthetic, source=str(year.formats) or "embedded synthetic export"),
        "respondents": n,
        **{f"respondents/{s}": int(sizes.get(s, 0)) for s in SIZES},
        "item_nonresponse": dg.MetadataValue.md(nonresp.to_markdown(index=False) if len(nonresp) else "none"),
        "codebook_version": year.codebook.version,
        "codebook": year.codebook.describe(),
        "codebook_reused": year.codebook.reused,
        "reference_period": year.codebook.period_label,
        "export_fingerprint": year.fingerprint,
        "file_hashes": dg.MetadataValue.json(year.file_hashes),
        "personal_columns_dropped": ", ".join(parsed.personal_columns_dropped) or "none present",
        "warnings": dg.MetadataValue.md("\n".join(f"- {w}" for w in year.warnings) or "none"),
    }


_YEAR_PART, _YEAR_META = partitioning("yearly")
RESPONSES = {
    "municipalities_responses": "Validated answers of the full municipal questionnaire joined to the CBS municipality "
                                "list (warehouse only).",
    "followup_responses": "Validated answers of the short non-response follow-up (q5, q6, q9) joined to the CBS list "
                          "(warehouse only).",
}


@dg.multi_asset(
    outs={
        name: dg.AssetOut(
            key=["survey", name], group_name="survey", kinds={"duckdb", "pandas"}, metadata=_YEAR_META,
            owners=list(OWNERS), code_version=SURVEY_VERSION, automation_condition=ON_NEW_EXPORT, description=text,
        )
        for name, text in RESPONSES.items()
    },
    deps=RESPONSE_DEPS,
    check_specs=[schema_check_spec(dg.AssetKey(["survey", n]), ResponsesModel, _YEAR_PART) for n in RESPONSES],
    partitions_def=_YEAR_PART,
    pool=DUCKDB_POOL,
    can_subset=False,
)
def survey_responses(context: dg.AssetExecutionContext, survey_source: SurveySource, reference: MunicipalityReference,
                     duckdb: DuckDBResource):
    """Both exports of a year read once, as one snapshot (file hashes in the metadata), and validated together."""
    year, munis = load_year(context, survey_source, reference)
    for w in year.warnings:
        context.log.warning(w)
    df = to_long(year.full, munis, year.year, "full", year.synthetic)
    yield from validated_events(ResponsesModel, dg.AssetKey(["survey", "municipalities_responses"]), [
        dg.Output(df, "municipalities_responses", metadata=_responses_metadata(df, year.full, year))])
    if year.followup is None or year.followup.data.empty:
        fu = pd.DataFrame(columns=list(ResponsesModel.to_schema().columns))
        meta = {"respondents": 0, **provenance(synthetic=year.synthetic), "export_fingerprint": year.fingerprint,
                "codebook": year.codebook.describe()}
        # the IO manager skips empty frames: replace the year's old rows (and create the table) here
        replace_with_empty(duckdb, "survey", "followup_responses", ResponsesModel, "measurement_year", year.year)
    else:
        fu = to_long(year.followup, munis, year.year, "followup", year.synthetic)
        meta = _responses_metadata(fu, year.followup, year)
    yield from validated_events(ResponsesModel, dg.AssetKey(["survey", "followup_responses"]), [
        dg.Output(fu, "followup_responses", metadata=meta)])


def _finish_tables(df: pd.DataFrame, year: str, min_cell: int) -> pd.DataFrame:
    df = apply_disclosure(df, year, min_cell)
    stats = df.attrs.get("disclosure", {})
    df.insert(0, "measurement_year", year)
    df.attrs["disclosure"] = stats
    return df


def disclosure_metadata(df: pd.DataFrame) -> dict:
    """Counts of the disclosure control (``lib/disclosure.py``) for the metadata."""
    s = df.attrs.get("disclosure", {})
    return {"primary_suppressions": int(s.get("primary", 0)), "secondary_suppressions": int(s.get("secondary", 0)),
            "released_cells_derivable_from_printed": int(s.get("released", 0)),
            "suppressed_cells_audited": int(s.get("audited", 0)),
            "suppressed_by_audit": int(s.get("audit_added", 0)),
            "suppressed_margins": int(s.get("margins", 0)),
            "capped_by_printed_cells": int(s.get("capped", 0)),
            "protection_interval": PROTECTION_INTERVAL}


@typed_asset(key=["survey", "response_overview"], model=SurveyTableModel,
             ins=survey_ins(followup=True), **TABLE_COMMON)
def response_overview(
    context: dg.AssetExecutionContext,
    config: DisclosureConfig,
    reference: MunicipalityReference,
    survey_source: SurveySource,
    full: pd.DataFrame,
    followup: pd.DataFrame,
) -> pd.DataFrame:
    """Response by size class (Table B2.1), respondents' functions (Table B2.2) and the response rate."""
    year = context.partition_key
    munis = reference.municipalities(list_year_for(year))
    cb = survey_source.codebook(year)
    fw = to_wide(full, year, "full", cb)
    fu = to_wide(followup, year, "followup", cb)
    rows = []

    def add(tid, title, rk, row, col, value, base, multi=False):
        rows.append(dict(table_id=tid, title=title, row_key=rk, row=row, column=col,
                         value=None if value is None else float(value), base_n=int(base), multiple_answers=multi))

    n_all, n_resp = len(munis), len(fw)
    t = "Response by size class compared with all municipalities"
    for s in SIZES:
        a, r = int((munis["size_class"] == s).sum()), int((fw["size_class"] == s).sum())
        add("B2.1", t, s, s, "netherlands:count", a, n_all)
        add("B2.1", t, s, s, "netherlands:percent", pct(a, n_all), n_all)
        add("B2.1", t, s, s, "response:count", r, n_resp)
        add("B2.1", t, s, s, "response:percent", pct(r, n_resp), n_resp)
        add("B2.1", t, s, s, "response_rate:percent", pct(r, a), a)
    add("B2.1", t, "total", "Total", "netherlands:count", n_all, n_all)
    add("B2.1", t, "total", "Total", "netherlands:percent", 100.0, n_all)
    add("B2.1", t, "total", "Total", "response:count", n_resp, n_resp)
    add("B2.1", t, "total", "Total", "response:percent", 100.0 if n_resp else None, n_resp)
    q2 = cb.question("q2")
    t = "Function of the respondent"
    for k in range(1, len(q2.options) + 1):
        n = int((fw["q2"] == k).sum())
        add("B2.2", t, str(k), q2.option_label(k), "count", n, n_resp)
        add("B2.2", t, str(k), q2.option_label(k), "percent", pct(n, n_resp), n_resp)
    add("B2.2", t, "total", "Total", "count", n_resp, n_resp)
    add("B2.2", t, "total", "Total", "percent", 100.0 if n_resp else None, n_resp)
    n_fu = len(fu)
    t = "Follow-up municipalities by size class"
    for s in SIZES:
        n = int((fu["size_class"] == s).sum()) if n_fu else 0
        add("text:followup", t, s, s, "count", n, n_fu)
        add("text:followup", t, s, s, "percent", pct(n, n_fu), n_fu)
    add("text:followup", t, "total", "Total", "count", n_fu, n_fu)
    t = "Response rate and municipalities with known policy status"
    add("text:response", t, "responders", "survey respondents", "count", n_resp, n_all)
    add("text:response", t, "responders", "survey respondents", "percent", pct(n_resp, n_all), n_all)
    add("text:response", t, "policy_known", "policy status known (survey + follow-up)", "count", n_resp + n_fu, n_all)
    add("text:response", t, "policy_known", "policy status known (survey + follow-up)", "percent",
        pct(n_resp + n_fu, n_all), n_all)
    df = _finish_tables(pd.DataFrame(rows, columns=TABLE_COLUMNS), year, config.min_cell)
    synthetic = bool(full["synthetic"].any()) if len(full) else False
    meta = {
        **table_metadata(df, preview=False),
        **provenance(synthetic=synthetic),
        "response_rate_percent": pct(n_resp, n_all),
        "policy_status_known": n_resp + n_fu,
        "B2.1": dg.MetadataValue.md(markdown_preview(df, "B2.1")),
        "B2.2": dg.MetadataValue.md(markdown_preview(df, "B2.2")),
        "follow-up": dg.MetadataValue.md(markdown_preview(df, "text:followup")),
    }
    if published(year):
        meta["differences_from_published"] = len(compare_with_published(df.drop(columns="measurement_year"), year, overview=True))
    context.add_output_metadata(output_name="result", metadata=meta)
    return df


@typed_asset(key=["survey", "tables"], model=SurveyTableModel, ins=survey_ins(followup=True), **TABLE_COMMON)
def tables(context: dg.AssetExecutionContext, config: DisclosureConfig, survey_source: SurveySource, full: pd.DataFrame,
           followup: pd.DataFrame) -> pd.DataFrame:
    """Every survey table of chapters 2-4 (Table 2.1, 3.1-3.14, 4.1-4.21) and text figures, with size-class breakdowns."""
    year = context.partition_key
    cb = survey_source.codebook(year)
    df = build_tables(cb, to_wide(full, year, "full", cb), to_wide(followup, year, "followup", cb))
    df = _finish_tables(df, year, config.min_cell)
    synthetic = bool(full["synthetic"].any()) if len(full) else False
    meta = {
        **table_metadata(df, preview=False),
        **provenance(synthetic=synthetic),
        "tables": int(df["table_id"].nunique()),
        "suppressed_cells": int(df["suppressed"].sum()),
        "min_cell": config.min_cell,
        **disclosure_metadata(df),
        "codebook": cb.describe(),
        "codebook_reused": cb.reused,
        "reference_period": cb.period_label,
    }
    if published(year):
        diffs = compare_with_published(df.drop(columns="measurement_year"), year)
        meta["differences_from_published"] = len(diffs)
        if diffs:
            meta["differences"] = dg.MetadataValue.md("\n".join(f"- {d}" for d in diffs[:50]))
    for tid in dict.fromkeys(df["table_id"]):
        meta[f"table {tid}"] = dg.MetadataValue.md(markdown_preview(df, tid))
    context.add_output_metadata(output_name="result", metadata=meta)
    return df


@typed_asset(
    key=["survey", "year_comparison"],
    model=YearComparisonModel,
    partitions="none",
    group="survey",
    code_version=SURVEY_VERSION,
    deps=[dg.AssetDep(k, partition_mapping=dg.AllPartitionMapping()) for k in UPSTREAM],
)
def year_comparison(context: dg.AssetExecutionContext, config: DisclosureConfig, duckdb: DuckDBResource) -> pd.DataFrame:
    """Key indicators (policy, types, licences, enforcement) over all measurement years, with 2014 as earlier point."""
    current = indicators(duckdb, config.min_cell)
    df = pd.concat([pd.DataFrame(earlier_point(), columns=COLUMNS), current], ignore_index=True)
    df = df.sort_values(["indicator", "year"], kind="stable").reset_index(drop=True)
    years = sorted(current["year"].unique())
    wide = df.pivot_table(index="indicator", columns="year", values="value", aggfunc="first", dropna=False)
    wide = wide[sorted(wide.columns)]
    synthetic_years = sorted(current.loc[current["synthetic"], "year"].unique())
    context.add_output_metadata(output_name="result", metadata={
        **table_metadata(df, preview=False),
        **provenance(synthetic=bool(df["synthetic"].any()), synthetic_years=", ".join(synthetic_years) or "none"),
        "measurement_years": ", ".join(years) or "none materialised",
        "suppressed_values": int(current["value"].isna().sum()),
        "min_cell": config.min_cell,
        "comparison": dg.MetadataValue.md(_shown(df).reset_index().to_markdown(index=False)),
        **comparison_figure(df),
    })
    return df
