"""The code location: every stage's definitions merged, with resources from the environment."""

import importlib

import dagster as dg

from sekswerk_assets.resources import build_resources

# the flows: reference -> collection -> extraction -> deduplication -> tables;
#            survey -> policy -> licences -> enforcement; then the report
STAGES = [
    "sekswerk_assets.reference.assets",
    "sekswerk_assets.collection.definitions",
    "sekswerk_assets.extraction.definitions",
    "sekswerk_assets.deduplication.definitions",
    "sekswerk_assets.tables.definitions",
    "sekswerk_assets.survey.definitions",
    "sekswerk_assets.report.definitions",
    "sekswerk_assets.jobs",
    "sekswerk_assets.ops",  # dead_run_sensor: recovers runs whose process was killed
]


def _stage(module: str) -> dg.Definitions:
    # imported as modules, so only one Definitions object lives at this module's scope
    return importlib.import_module(module).defs


defs = dg.Definitions.merge(*(_stage(m) for m in STAGES), dg.Definitions(resources=build_resources()))
