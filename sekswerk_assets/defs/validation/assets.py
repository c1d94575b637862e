"""The yearly validation loop: a stratified sample of unique ads, its coding sheet, and the measured accuracy."""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from sekswerk_assets.lib.automation import YEARLY_EAGER
from sekswerk_assets.lib.factory import typed_asset
from sekswerk_assets.lib.keys import CODED_SHEET, EXTRACTION_ACCURACY, VALIDATION_SAMPLE, WEEKLY_UNIQUE_ADS
from sekswerk_assets.lib.metadata import table_metadata
from sekswerk_assets.lib.provenance import data_provenance
from sekswerk_assets.lib.pseudonym import PseudonymResource
from sekswerk_assets.lib.snapshots import SnapshotStore
from sekswerk_assets.lib.warehouse import read_sql
from sekswerk_assets.lib.years import YEARLY_DEPS, read_year_rows
from sekswerk_assets.partitions import weeks_of_year
from sekswerk_assets.reference.loader import MunicipalityReference, list_year_for
from sekswerk_assets.resources import DataDirResource
from sekswerk_assets.schemas.validation import ExtractionAccuracyModel, ValidationSampleModel
from sekswerk_assets.validation.accuracy import ACCURACY_VERSION, COLUMNS, accuracy_table, summary_lines
from sekswerk_assets.validation.sample import FRAME_COLUMNS, SAMPLE_VERSION, draw_sample, sampling_frame, seed_of
from sekswerk_assets.validation.sheet import CODED, CODING, CodedSheetError, build_workbook, coding_ids, \
    parse_coded_sheet, read_sealed, sheet_path, write_sealed
from sekswerk_assets.validation.texts import available, sheet_rows

SAMPLE_COLUMNS = list(ValidationSampleModel.to_schema().columns)


class SampleConfig(dg.Config):
    """Size and seed of the year's validation sample."""

    size: int = 400
    seed_offset: int = 0  # the seed is the measurement year plus this offset (a fresh draw: another offset)
    min_per_stratum: int = 2


@typed_asset(
    key=VALIDATION_SAMPLE,
    model=ValidationSampleModel,
    partitions="yearly",
    group="validation",
    code_version=SAMPLE_VERSION,
    kinds=("pandas", "duckdb", "excel"),
    deps=YEARLY_DEPS,
    tags={"personal_data": "pseudonymised"},
)
def validation_sample(context: dg.AssetExecutionContext, config: SampleConfig, duckdb: DuckDBResource,
                      data: DataDirResource, pseudonyms: PseudonymResource, reference: MunicipalityReference):
    """Stratified random sample of the year's unique ads (site x stated/not stated), with its encrypted coding sheet."""
    year = context.partition_key
    rows = read_year_rows(duckdb, year, FRAME_COLUMNS)
    if rows.empty:
        raise dg.Failure(f"No weekly unique ads stored for measurement year {year}: materialise its weeks first.")
    store = SnapshotStore(data.root, data.cipher())
    frame = sampling_frame(rows)
    # the coder needs the page: each unique ad is represented by its first observation whose snapshot is kept
    kept = available(rows, store)
    kept_rows = rows[kept]
    if kept_rows.empty:
        context.log.warning(f"{year}: no raw snapshot of the year is kept, so no ad page can be coded: "
                            "the validation sample is empty (draw it before retention removes the weeks)")
        return dg.Output(pd.DataFrame(columns=SAMPLE_COLUMNS), metadata={
            "frame_unique_ads": len(frame), "frame_without_snapshot": len(frame), "sample_size": 0,
            "status": "no raw snapshots kept"})
    kept_frame = frame if bool(kept.all()) else sampling_frame(kept_rows)  # every week kept: the same frame
    sample = draw_sample(kept_frame, year, config.size, seed_of(year, config.seed_offset), config.min_per_stratum)
    sample = ValidationSampleModel.validate(sample[SAMPLE_COLUMNS])
    sheet, unread = sheet_rows(sample, store, pseudonyms)
    if unread:
        raise dg.Failure(f"{unread} sampled ad page(s) of {year} could not be read from the raw snapshots; "
                         "nothing was written.")
    try:
        municipalities = reference.municipalities(list_year_for(year))[["gm_code", "name"]]
    except Exception:  # the list is a convenience for the coder
        municipalities = None
    path = write_sealed(data.root, data.cipher(), year, CODING, build_workbook(sheet, municipalities))
    context.log.info(f"{year}: validation sample of {len(sample)} of {len(frame)} unique ads in "
                     f"{sample['stratum'].nunique()} strata; coding sheet written (encrypted)")
    strata = sample.groupby("stratum").agg(size=("stratum_size", "first"), sampled=("sample_id", "size")).reset_index()
    return dg.Output(sample, metadata={
        **table_metadata(sample, preview=False),
        "frame_unique_ads": len(frame),
        "frame_without_snapshot": len(frame) - len(kept_frame),
        "status": "drawn",
        "sample_size": len(sample),
        "strata": dg.MetadataValue.md(strata.to_markdown(index=False)),
        **{f"sample/{s}": int((sample["site"] == s).sum()) for s in sorted(sample["site"].unique())},
        "seed": seed_of(year, config.seed_offset),
        "coding_sheet": dg.MetadataValue.path(str(path)),
        **data_provenance(store, weeks_of_year(year), sample_version=SAMPLE_VERSION),
    })


