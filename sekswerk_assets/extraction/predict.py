"""The stable extraction interface: one JSON record per ad in, one record of extracted variables out.

Input record: ``{"id", "text"}``, optionally ``"site"`` and ``"fields"`` (form fields as label -> value,
e.g. ``{"Leeftijd": "31", "Plaats": "Den Bosch"}``). Output record (null = not stated)::

    {"id", "age", "price_per_hour_eur", "work_types", "origin_country", "origin_region", "gender",
     "municipality", "gm_code", "licensed_terms_found", "licensed_work"}

Used by ``python -m sekswerk_assets.extraction predict`` and by the yearly validation loop.
"""

from __future__ import annotations

import re

from sekswerk_assets.extraction import textmining as tm
from sekswerk_assets.extraction.municipality import MunicipalityMatcher
from sekswerk_assets.extraction.parse import extract
from sekswerk_assets.extraction.sites import RawAd

OUTPUT_FIELDS = ("id", "age", "price_per_hour_eur", "work_types", "origin_country", "origin_region", "gender",
                 "municipality", "gm_code", "licensed_terms_found", "licensed_work")
REGION_NAMES = {"netherlands": "NL", "eastern_europe": "Eastern Europe", "rest_of_europe": "Rest of Europe",
                "south_america": "South America", "other": "Other"}
GENDERS = ("woman", "man", "transgender")
WORK_TYPES = ("escort", "home", "massage")
TERMS = ("club", "privéhuis", "bureau", "kvk", "vergunning")
_TERM_OUT = {"privehuis": "privéhuis"}

# form-field labels (folded) -> the extractor's field keys
_FIELD_LABELS = {
    "gender": ("geslacht", "gender", "sex", "sekse"),
    "age": ("leeftijd", "age", "lft", "lftd"),
    "origin": ("afkomst", "nationaliteit", "nationality", "origin", "herkomst", "etniciteit", "ethnicity", "afkomstig uit"),
    "place": ("plaats", "woonplaats", "stad", "city", "location", "locatie", "gemeente", "werkplaats", "town"),
    "type": ("type", "diensten", "services", "werkzaamheden", "soort", "service", "work"),
    "price": ("tarief", "prijs", "price", "rate", "rates", "uurtarief", "kosten", "tarieven", "prijzen", "hourly rate"),
}
_LABEL_TO_KEY = {lab: key for key, labs in _FIELD_LABELS.items() for lab in labs}


class InputError(ValueError):
    """A bad input record; the message names the line and the key, never the ad text."""


def raw_ad(record: dict) -> RawAd:
    """An input record -> the parser's ``RawAd`` (form fields mapped by label; unknown labels join the text)."""
    text = record.get("text") or ""
    fields: dict[str, str] = {}
    extra: list[str] = []
    for label, value in (record.get("fields") or {}).items():
        if value is None:
            continue
        key = _LABEL_TO_KEY.get(re.sub(r"[\s:]+$", "", tm.fold(str(label))).strip())
        if key and key not in fields:
            fields[key] = str(value)
        else:  # "Escort: nee", "Lengte: 170": read as a form line of the text
            extra.append(f"{label}: {value}")
    if extra:
        text = text + "\n" + "\n".join(extra)
    return RawAd(fields=fields, text=text)


def predict_record(record: dict, matcher: MunicipalityMatcher) -> dict:
    """Extract the variables of one input record (``extract`` on its text and form fields)."""
    out = extract(record.get("site") or "", raw_ad(record), matcher)
    types = sorted(t for t, on in (("escort", out["work_escort"]), ("home", out["work_home"]),
                                   ("massage", out["work_massage"])) if on) if out["type_stated"] else None
    gender = "transgender" if out["transgender"] else {"female": "woman", "male": "man"}.get(out["gender"])
    country = out["origin_country"]
    code = out["gm_code"]
    terms = [_TERM_OUT.get(t, t) for t in out["licensed_terms"].split(",") if t]
    if out.get("vergunning_term"):
        terms.append("vergunning")
    return {
        "id": record.get("id"),
        "age": int(out["age"]) if out["age"] is not None else None,
        "price_per_hour_eur": round(float(out["price_hour"]), 2) if out["price_hour"] is not None else None,
        "work_types": types or None,
        "origin_country": tm.iso2(country) if country else None,
        "origin_region": REGION_NAMES.get(out["origin_region"]) if out["origin_region"] else None,
        "gender": gender,
        "municipality": matcher.names.get(code) if code else None,
        "gm_code": code,
        "licensed_terms_found": [t for t in TERMS if t in terms],
        "licensed_work": (bool(out["licensed_indicated"]) if terms else None),
    }
