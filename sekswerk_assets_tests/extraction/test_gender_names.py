"""Gender from the advertiser's first name: Faker's (MIT) per-locale first-name lists, not a GPL dictionary."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from sekswerk_assets.extraction.cli import matcher_for
from sekswerk_assets.extraction.predict import predict_record
from sekswerk_assets.extraction.textmining import fold
from sekswerk_assets.extraction.textmining.gender import gender_from_name, name_genders

PACKAGE = Path(__file__).resolve().parents[2] / "sekswerk_assets"


@pytest.fixture(scope="module")
def matcher():
    return matcher_for(2020, os.environ["SEKSWERK_REFERENCE_DIR"])


def test_table_is_built_once_folded_and_unambiguous():
    table = name_genders()
    assert table is name_genders()  # cached
    assert len(table) > 4000 and set(table.values()) == {"female", "male"}
    assert all(k == fold(k) and k.isalpha() for k in table)  # lower case, accents folded
    # in both lists of one locale, or female in one locale and male in another: not stated
    for name in ("robin", "sam", "kim", "maria", "andrea", "jean", "luca"):
        assert name not in table, name
    assert (table["lotte"], table["sanne"], table["daan"], table["jan"]) == ("female", "female", "male", "male")
    assert table["chloe"] == table["zoe"] == "female"  # "Chloé", "Zoë"
    assert table["oksana"] == table["irina"] == "female"  # ru_RU / uk_UA through Faker's transliteration


def test_name_rule_and_its_guards(matcher):
    assert gender_from_name("Hoi, ik ben Chloé (23), incall Leiden.") == "female"
    assert gender_from_name("Ik ben Robin, 29. Half uur 75.") is None
    assert gender_from_name("Escort Breda 190/u") == "female"  # "Breda" is also a first name ...
    assert gender_from_name("Escort Breda 190/u", not_a_name=lambda w: w == "Breda") is None

    def gender(text: str):
        return predict_record({"id": 1, "text": text}, matcher)["gender"]

    assert gender("Escort Breda, 200 per uur.") is None  # ... but a place name is never read as one
    assert gender("Hoi, ik ben Daan (25), ontvangst in Utrecht.") == "man"
    assert gender("Ik ben Daan, een lieve meid van 25. Ik ontvang in Utrecht.") == "woman"  # person word first


def test_no_gpl_name_dictionary():
    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *(d for ds in project.get("optional-dependencies", {}).values() for d in ds)]
    assert not [d for d in declared if d.lower().replace("_", "-").startswith("gender-guesser")]
    hits = [p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py") if "gender_guesser" in p.read_text(encoding="utf-8")]
    assert not hits
