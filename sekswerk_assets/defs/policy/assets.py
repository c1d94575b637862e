"""Policy typology per municipality (section 3.3 of the report), from the full survey and the follow-up."""

import dagster as dg
import pandas as pd

from sekswerk_assets.codebook import codebook_for_year
from sekswerk_assets.lib.automation import YEARLY_EAGER
from sekswerk_assets.lib.factory import typed_asset
from sekswerk_assets.lib.keys import survey_ins
from sekswerk_assets.lib.metadata import provenance, table_metadata
from sekswerk_assets.policy.summary import policy_by_size_figure, typology_counts
from sekswerk_assets.policy.typology import build_typology
from sekswerk_assets.schemas.survey import PolicyTypologyModel
from sekswerk_assets.lib.disclosure import DisclosureConfig
from sekswerk_assets.survey.responses import to_wide
from sekswerk_assets.survey.source import SurveySource
from sekswerk_assets.survey.tables import SIZES, apply_disclosure, markdown_preview

POLICY_COMMON = dict(partitions="yearly", group="policy", code_version="1", automation_condition=YEARLY_EAGER)


def typology_frame(full: pd.DataFrame, followup: pd.DataFrame, year: str, cb=None) -> pd.DataFrame:
    """The per-municipality typology of one measurement year from the long responses of both exports."""
    cb = cb or codebook_for_year(year)
    fw = to_wide(full, year, "full", cb)
    fu = to_wide(followup, year, "followup", cb)
    asked = cb.asked(fw, "full")["q27"] if len(fw) else pd.Series(dtype=bool)
    df = build_typology(fw, fu, asked)
    df.insert(0, "measurement_year", year)
    synthetic = bool(full["synthetic"].any()) if len(full) else False
    df["synthetic"] = synthetic
    return df


@typed_asset(key=["survey", "policy_typology"], model=PolicyTypologyModel,
             ins=survey_ins(followup=True), **POLICY_COMMON)
def policy_typology(
    context: dg.AssetExecutionContext, config: DisclosureConfig, survey_source: SurveySource, full: pd.DataFrame,
    followup: pd.DataFrame,
) -> pd.DataFrame:
    """Per municipality: policy status, q9 types, regime per type of sex work and a typology (warehouse only)."""
    year = context.partition_key
    cb = survey_source.codebook(year)
    df = typology_frame(full, followup, year, cb)
    counts = apply_disclosure(typology_counts(df, cb), year, config.min_cell)
    synthetic = bool(df["synthetic"].any()) if len(df) else False
    n_yes = int((df["has_policy"] == "yes").sum())
    meta = {
        **table_metadata(df, preview=False),
        **provenance(synthetic=synthetic),
        "municipalities": len(df),
        **{f"municipalities/{s}": int((df["size_class"] == s).sum()) for s in SIZES},
        "with_policy": n_yes,
        "with_policy_percent": round(100 * n_yes / len(df), 1) if len(df) else None,
        "suppressed_cells": int(counts["suppressed"].sum()),
        "min_cell": config.min_cell,
        **policy_by_size_figure(counts),
    }
    for tid in dict.fromkeys(counts["table_id"]):
        meta[f"counts {tid}"] = dg.MetadataValue.md(markdown_preview(counts, tid))
    context.add_output_metadata(output_name="result", metadata=meta)
    return df
