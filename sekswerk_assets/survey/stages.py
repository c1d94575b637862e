"""The later survey stages collected for ``definitions.py``."""

from sekswerk_assets.licences.assets import licence_counts, licence_extrapolation
from sekswerk_assets.schemas.survey import LicenceCountsModel, LicenceExtrapolationModel

STAGE_ASSETS = [licence_counts, licence_extrapolation]
STAGE_MODELS = {licence_counts: LicenceCountsModel, licence_extrapolation: LicenceExtrapolationModel}
UNPARTITIONED: list = []
