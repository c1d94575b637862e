"""Enforcement trends (Tables 4.16-4.20) with the weight of the single largest municipality."""

import dagster as dg
import pandas as pd

from sekswerk_assets.codebook import codebook_for_year
from sekswerk_assets.enforcement.trends import (
    apply_disclosure,
    enforcement_rows,
    markdown_preview,
    trend,
    trend_figure,
)
from sekswerk_assets.lib.automation import YEARLY_EAGER
from sekswerk_assets.lib.factory import typed_asset
from sekswerk_assets.lib.keys import survey_ins
from sekswerk_assets.lib.metadata import provenance, table_metadata
from sekswerk_assets.schemas.survey import EnforcementTrendsModel
from sekswerk_assets.lib.disclosure import DisclosureConfig
from sekswerk_assets.survey.responses import to_wide
from sekswerk_assets.survey.source import SurveySource

ENFORCEMENT_COMMON = dict(partitions="yearly", group="enforcement", code_version="1", automation_condition=YEARLY_EAGER)


def trends_frame(full: pd.DataFrame, year: str, min_cell: int, cb=None) -> pd.DataFrame:
    """Tables 4.16-4.20 for one measurement year from the long full responses, with disclosure marks."""
    cb = cb or codebook_for_year(year)
    df = apply_disclosure(enforcement_rows(cb, to_wide(full, year, "full", cb)), year, min_cell)
    df.insert(0, "measurement_year", year)
    df["synthetic"] = bool(full["synthetic"].any()) if len(full) else False
    return df


def _summary(df: pd.DataFrame) -> tuple[dict, str]:
    t = trend(df)
    meta: dict = {}
    lines = []
    for section in ("reports", "measures"):
        s = t[t["section"] == section]
        if s.empty or s["total"].iloc[-1] == 0:
            continue
        last = s.iloc[-1]
        if pd.isna(last["total"]) or bool(last.get("suppressed", False)):
            continue
        exact = pd.notna(last["total_without_largest"])
        if exact:  # shared by >= 3 municipalities, or printed by the report for this year
            largest = int(round(last["total"] - last["total_without_largest"]))
            meta[f"largest_municipality_{last['period']}_{section}"] = largest
            meta[f"largest_share_{last['period']}_{section}"] = round(float(last["largest_share"]), 3)
            said = f"{largest} = {last['largest_share']:.1%} of the total"
        else:
            meta[f"largest_share_band_{last['period']}_{section}"] = last["largest_share_band"]
            said = f"{last['largest_share_band']} of the total (share band; the value would identify one respondent)"
        first = s.iloc[0]
        lines.append(
            f"- {section}: {first['period']} {first['total']:.0f} -> {last['period']} {last['total']:.0f} "
            f"({last['total'] / first['total'] - 1:+.0%})" if first["total"] else f"- {section}: {last['total']:.0f}")
        lines.append(
            f"  largest municipality in {last['period']}: {said}; without it: "
            + ", ".join(f"{p} {v:.0f}" if pd.notna(v) else f"{p} [s]" for p, v in zip(s["period"], s["total_without_dominant"])))
    return meta, "\n".join(lines)


@typed_asset(key=["survey", "enforcement_trends"], model=EnforcementTrendsModel,
             ins=survey_ins(), **ENFORCEMENT_COMMON)
def enforcement_trends(context: dg.AssetExecutionContext, config: DisclosureConfig, survey_source: SurveySource,
                       full: pd.DataFrame) -> pd.DataFrame:
    """Tables 4.16-4.20 (reports, measures, warnings, sanctions, reasons) with the largest municipality's share."""
    year = context.partition_key
    df = trends_frame(full, year, config.min_cell, survey_source.codebook(year))
    synthetic = bool(df["synthetic"].any())
    extra, text = _summary(df)
    meta = {
        **table_metadata(df, preview=False),
        **provenance(synthetic=synthetic),
        **extra,
        "trend": dg.MetadataValue.md(text or "no administrative reports or measures"),
        "suppressed_rows": int(df["suppressed"].sum()),
        "min_cell": config.min_cell,
        **trend_figure(df, year),
    }
    for tid in dict.fromkeys(df["table_id"]):
        meta[f"table {tid}"] = dg.MetadataValue.md(markdown_preview(df, tid, year))
    context.add_output_metadata(output_name="result", metadata=meta)
    return df

