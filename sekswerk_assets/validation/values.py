"""The coding vocabulary: one canonical text per variable value, for the extracted and the coded side alike."""

from __future__ import annotations

import math
import re

import pandas as pd

from sekswerk_assets.schemas.ads import REGIONS
from sekswerk_assets.schemas.validation import VARIABLES

NOT_STATED = "not stated"
WORK_TYPES = ("home", "escort", "massage")
GENDERS = ("female", "male")
YES_NO = ("yes", "no")
#: variables coded as one of a closed list of words
CHOICES = {"gender": GENDERS, "licensed_work": YES_NO, "origin_region": REGIONS}
#: a printable label per variable (report and messages)
LABELS = {
    "gender": "gender", "work_types": "work types", "origin_country": "origin (country)",
    "origin_region": "origin (region)", "age": "age", "price_hour": "price per hour",
    "municipality": "municipality", "licensed_work": "licensed work indicated",
}
#: variables whose values form a closed set: these get a confusion table
CATEGORICAL = ["gender", "work_types", "origin_region", "licensed_work"]
#: variables that are always decided (yes / no), never "not stated"
ALWAYS_DECIDED = ["licensed_work"]
#: what the coder may write, as shown on the sheet's "values" worksheet
ALLOWED = {
    "gender": "female | male | not stated",
    "work_types": "any of home, escort, massage separated by commas (e.g. 'home, escort') | not stated",
    "origin_country": "the country's name (Dutch or English, as on the ad) | not stated",
    "origin_region": " | ".join(REGIONS) + " | not stated",
    "age": "whole number of years (e.g. 27) | not stated",
    "price_hour": "euros for one hour (1-hour price; else half hour x2; else 2 hours /2; 'from' = lower bound) | not stated",
    "municipality": "CBS municipality code of the year's list (e.g. GM0363) | not stated",
    "licensed_work": "yes | no (the ad indicates licensed work: club, privéhuis, bureau with licence, licence number)",
}
assert list(LABELS) == VARIABLES and list(ALLOWED) == VARIABLES

_COUNTRY = re.compile(r"^[^\W\d_](?:[^\W\d_]|[' .-]){1,39}$")
_GM = re.compile(r"^GM\d{4}$")


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def extracted_values(row) -> dict[str, str]:
    """The extracted variables of one sample row (a mapping with the parsed-ads columns) as canonical text."""
    def text(v):
        return NOT_STATED if _missing(v) else str(v)

    types = [t for t in WORK_TYPES if bool(row[f"work_{t}"])] if bool(row["type_stated"]) else []
    return {
        "gender": text(row["gender"]),
        "work_types": ", ".join(types) if types else NOT_STATED,
        "origin_country": text(row["origin_country"]),
        "origin_region": text(row["origin_region"]),
        "age": NOT_STATED if _missing(row["age"]) else str(int(row["age"])),
        "price_hour": NOT_STATED if _missing(row["price_hour"]) else format_number(float(row["price_hour"])),
        "municipality": text(row["gm_code"]),
        "licensed_work": "yes" if bool(row["licensed_indicated"]) else "no",
    }


def format_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0")


class ValueProblem(ValueError):
    """A coded value outside the variable's vocabulary; ``str()`` describes the rule, never the value."""


def parse_coded(variable: str, raw) -> str | None:
    """A coded cell -> its canonical text (``None`` for an empty cell); raises :class:`ValueProblem`."""
    if _missing(raw) or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueProblem(f"expected {ALLOWED[variable]}")
    if isinstance(raw, (int, float)) and variable in ("age", "price_hour"):
        value = float(raw)
    else:
        text = " ".join(str(raw).split()).casefold()
        if text in (NOT_STATED, "not_stated", "n/a", "na", "-"):
            if variable in ALWAYS_DECIDED:
                raise ValueProblem(f"this variable is always decided: {ALLOWED[variable]}")
            return NOT_STATED
        if variable in CHOICES:
            if text not in CHOICES[variable]:
                raise ValueProblem(f"expected {ALLOWED[variable]}")
            return text
        if variable == "work_types":
            parts = [p.strip() for p in re.split(r"[,;/+]|\band\b", text) if p.strip()]
            if not parts or any(p not in WORK_TYPES for p in parts) or len(set(parts)) != len(parts):
                raise ValueProblem(f"expected {ALLOWED[variable]}")
            return ", ".join(t for t in WORK_TYPES if t in parts)
        if variable == "origin_country":
            if not _COUNTRY.match(" ".join(str(raw).split())):
                raise ValueProblem(f"expected {ALLOWED[variable]}")
            return " ".join(str(raw).split())
        if variable == "municipality":
            code = text.upper()
            if not _GM.match(code):
                raise ValueProblem(f"expected {ALLOWED[variable]}")
            return code
        try:
            value = float(text.replace(",", ".").removeprefix("€").strip())
        except ValueError:
            raise ValueProblem(f"expected {ALLOWED[variable]}") from None
    if variable == "age":
        if not value.is_integer() or not 0 < value < 130:
            raise ValueProblem(f"expected {ALLOWED[variable]}")
        return str(int(value))
    if variable == "price_hour":
        if not 0 < value < 100_000:
            raise ValueProblem(f"expected {ALLOWED[variable]}")
        return format_number(value)
    raise ValueProblem(f"expected {ALLOWED[variable]}")


def same(variable: str, extracted: str, coded: str) -> bool:
    """Whether the extracted value equals the coded one (prices within half a euro, countries case-blind)."""
    if extracted == NOT_STATED or coded == NOT_STATED:
        return extracted == coded
    if variable == "price_hour":
        return abs(float(extracted) - float(coded)) < 0.5
    if variable == "origin_country":
        return extracted.casefold() == coded.casefold()
    return extracted == coded
