"""The yearly report asset: HTML and Markdown under <data dir>/reports/<year>/, its Markdown shown in the UI."""

import datetime as dt
import os
import tempfile
from pathlib import Path

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from sekswerk_assets.constants import DUCKDB_POOL
from sekswerk_assets.lib.automation import report_condition
from sekswerk_assets.lib.factory import typed_asset
from sekswerk_assets.lib.keys import MUNICIPALITIES, REPORT
from sekswerk_assets.lib.metadata import code_version, table_metadata
from sekswerk_assets.partitions import measurement_year_partitions
from sekswerk_assets.reference.loader import MunicipalityReference, list_year_for
from sekswerk_assets.report.content import published_list
from sekswerk_assets.report.document import build_document, index_frame
from sekswerk_assets.report.figures import Figures
from sekswerk_assets.report.inputs import ads_nature, read_inputs, sandbox_configured, survey_nature
from sekswerk_assets.report.quality import check_keys, check_results
from sekswerk_assets.report.render import to_html, to_markdown
from sekswerk_assets.report.schemas import ReportIndexModel
from sekswerk_assets.resources import DataDirResource
from sekswerk_assets.survey.source import SurveySource

REPORT_KEY = REPORT
REPORT_VERSION = "1"
AD_KEYS = [["ads", n] for n in (
    "ad_lifecycle_year", "unique_workers", "gender_table", "work_type_table", "price_table", "origin_table", "age_table",
    "municipality_table", "work_type_by_municipality", "licensed_signals", "price_trend", "wrs_indicators",
    "extraction_accuracy")]
WEEKLY_KEYS = [["ads", "parsed_ads"], ["ads", "weekly_unique_ads"]]  # fill rates and dedup counts of the year's weeks


#: the survey-side tables the report reads (yearly, same partition), and the all-years comparison
SURVEY_KEYS = [["survey", n] for n in (
    "response_overview", "tables", "policy_typology", "licence_counts", "licence_extrapolation", "enforcement_trends")]
COMPARISON_KEY = ["survey", "year_comparison"]


def report_deps() -> list[dg.AssetDep]:
    deps = [dg.AssetDep(dg.AssetKey(k)) for k in AD_KEYS + SURVEY_KEYS]
    deps += [dg.AssetDep(dg.AssetKey(k), partition_mapping=dg.AllPartitionMapping()) for k in WEEKLY_KEYS]
    deps += [dg.AssetDep(dg.AssetKey(COMPARISON_KEY)), dg.AssetDep(MUNICIPALITIES)]
    return deps


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def report_paths(root: Path, year: str) -> tuple[Path, Path]:
    folder = Path(root) / "reports" / year
    return folder / f"nulmeting_{year}.html", folder / f"nulmeting_{year}.md"


#: inputs that never trigger a new report by themselves: the weekly tables, the reference, the all-years comparison
NOT_TRIGGERS = dg.AssetSelection.assets(*WEEKLY_KEYS, COMPARISON_KEY, MUNICIPALITIES)


@typed_asset(key=REPORT_KEY, model=ReportIndexModel, partitions="yearly", group="report",
             code_version=REPORT_VERSION, kinds=("duckdb", "html"), deps=report_deps(),
             automation_condition=report_condition(NOT_TRIGGERS))
def nulmeting_report(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    data: DataDirResource,
    reference: MunicipalityReference,
    survey_source: SurveySource,
) -> pd.DataFrame:
    """Yearly report: every table and figure of chapters 2-4 beside the published 2020 values (HTML + Markdown)."""
    year = context.partition_key
    inputs = read_inputs(duckdb, year)
    ads, ads_basis = ads_nature(data.root, year, inputs, configured_sandbox=sandbox_configured())
    survey = survey_nature(inputs)
    synthetic = ads == "sandbox" or survey == "synthetic"
    try:
        municipalities = reference.municipalities(list_year_for(year))
        boundaries = reference.boundaries_path(list_year_for(year))
    except Exception as exc:  # the map is optional; everything else does not need the reference
        context.log.warning(f"No municipality reference for the map of Figure 2.11: {exc}")
        municipalities, boundaries = None, None
    quality = check_results(context.instance, check_keys(context), year)
    doc, items = build_document(
        inputs, year, ads=ads, survey=survey, figures=Figures(),
        quality=quality, municipalities=municipalities, boundaries=boundaries, code_version=code_version(),
        generated=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        questionnaire=survey_source.codebook(year).describe() if survey != "none" else None,
    )
    html_text, md_text = to_html(doc), to_markdown(doc)
    html_path, md_path = report_paths(data.root, year)
    write_atomic(html_path, html_text)
    write_atomic(md_path, md_text)
    index = index_frame(items, year, synthetic)
    listed = index[index["in_published_list"]]
    missing = listed.loc[~listed["available"], "item_id"].tolist()
    context.log.info(f"Report {year}: {len(listed)} published items, {len(missing)} without data; written to {html_path}")
    context.add_output_metadata(output_name="result", metadata={
        **table_metadata(index, preview=False),
        "report": dg.MetadataValue.md(md_text),
        "html_path": dg.MetadataValue.path(str(html_path)),
        "markdown_path": dg.MetadataValue.path(str(md_path)),
        "html_bytes": len(html_text.encode()),
        "items": len(index),
        "published_items_available": int(listed["available"].sum()),
        "published_items_missing": dg.MetadataValue.md(", ".join(missing) or "none"),
        "checks_failed": int((quality["status"] == "failed").sum()),
        "code_version": code_version(),
        "synthetic": synthetic,
        "input_ads": ads,
        "input_ads_basis": ads_basis,
        "input_survey": survey,
    })
    return index


@dg.asset_check(asset=nulmeting_report, name="report_complete", pool=DUCKDB_POOL,
                partitions_def=measurement_year_partitions,
                description="Every table and figure id of chapters 2-4 is in the report, with data.")
def report_complete(nulmeting_report: pd.DataFrame) -> dg.AssetCheckResult:
    have = dict(zip(nulmeting_report["item_id"], nulmeting_report["available"]))
    absent = [s["id"] for s in published_list() if s["id"] not in have]
    no_data = [s["id"] for s in published_list() if have.get(s["id"]) is False]
    return dg.AssetCheckResult(
        passed=not absent and not no_data,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"absent": dg.MetadataValue.md(", ".join(absent) or "none"),
                  "without_data": dg.MetadataValue.md(", ".join(no_data) or "none")},
    )


