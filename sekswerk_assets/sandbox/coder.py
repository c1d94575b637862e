"""A simulated coder: fills a validation coding sheet from the sandbox ground truth (what a perfect coder writes).

Used by ``python -m sekswerk_assets.validation simulate-coder`` so that the validation loop runs end to end
on the sandbox (tests, ``make demo``). Lives in the sandbox package: the validation code never imports the
ground truth, only that one CLI command does.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from sekswerk_assets.schemas.validation import VARIABLES
from sekswerk_assets.validation.sheet import WORKSHEET
from sekswerk_assets.validation.values import NOT_STATED, WORK_TYPES, format_number

from .config import load_config
from .population import Population, simulate

REGION = {"nederland": "netherlands", "zuid_amerika": "south_america", "overig": "other"}
GENDER = {"vrouw": "female", "man": "male"}


def truth_values(pop: Population) -> dict[tuple[str, str], dict[str, str]]:
    """Canonical coded values of every sandbox ad, keyed by (site, ad code)."""
    out = {}
    for a in pop.ads.to_dict("records"):
        region = (("eastern_europe" if a["origin_eastern_europe"] else "rest_of_europe")
                  if a["origin_region"] == "europa" else REGION.get(a["origin_region"], "other"))
        types = [t for t in WORK_TYPES if a[f"work_{t}"]]
        out[(str(a["site"]), str(a["ad_code"]))] = {
            "gender": GENDER.get(a["gender"], NOT_STATED),
            "work_types": ", ".join(types) if a["type_stated"] and types else NOT_STATED,
            "origin_country": a["origin_country"] if a["origin_stated"] else NOT_STATED,
            "origin_region": region if a["origin_stated"] else NOT_STATED,
            "age": str(int(a["age"])) if a["age_stated"] else NOT_STATED,
            "price_hour": format_number(float(a["price_hour"])) if a["price_stated"] and pd.notna(a["price_hour"])
            else NOT_STATED,
            "municipality": a["gm_code"] if a["municipality_stated"] else NOT_STATED,
            "licensed_work": "yes" if a["licensed_work"] else "no",
        }
    return out


def fill_sheet(xlsx: bytes, truth: dict[tuple[str, str], dict[str, str]]) -> bytes:
    """The coding workbook with every coded_* cell filled from ``truth`` (rows of unknown ads left empty)."""
    wb = load_workbook(io.BytesIO(xlsx))
    ws = wb[WORKSHEET]
    header = {str(c.value): c.column for c in ws[1] if c.value is not None}
    for r in range(2, ws.max_row + 1):
        site = ws.cell(row=r, column=header["site"]).value
        code = ws.cell(row=r, column=header["ad_code"]).value
        values = truth.get((str(site), str(code)))
        if values is None:
            continue
        for v in VARIABLES:
            ws.cell(row=r, column=header[f"coded_{v}"]).value = values[v]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def simulate_coder(xlsx: bytes, year: int, scale: float, config: str | None = None) -> bytes:
    """Code a sheet of measurement year ``year`` from the sandbox of that year at ``scale``."""
    pop = simulate(load_config(config, scale=scale).for_year(year))
    return fill_sheet(xlsx, truth_values(pop))
