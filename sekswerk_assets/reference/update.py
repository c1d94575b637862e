"""Fetch the CBS reference of a newer year (``python -m sekswerk_assets.reference update --year Y``).

``Y`` is the year of the 1 January list (measurement year ``Y-1`` uses it). Four sources, all CBS open data
(CC BY 4.0, "Bron: CBS"):

* municipalities and population on 1 January Y: StatLine table 03759ned through ``cbsodata``;
* place names (woonplaatsen) and their municipality: the CBS table "Woonplaatsen in Nederland Y" through ``cbsodata``
  (its id is looked up in the CBS catalogue unless known or given);
* mergers of Y: derived, as for the packaged file, by comparing each woonplaatscode's municipality with the list of
  the year before (a municipality that disappears went where its places went);
* generalised boundaries: PDOK's CBS area layer ``gemeente_gegeneraliseerd`` of year Y (WFS, GeoJSON, WGS84).

Everything is fetched and checked first; only then are the four files written to the cache folder
(``$SEKSWERK_DATA_DIR/reference``), each through a temporary file, so a failed update leaves nothing behind.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sekswerk_assets.reference import loader

log = logging.getLogger(__name__)

POPULATION_TABLE = "03759ned"
POPULATION_COLUMN = "BevolkingOp1Januari_1"
# all sexes, all ages, all marital statuses (the totals of the other dimensions of 03759ned)
POPULATION_FILTER = "Geslacht eq 'T001038' and Leeftijd eq '10000' and BurgerlijkeStaat eq 'T001019'"
PLACES_TITLE = "Woonplaatsen in Nederland"
KNOWN_PLACES_TABLES = {2020: "84734NED", 2021: "85210NED", 2024: "85877NED", 2026: "86312NED"}
PDOK_WFS = "https://service.pdok.nl/cbs/gebiedsindelingen/{year}/wfs/v1_0"
PDOK_LAYER = "gebiedsindelingen:gemeente_gegeneraliseerd"
MERGER_COLUMNS = [
    "effective_date", "first_cbs_year", "old_gm_code", "old_gm_name", "new_gm_code", "new_gm_name",
    "change_type", "n_woonplaatsen", "woonplaatsen", "evidence",
]


class UpdateFailed(RuntimeError):
    """A source could not be fetched or did not pass the checks; nothing was written."""


def http_get_json(url: str, params: dict) -> dict:
    """GET a JSON document (the one network call besides ``cbsodata``; tests replace it)."""
    import requests

    response = requests.get(url, params=params, timeout=120)
    response.raise_for_status()
    return response.json()


def _code(value, prefix: str) -> str:
    """CBS codes come as ``GM0014``, ``GM0014  `` or ``0014``: always return ``GM0014``."""
    text = str(value).strip()
    if text.upper().startswith(prefix):
        text = text[len(prefix):]
    return f"{prefix}{int(text):04d}"


def fetch_municipalities(year: int) -> pd.DataFrame:
    """Population on 1 January ``year`` per municipality (03759ned), checked against the national total."""
    import cbsodata

    period = f"{year}JJ00"
    rows = cbsodata.get_data(
        POPULATION_TABLE,
        filters=f"Perioden eq '{period}' and (substringof('GM', RegioS) or RegioS eq 'NL01') and {POPULATION_FILTER}",
        select=["RegioS", "Perioden", POPULATION_COLUMN],
    )
    regions = cbsodata.get_meta(POPULATION_TABLE, "RegioS")
    df = pd.DataFrame(rows, columns=["RegioS", "Perioden", POPULATION_COLUMN]).dropna(subset=[POPULATION_COLUMN])
    # cbsodata replaces region keys by their titles; map them back among the municipal (GM) codes only
    gm_by_title: dict[str, list[str]] = {}
    for r in regions:
        key = str(r["Key"]).strip()
        if key.startswith("GM"):
            gm_by_title.setdefault(str(r["Title"]).strip(), []).append(key)
    nl_titles = {str(r["Title"]).strip() for r in regions if str(r["Key"]).strip() == "NL01"}
    df["RegioS"] = df["RegioS"].astype(str).str.strip()
    national = df[df["RegioS"].isin(nl_titles)]
    gm = df[~df["RegioS"].isin(nl_titles)].copy()
    ambiguous = sorted(t for t in gm["RegioS"] if len(gm_by_title.get(t, [])) != 1)
    if gm.empty:
        raise UpdateFailed(f"CBS {POPULATION_TABLE} has no municipal population for {period} (not yet published?)")
    if ambiguous:
        raise UpdateFailed(f"CBS {POPULATION_TABLE}: {len(ambiguous)} region title(s) do not map to one GM code, e.g. {ambiguous[0]!r}")
    gm["gm_code"] = gm["RegioS"].map(lambda t: gm_by_title[t][0])
    gm["name_cbs"] = gm["RegioS"]
    gm["name"] = gm["name_cbs"].str.replace(" (gemeente)", "", regex=False)
    gm["population"] = gm[POPULATION_COLUMN].astype("int64")
    if (gm["population"] <= 0).any() or gm["gm_code"].duplicated().any():
        raise UpdateFailed(f"CBS {POPULATION_TABLE} {period}: a municipality has no positive population or appears twice")
    if len(national) == 1 and int(national[POPULATION_COLUMN].iloc[0]) != int(gm["population"].sum()):
        raise UpdateFailed(
            f"CBS {POPULATION_TABLE} {period}: municipalities add up to {int(gm['population'].sum()):,}, "
            f"the national total is {int(national[POPULATION_COLUMN].iloc[0]):,}"
        )
    gm["size_class"] = loader.size_class(gm["population"])
    return gm[["gm_code", "name", "name_cbs", "population", "size_class"]].sort_values("gm_code").reset_index(drop=True)


def places_table_id(year: int) -> str:
    """The id of the CBS table "Woonplaatsen in Nederland <year>" (known ids first, else the CBS catalogue)."""
    if year in KNOWN_PLACES_TABLES:
        return KNOWN_PLACES_TABLES[year]
    import cbsodata

    tables = cbsodata.get_table_list(select=["Identifier", "Title"], filters=f"substringof('{PLACES_TITLE}',Title)")
    wanted = f"{PLACES_TITLE} {year}"
    ids = [t["Identifier"] for t in tables if str(t["Title"]).strip() == wanted]
    if len(ids) != 1:
        raise UpdateFailed(f"the CBS catalogue has {len(ids)} table(s) titled {wanted!r}; pass --places-table")
    return ids[0]


def fetch_places(year: int, table_id: str) -> pd.DataFrame:
    """Places and their municipality and province from CBS "Woonplaatsen in Nederland" (``table_id``)."""
    import cbsodata

    rows = cbsodata.get_data(table_id)
    need = {"Woonplaatsen", "Woonplaatscode_1", "Naam_2", "Code_3", "Naam_4", "Code_5"}
    if not rows or need - set(rows[0]):
        raise UpdateFailed(f"CBS {table_id}: expected columns {sorted(need)}; got {sorted(rows[0]) if rows else 'no rows'}")
    df = pd.DataFrame(rows)
    out = pd.DataFrame(
        {
            "year": str(year),
            "woonplaats": df["Woonplaatsen"].astype(str).str.strip(),
            "woonplaats_alt": "",
            "wp_code": df["Woonplaatscode_1"].map(lambda v: _code(v, "WP")),
            "gm_code": df["Code_3"].map(lambda v: _code(v, "GM")),
            "gm_name": df["Naam_2"].astype(str).str.strip(),
            "province_code": df["Code_5"].map(lambda v: _code(v, "PV")),
            "province": df["Naam_4"].astype(str).str.strip(),
            "basis": f"CBS {table_id}",
        }
    )
    if out["wp_code"].duplicated().any():
        raise UpdateFailed(f"CBS {table_id}: a woonplaatscode appears twice")
    return out.sort_values("wp_code").reset_index(drop=True)


def derive_mergers(year: int, before: pd.DataFrame, places_before: pd.DataFrame, after: pd.DataFrame, places_after: pd.DataFrame) -> pd.DataFrame:
    """Mergers effective in ``year``: where the places of each municipality that disappeared went."""
    gone = sorted(set(before["gm_code"]) - set(after["gm_code"]))
    names_before = dict(zip(before["gm_code"], before["name"]))
    names_after = dict(zip(after["gm_code"], after["name"]))
    new_of_wp = dict(zip(places_after["wp_code"], places_after["gm_code"]))
    rows = []
    for old in gone:
        moved = places_before[places_before["gm_code"] == old]
        targets: dict[str, list[str]] = {}
        for wp, name in zip(moved["wp_code"], moved["woonplaats"]):
            if wp in new_of_wp:
                targets.setdefault(new_of_wp[wp], []).append(name)
        if not targets:
            raise UpdateFailed(f"{old} ({names_before[old]}) is gone in {year}, but none of its places is in the new place list")
        for new, names in sorted(targets.items()):
            if len(targets) > 1:
                kind = "opheffing, verdeeld over meerdere gemeenten"
            elif new in names_before:
                kind = "toevoeging aan bestaande gemeente"
            else:
                kind = "samenvoeging tot nieuwe gemeente"
            rows.append(
                {
                    "effective_date": f"{year}-01-01", "first_cbs_year": str(year),
                    "old_gm_code": old, "old_gm_name": names_before[old],
                    "new_gm_code": new, "new_gm_name": names_after.get(new, ""),
                    "change_type": kind, "n_woonplaatsen": str(len(names)), "woonplaatsen": "; ".join(sorted(names)),
                    "evidence": f"derived: CBS woonplaatsen {year - 1} vs {year}, joined on woonplaatscode",
                }
            )
    return pd.DataFrame(rows, columns=MERGER_COLUMNS)


def fetch_boundaries(year: int, municipalities: pd.DataFrame) -> dict:
    """PDOK's generalised municipal boundaries of ``year`` as GeoJSON (lon/lat, 6 decimals), joined to the list."""
    params = {
        "service": "WFS", "version": "2.0.0", "request": "GetFeature", "typeNames": PDOK_LAYER,
        "outputFormat": "application/json", "srsName": "EPSG:4326",
    }
    doc = http_get_json(PDOK_WFS.format(year=year), params)
    features = doc.get("features") or []
    by_code = municipalities.set_index("gm_code")
    out = []
    for f in features:
        props = f.get("properties") or {}
        code = str(props.get("statcode", "")).strip()
        geom = f.get("geometry") or {}
        if geom.get("type") not in ("Polygon", "MultiPolygon"):
            raise UpdateFailed(f"PDOK {PDOK_LAYER} {year}: feature {code or '?'} has geometry {geom.get('type')!r}")
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        out.append(
            {
                "type": "Feature",
                "properties": {
                    "statcode": code,
                    "statnaam": str(props.get("statnaam", "")).strip(),
                    **({} if code not in by_code.index else {
                        "name_cbs": by_code.at[code, "name_cbs"], "province": by_code.at[code, "province"],
                        f"population_{year}": int(by_code.at[code, "population"]), "size_class": by_code.at[code, "size_class"],
                    }),
                },
                "geometry": {"type": "MultiPolygon", "coordinates": [[[_lonlat(p) for p in ring] for ring in poly] for poly in polys]},
            }
        )
    codes = {f["properties"]["statcode"] for f in out}
    if codes != set(municipalities["gm_code"]):
        extra, lacking = sorted(codes - set(municipalities["gm_code"])), sorted(set(municipalities["gm_code"]) - codes)
        raise UpdateFailed(
            f"PDOK {PDOK_LAYER} {year}: the boundary codes differ from the CBS list "
            f"({len(lacking)} without boundary, {len(extra)} not in the list)"
        )
    return {"type": "FeatureCollection", "features": out}


