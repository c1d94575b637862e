"""Text mining of ad fields and free text (Dutch and English): rules, no models; one module per variable.

Every function takes already-decoded text (HTML entities resolved) and returns a value or
``None`` when the text states nothing. Field values (pre-filled site fields) go through the
same functions as free text; the site parsers decide which wins (field first, then text).
"""

from sekswerk_assets.extraction.textmining.age import age_from_field, age_from_text
from sekswerk_assets.extraction.textmining.gender import gender_from_field, gender_from_name, gender_from_text, transgender
from sekswerk_assets.extraction.textmining.licensed import LicensedResult, licensed_terms
from sekswerk_assets.extraction.textmining.normalise import fold, sentences
from sekswerk_assets.extraction.textmining.origin import (
    COUNTRIES, ISO2, REGIONS, country_from_field, country_from_text, iso2, region_from_text, region_of,
)
from sekswerk_assets.extraction.textmining.places import place_candidates
from sekswerk_assets.extraction.textmining.price import PRICE_SENTENCE, PriceResult, _duration, parse_prices
from sekswerk_assets.extraction.textmining.work_types import work_types_from_field, work_types_from_text

__all__ = [
    "COUNTRIES", "ISO2", "PRICE_SENTENCE", "REGIONS", "LicensedResult", "PriceResult", "_duration", "age_from_field",
    "age_from_text", "country_from_field", "country_from_text", "fold", "gender_from_field", "gender_from_name", "gender_from_text",
    "licensed_terms", "parse_prices", "place_candidates", "iso2", "region_from_text", "region_of", "sentences", "transgender",
    "work_types_from_field", "work_types_from_text",
]
