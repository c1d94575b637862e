"""The delivered survey exports as an external asset: one data version per measurement year.

The data version of a year is ``survey.source.export_fingerprint``: a hash over the contents of its
export files and ``codebook.yaml`` (hidden and Excel lock files ignored). A sensor observes the folders; a new or changed export is a new data version of
``survey/exports`` for that year (reported as a runless materialisation), and the year's survey
assets follow it by their automation condition. (An external asset reported by a sensor rather than
``@observable_source_asset``: Dagster 1.13 itself raises a deprecation warning for every observable
source asset, and automation conditions do not react to observations of external asset specs.)
"""


import dagster as dg

from sekswerk_assets.constants import OWNERS
from sekswerk_assets.lib.automation import automation_default_status, report_new_data_versions
from sekswerk_assets.lib.keys import SURVEY_EXPORTS
from sekswerk_assets.partitions import measurement_year_partitions
from sekswerk_assets.survey.ingest import data_files
from sekswerk_assets.survey.source import NO_EXPORT, SurveySource, export_fingerprint


exports = dg.AssetSpec(
    key=SURVEY_EXPORTS,
    partitions_def=measurement_year_partitions,
    group_name="survey",
    kinds={"csv", "excel"},
    owners=list(OWNERS),
    description="Survey exports delivered per measurement year (observed); the data version is the hash of the files.",
)


def observations(survey_source: SurveySource, known: dict[str, str]) -> list[dg.AssetMaterialization]:
    """A runless materialisation for every year whose export files are new or changed since ``known`` (year -> version).

    Dagster's pattern for an external asset updated outside Dagster: the delivery of a new export is
    reported as the external asset's materialisation, with the files' hash as its data version.
    """
    events = []
    for year in measurement_year_partitions.get_partition_keys():
        folder = survey_source.year_dir(year)
        fingerprint = export_fingerprint(folder)
        if fingerprint != NO_EXPORT and known.get(year) != fingerprint:
            events.append(dg.AssetMaterialization(
                asset_key=SURVEY_EXPORTS, partition=year, tags={"dagster/data_version": fingerprint},
                metadata={"files": dg.MetadataValue.json([f.name for f in data_files(folder)]),
                          "fingerprint": fingerprint},
            ))
    return events


@dg.sensor(
    name="survey_exports_sensor",
    minimum_interval_seconds=120,
    default_status=automation_default_status(),
    description="Observes the survey export folders: a new or changed export is a new data version of survey/exports.",
)
def survey_exports_sensor(context: dg.SensorEvaluationContext, survey_source: SurveySource):
    return report_new_data_versions(context, lambda known: observations(survey_source, known),
                                    f"no new or changed survey exports in {survey_source.survey_dir}")
