"""The code location: every stage's definitions merged, with resources from the environment."""

import dagster as dg

from sekswerk_assets.collection.definitions import defs as collection_defs
from sekswerk_assets.deduplication.definitions import defs as deduplication_defs
from sekswerk_assets.extraction.definitions import defs as extraction_defs
from sekswerk_assets.jobs import defs as job_defs
from sekswerk_assets.reference.assets import defs as reference_defs
from sekswerk_assets.resources import build_resources
from sekswerk_assets.survey.definitions import defs as survey_defs
from sekswerk_assets.tables.definitions import defs as tables_defs

# the flows: reference -> collection -> extraction -> deduplication -> tables; survey -> policy -> licences -> enforcement
STAGES = [reference_defs, collection_defs, extraction_defs, deduplication_defs, tables_defs, survey_defs, job_defs]

defs = dg.Definitions.merge(*STAGES, dg.Definitions(resources=build_resources()))
