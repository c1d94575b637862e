"""Schema of ads.parsed_ads: one pseudonymised row per ad observation per site per week."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from sekswerk_assets.schemas.ads import SITES, AdCharacteristics

MATCH_METHODS = ["exact", "alias", "place", "merged", "fuzzy", "none"]
PSEUDONYM = r"^[0-9a-f]{32}$"
LICENSED_TERMS = r"^((club|privehuis|bureau|kvk)(,(privehuis|bureau|kvk))*)?$"


class ParsedAdsModel(AdCharacteristics):
    """Extracted variables per ad page; identifiers only as keyed pseudonyms, no clear text.

    The characteristics come from :class:`AdCharacteristics`; only tighter checks are restated here.
    """

    measurement_week: Series[str] = pa.Field(
        str_matches=r"^\d{4}-\d{2}-\d{2}$", description="weekly measurement: the Tuesday of the week (ISO date)"
    )
    measurement_year: Series[str] = pa.Field(
        str_matches=r"^\d{4}$", description="measurement year: August to August, named after its first August"
    )
    site: Series[str] = pa.Field(isin=SITES, description="ad site: kinky, sexjobs or topescortbabes")
    ad_pseudo: Series[str] = pa.Field(str_matches=PSEUDONYM, description="keyed pseudonym of the site's ad code")
    url_pseudo: Series[str] = pa.Field(str_matches=PSEUDONYM, description="keyed pseudonym of the ad page URL")
    phone_pseudo: Series[str] = pa.Field(
        nullable=True, str_matches=PSEUDONYM, description="keyed pseudonym of the phone number"
    )
    name_pseudo: Series[str] = pa.Field(
        nullable=True, str_matches=PSEUDONYM, description="keyed pseudonym of the advertiser's name"
    )
    name_bloom: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, description="keyed 64-bit Bloom filter of the name's character bigrams (name similarity, no name)"
    )
    text_hash: Series[str] = pa.Field(
        nullable=True, str_matches=PSEUDONYM, description="keyed hash of the normalised ad text (detects identical texts)"
    )
    text_simhash: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, description="64-bit simhash of the ad text (detects near-identical texts)"
    )
    age: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, le=130, description="stated age in years (null: not stated)"
    )
    age_under_18: Series[bool] = pa.Field(description="a stated age below 18 (flagged, never published per ad)")
    price_hour: Series[float] = pa.Field(
        nullable=True, gt=0, description="price per hour, EUR (1-hour price; else half hour x2; else 2 hours /2)"
    )
    price_home: Series[float] = pa.Field(
        nullable=True, gt=0, description="price per hour for receiving at home (incall), EUR"
    )
    price_escort: Series[float] = pa.Field(nullable=True, gt=0, description="price per hour for escort (outcall), EUR")
    municipality_match: Series[str] = pa.Field(
        isin=MATCH_METHODS, description="how the place was matched to a municipality: exact, alias, place, merged, fuzzy or none"
    )
    licensed_terms: Series[str] = pa.Field(
        str_matches=LICENSED_TERMS, description="licensed-work search terms found (comma-separated: club, privehuis, bureau, kvk)"
    )
    parse_ok: Series[bool] = pa.Field(description="the ad page was parsed")
    parse_error: Series[str] = pa.Field(
        nullable=True, description="why the page could not be parsed (a fixed reason, never page content)"
    )

    class Config:
        strict = True
        coerce = True
        unique = ["measurement_week", "site", "ad_pseudo"]

    @pa.dataframe_check(description="one week per partition")
    def single_week(cls, df: pd.DataFrame) -> bool:
        return df["measurement_week"].nunique() <= 1

    @pa.dataframe_check(description="types only when stated; a country always has its region (a region may be stated alone, 'Oost-Europese'); municipality method agrees")
    def consistent(cls, df: pd.DataFrame) -> Series[bool]:
        types = df["work_home"] | df["work_escort"] | df["work_massage"]
        ok = types == df["type_stated"]
        ok &= df["origin_country"].isna() | df["origin_region"].notna()
        ok &= df["gm_code"].isna() == (df["municipality_match"] == "none")
        ok &= df["parse_ok"] | df["parse_error"].notna()
        ok &= df["age_under_18"] == (df["age"].fillna(99) < 18)
        return ok
