"""The code location: every stage's definitions merged, with resources from the environment."""

import dagster as dg

from sekswerk_assets.collection.definitions import defs as collection_defs
from sekswerk_assets.jobs import defs as job_defs
from sekswerk_assets.reference.assets import defs as reference_defs
from sekswerk_assets.resources import build_resources

STAGES = [reference_defs, collection_defs, job_defs]

defs = dg.Definitions.merge(*STAGES, dg.Definitions(resources=build_resources()))