@typed_asset(
    key=EXTRACTION_ACCURACY,
    model=ExtractionAccuracyModel,
    partitions="yearly",
    group="validation",
    code_version=ACCURACY_VERSION,
    kinds=("pandas", "duckdb"),
    deps=[VALIDATION_SAMPLE, CODED_SHEET, *YEARLY_DEPS],
    # follows a new coded sheet (or sample) of the year; the weekly unique ads (observed shares) never hold it back
    automation_condition=YEARLY_EAGER.ignore(dg.AssetSelection.assets(WEEKLY_UNIQUE_ADS)),
)
def extraction_accuracy(context: dg.AssetExecutionContext, duckdb: DuckDBResource, data: DataDirResource):
    """Extraction accuracy per variable on the coded sample: Wilson 95% intervals, false extractions, confusion."""
    year = context.partition_key
    sample = read_sql(duckdb, "select * from ads.validation_sample where measurement_year = ? order by sample_id",
                      [year])
    cipher = data.cipher()
    if sample.empty or not sheet_path(data.root, year, CODED).is_file():
        status = "no validation sample" if sample.empty else "no coded sheet yet"
        context.log.info(f"{year}: {status}; the accuracy table is empty")
        return dg.Output(pd.DataFrame(columns=COLUMNS), metadata={"coded_ads": 0, "status": status})
    name = f"coded sheet {year}"
    try:
        expected = coding_ids(read_sealed(data.root, cipher, year, CODING), f"coding sheet {year}")
        if set(expected["sample_id"]) != set(sample["sample_id"]):
            raise dg.Failure(f"The coding sheet of {year} does not hold the current sample: re-materialise "
                             "ads/validation_sample.")
        coded = parse_coded_sheet(read_sealed(data.root, cipher, year, CODED), name, expected)
    except CodedSheetError as exc:
        raise dg.Failure(str(exc)) from None
    if coded.empty:
        raise dg.Failure(f"{name}: no row is coded.")
    rows = read_year_rows(duckdb, year, FRAME_COLUMNS)
    table = accuracy_table(year, sample, coded, sampling_frame(rows) if len(rows) else None)
    lines = summary_lines(table)
    context.log.info(f"{year}: {len(coded)} coded ads; " + "; ".join(lines[:2]))
    acc = table[table["measure"].isin(["accuracy", "false_extraction", "corrected_share"])]
    confusion = table[table["measure"] == "confusion"]
    return dg.Output(table, metadata={
        **table_metadata(table, preview=False),
        "coded_ads": len(coded),
        "status": "coded",
        "accuracy": dg.MetadataValue.md("\n".join(f"- {line}" for line in lines)),
        "accuracy_table": dg.MetadataValue.md(acc.drop(columns=["measurement_year", "truth", "extracted"])
                                              .round(4).to_markdown(index=False)),
        "confusion": dg.MetadataValue.md(confusion[["variable", "truth", "extracted", "k", "n"]]
                                         .to_markdown(index=False)),
        **{f"accuracy/{r.variable}": round(float(r.estimate), 4) for r in
           table[(table["measure"] == "accuracy") & table["estimate"].notna()].itertuples()},
    })
