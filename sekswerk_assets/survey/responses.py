"""Survey responses in long form (warehouse) and back as one row per municipality (per export)."""

import dagster as dg
import pandas as pd

from sekswerk_assets.codebook import codebook_for_year
from sekswerk_assets.reference.loader import MunicipalityReference, list_year_for
from sekswerk_assets.survey.source import FINGERPRINT_TAG, SurveySource, SurveyYear


def reported_fingerprint(context, year: str) -> str | None:
    """The data version last reported for the year's exports (``survey/exports``): the files the run is for."""
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(["survey", "exports"]), asset_partitions=[year]), limit=1
    ).records
    if not records:
        return None
    return records[0].asset_materialization.tags.get("dagster/data_version")


def load_year(context, survey_source: SurveySource, reference: MunicipalityReference) -> tuple[SurveyYear, pd.DataFrame]:
    year = context.partition_key
    list_year = list_year_for(year)
    munis = reference.municipalities(list_year)
    try:
        mergers = reference.mergers()
    except FileNotFoundError:
        mergers = None
    expected = context.run.tags.get(FINGERPRINT_TAG) or reported_fingerprint(context, year)
    return survey_source.load(year, munis, list_year, mergers, expected_fingerprint=expected), munis


def to_long(parsed, munis: pd.DataFrame, year: str, export: str, synthetic: bool) -> pd.DataFrame:
    """Answers in long form joined to the municipality reference (empty cells are not stored)."""
    data = parsed.data.drop(columns=["file_row"])
    long = data.melt(id_vars=["gm_code"], var_name="variable", value_name="value").dropna(subset=["value"])
    long["value"] = long["value"].astype(str)
    q1 = pd.DataFrame({"gm_code": data["gm_code"], "variable": "q1"})
    ref = munis.set_index("gm_code")
    q1["value"] = q1["gm_code"].map(ref["name"])
    long = pd.concat([q1, long], ignore_index=True)
    long["municipality"] = long["gm_code"].map(ref["name"])
    long["size_class"] = long["gm_code"].map(ref["size_class"])
    long["population"] = long["gm_code"].map(ref["population"]).astype("int64")
    long["export"] = export
    long["synthetic"] = synthetic
    long.insert(0, "measurement_year", year)
    return long[["measurement_year", "gm_code", "municipality", "size_class", "population", "export", "variable",
                 "value", "synthetic"]].reset_index(drop=True)


def to_wide(long: pd.DataFrame, year: str, export: str, cb=None) -> pd.DataFrame:
    """The long responses of one export back as one row per municipality with codebook-typed columns."""
    cb = cb or codebook_for_year(year)
    cols = cb.columns(export)
    part = long[long["export"] == export]
    if part.empty:
        return pd.DataFrame(columns=["gm_code", "size_class", "population"] + [c.name for c in cols if c.name != "q1"])
    wide = part.pivot_table(index="gm_code", columns="variable", values="value", aggfunc="first")
    meta = part.groupby("gm_code")[["size_class", "population"]].first()
    wide = meta.join(wide).reset_index()
    for c in cols:
        if c.name == "q1" or c.personal:
            continue
        if c.name not in wide:
            wide[c.name] = pd.NA
        if c.kind in ("choice", "flag", "count"):
            wide[c.name] = pd.to_numeric(wide[c.name]).astype("Int64")
        else:
            wide[c.name] = wide[c.name].astype(object)
    return wide