def _lonlat(point) -> list[float]:
    """Longitude first: WFS 2.0 may answer EPSG:4326 in latitude/longitude order (the Netherlands: lat 50-54)."""
    a, b = float(point[0]), float(point[1])
    lon, lat = (b, a) if a > 45 else (a, b)
    return [round(lon, 6), round(lat, 6)]


@dataclass
class UpdateResult:
    year: int
    folder: Path
    municipalities: int
    inhabitants: int
    places: int
    mergers: int
    boundaries: int

    def summary(self) -> str:
        return (
            f"CBS reference for 1 January {self.year} written to {self.folder}: {self.municipalities} municipalities "
            f"({self.inhabitants:,} inhabitants), {self.places} places, {self.mergers} merger row(s), "
            f"{self.boundaries} boundaries. Bron: CBS (CC BY 4.0)."
        )


def update(year: int, folder: Path | str | None = None, reference: "loader.MunicipalityReference | None" = None,
           places_table: str | None = None) -> UpdateResult:
    """Fetch, check and cache the reference of 1 January ``year``; the previous year must be available."""
    reference = reference or loader.MunicipalityReference()
    folder = Path(folder) if folder else loader.cache_dir(reference.cache_dir)
    try:  # the mergers of a year are where the places of the year before went
        before = reference.municipalities(year - 1)
        places_before = reference.places_frame(year - 1)
    except loader.ReferenceDataMissing as exc:
        raise UpdateFailed(f"the update of {year} needs the reference of {year - 1} first "
                           f"({loader.update_command(year - 1)}): {exc}") from exc
    try:
        municipalities = fetch_municipalities(year)
        places = fetch_places(year, places_table or places_table_id(year))
        provinces = places.drop_duplicates("gm_code").set_index("gm_code")
        municipalities["province_code"] = municipalities["gm_code"].map(provinces["province_code"])
        municipalities["province"] = municipalities["gm_code"].map(provinces["province"])
        unknown = sorted(set(places["gm_code"]) - set(municipalities["gm_code"]))
        if unknown:
            raise UpdateFailed(f"{len(unknown)} municipality code(s) of the place list are not in 03759ned {year}, e.g. {unknown[0]}")
        mergers = derive_mergers(year, before, places_before, municipalities, places)
        boundaries = fetch_boundaries(year, municipalities)
    except UpdateFailed:
        raise
    except Exception as exc:  # network or API change: one message naming the source and the reason
        raise UpdateFailed(f"fetching the CBS reference for {year} failed: {type(exc).__name__}: {exc}") from exc

    folder.mkdir(parents=True, exist_ok=True)
    cols = ["gm_code", "name", "name_cbs", "province_code", "province", "population", "size_class"]
    # the municipality list last: the loader takes a year as present once its list is there
    _write(folder / f"gemeenten_{year}.geojson", json.dumps(boundaries, ensure_ascii=False, separators=(",", ":")))
    _write(folder / f"woonplaatsen_{year}.csv", places.to_csv(index=False))
    _write(folder / f"herindelingen_{year}.csv", mergers.to_csv(index=False))
    _write(folder / f"gemeenten_{year}.csv", municipalities[cols].to_csv(index=False))
    result = UpdateResult(year, folder, len(municipalities), int(municipalities["population"].sum()), len(places),
                          len(mergers), len(boundaries["features"]))
    log.info(result.summary())
    return result


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
