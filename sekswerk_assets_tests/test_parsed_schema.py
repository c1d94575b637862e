"""The parsed-ads contract accepts what the extractor may legitimately say, and refuses what it may not."""

from __future__ import annotations

import pandera.errors
import pytest

from sekswerk_assets.extraction.parse import _empty_row, to_frame
from sekswerk_assets.schemas.ads_parsed import ParsedAdsModel


def _frame(**values):
    row = _empty_row("2020-09-01", "kinky")
    row.update(ad_pseudo="a" * 32, url_pseudo="b" * 32, parse_ok=True, **values)
    return to_frame([row])


def test_a_region_stated_without_a_country_is_valid():
    """'Oost-Europese dame': the region is known, the country is not (found at scale 1, week 2020-09-01)."""
    ParsedAdsModel.validate(_frame(origin_region="eastern_europe"), lazy=True)


def test_a_country_without_its_region_is_refused():
    with pytest.raises(pandera.errors.SchemaErrors):
        ParsedAdsModel.validate(_frame(origin_country="PL"), lazy=True)
