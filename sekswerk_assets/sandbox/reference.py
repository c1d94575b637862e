"""Municipality reference data (CBS 2021), read at run time from SEKSWERK_REFERENCE_DIR.

The files ship with the package in ``sekswerk_assets/reference/data`` (CBS open data, CC BY 4.0; see the
PROVENANCE.md there); SEKSWERK_REFERENCE_DIR points elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class MunicipalityReference:
    """The 2021 municipalities with their places and the names of merged former municipalities."""

    gemeenten: pd.DataFrame            # gm_code, name, population, ... (352 rows)
    places: dict[str, list[str]]       # gm_code -> woonplaats names (main place first)
    former_names: dict[str, list[str]]  # gm_code (2021) -> names of municipalities merged into it


def load_reference(directory: Path) -> MunicipalityReference:
    """Read gemeenten_2021.csv, woonplaatsen_2021.csv and herindelingen_2019_2026.csv."""
    if not (directory / "gemeenten_2021.csv").exists():
        raise FileNotFoundError(
            f"municipality reference data not found in {directory}; "
            "unset SEKSWERK_REFERENCE_DIR to use the packaged data, or point it at a folder with gemeenten_2021.csv"
        )
    try:
        return _load(directory)
    except OSError as exc:  # unreadable (permissions, a broken mount): name the file, not a traceback
        raise FileNotFoundError(
            f"municipality reference data unreadable: {getattr(exc, 'filename', None) or directory} "
            f"({type(exc).__name__}); unset SEKSWERK_REFERENCE_DIR to use the packaged data, or fix the folder"
        ) from exc


def _load(directory: Path) -> MunicipalityReference:
    gem = pd.read_csv(directory / "gemeenten_2021.csv", dtype={"gm_code": str})
    gem = gem.sort_values("gm_code").reset_index(drop=True)
    wp = pd.read_csv(directory / "woonplaatsen_2021.csv", dtype=str, keep_default_na=False)
    names = dict(zip(gem["gm_code"], gem["name"]))
    # place names that are unambiguous: in one municipality only, and not another municipality's name
    owners = wp.groupby("woonplaats")["gm_code"].nunique()
    unique_names = set(owners[owners == 1].index)
    name_to_code = {n: c for c, n in names.items()}
    places: dict[str, list[str]] = {code: [] for code in gem["gm_code"]}
    for code, group in wp.sort_values("wp_code").groupby("gm_code", sort=True):
        if code not in places:
            continue
        plist = [
            p for p in dict.fromkeys(group["woonplaats"].tolist())
            if p in unique_names and name_to_code.get(p, code) == code
        ]
        main = names[code]
        plist.sort(key=lambda p: (p != main, p))
        places[code] = plist
    all_owners: dict[str, set[str]] = wp.groupby("woonplaats")["gm_code"].agg(set).to_dict()
    her = pd.read_csv(directory / "herindelingen_2019_2026.csv", dtype=str)
    her = her[her["first_cbs_year"].astype(int) <= 2021]
    former: dict[str, list[str]] = {}
    for row in her.itertuples(index=False):
        old, new = row.old_gm_name, row.new_gm_code
        if new not in places or old in name_to_code:
            continue
        # skip names that are also a place elsewhere (e.g. Haren in Oss) or a split's other half
        owners_of_name = all_owners.get(old, set())
        if owners_of_name and owners_of_name != {new}:
            continue
        if old not in former.get(new, []):
            former.setdefault(new, []).append(old)
    return MunicipalityReference(gemeenten=gem, places=places, former_names=former)
