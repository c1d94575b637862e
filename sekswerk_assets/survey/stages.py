"""The later survey stages collected for ``definitions.py``."""

from sekswerk_assets.enforcement.assets import enforcement_trends
from sekswerk_assets.licences.assets import licence_counts, licence_extrapolation
from sekswerk_assets.policy.assets import policy_typology
from sekswerk_assets.schemas.survey import (
    EnforcementTrendsModel,
    LicenceCountsModel,
    LicenceExtrapolationModel,
    PolicyTypologyModel,
    YearComparisonModel,
)
from sekswerk_assets.survey.comparison import year_comparison

STAGE_ASSETS = [policy_typology, licence_counts, licence_extrapolation, enforcement_trends]
UNPARTITIONED: list = [year_comparison]
STAGE_MODELS = {
    policy_typology: PolicyTypologyModel,
    licence_counts: LicenceCountsModel,
    licence_extrapolation: LicenceExtrapolationModel,
    enforcement_trends: EnforcementTrendsModel,
    year_comparison: YearComparisonModel,
}
