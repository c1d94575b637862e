"""Load the CBS municipality reference from a folder, or fetch it online with ``cbsodata``.

Folder layout (``SEKSWERK_REFERENCE_DIR``; CI points it at ``../shared/data/municipalities``):

* ``gemeenten_<list_year>.csv``: ``gm_code,name,name_cbs,province_code,province,population,size_class``
  (population on 1 January of ``list_year``, CBS table 03759ned);
* ``woonplaatsen_2021_2026_long.csv`` (and/or ``woonplaatsen_<year>.csv``): place names per municipality;
* ``herindelingen_2019_2026.csv``: municipal mergers;
* ``gemeenten_<list_year>.geojson``: boundaries (optional; used for maps).

A list missing from the folder is fetched from CBS StatLine table 03759ned with ``cbsodata``
and cached as ``gemeenten_<list_year>.csv`` in the cache folder (``<data dir>/reference``).
The data is never part of the repository.
"""

from __future__ import annotations

import logging
from pathlib import Path

import dagster as dg
import pandas as pd

log = logging.getLogger(__name__)

SMALL_MAX = 40_000  # small: < 40,000 inhabitants
MEDIUM_MAX = 100_000  # medium: 40,000 - 100,000; large: > 100,000
SIZE_CLASSES = ["small", "medium", "large"]
MUNICIPALITY_COLUMNS = ["gm_code", "name", "name_cbs", "province", "population", "size_class"]


class ReferenceDataMissing(FileNotFoundError):
    """The reference data for a year is neither in the folder nor obtainable online."""


def size_class(population: pd.Series) -> pd.Series:
    """CBS-style size classes used by the study (small < 40k <= medium <= 100k < large)."""
    return pd.Series(
        pd.cut(population, [-1, SMALL_MAX - 1, MEDIUM_MAX, float("inf")], labels=SIZE_CLASSES).astype(str),
        index=population.index,
    )


def list_year_for(measurement_year: int | str) -> int:
    """Measurement year Y uses the municipality list and population of 1 January Y+1."""
    return int(measurement_year) + 1


class MunicipalityReference(dg.ConfigurableResource):
    """Municipality lists, place names and mergers from a reference folder, with a cbsodata fallback."""

    directory: str | None = None
    cache_dir: str = "data/reference"
    allow_online: bool = True

    def _folder(self) -> Path | None:
        return Path(self.directory) if self.directory else None

    def _find(self, filename: str) -> Path | None:
        for folder in (self._folder(), Path(self.cache_dir)):
            if folder is not None and (folder / filename).exists():
                return folder / filename
        return None

    def municipalities(self, list_year: int) -> pd.DataFrame:
        """The CBS municipality list of 1 January ``list_year`` with population and size class."""
        filename = f"gemeenten_{list_year}.csv"
        path = self._find(filename)
        if path is None:
            path = self._fetch_online(list_year)
        df = pd.read_csv(path, dtype={"gm_code": str, "name": str, "name_cbs": str, "province": str})
        missing = {"gm_code", "name", "population"} - set(df.columns)
        if missing:
            raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
        if "name_cbs" not in df:
            df["name_cbs"] = df["name"]
        if "province" not in df:
            df["province"] = pd.NA
        df["population"] = df["population"].astype("int64")
        df["size_class"] = size_class(df["population"])
        return df[MUNICIPALITY_COLUMNS].sort_values("gm_code").reset_index(drop=True)

    def places(self, list_year: int) -> pd.DataFrame:
        """Place names (woonplaatsen) with the municipality they belong to on 1 January ``list_year``."""
        path = self._find("woonplaatsen_2021_2026_long.csv")
        if path is not None:
            df = pd.read_csv(path, dtype=str)
            df = df[df["year"].astype(int) == min(max(list_year, 2021), 2026)]
        else:
            path = self._find(f"woonplaatsen_{list_year}.csv")
            if path is None:
                raise ReferenceDataMissing(self._hint(f"place names for {list_year}"))
            df = pd.read_csv(path, dtype=str)
        cols = ["woonplaats", "gm_code"] + (["woonplaats_alt"] if "woonplaats_alt" in df else [])
        return df[cols].reset_index(drop=True)

    def mergers(self) -> pd.DataFrame:
        """Municipal mergers: old code/name -> new code/name with the first CBS year of the new situation."""
        path = self._find("herindelingen_2019_2026.csv")
        if path is None:
            raise ReferenceDataMissing(self._hint("municipal mergers (herindelingen_2019_2026.csv)"))
        return pd.read_csv(path, dtype=str)

    def boundaries_path(self, list_year: int) -> Path | None:
        """GeoJSON boundaries for ``list_year`` (or the newest earlier year available), if any."""
        for year in range(list_year, 2020, -1):
            path = self._find(f"gemeenten_{year}.geojson")
            if path is not None:
                return path
        return None

    def _hint(self, what: str) -> str:
        return (
            f"Municipality reference data missing: {what}. Set SEKSWERK_REFERENCE_DIR to a folder with the CBS "
            f"files (e.g. ../shared/data/municipalities; see reference/loader.py for the layout), or allow the online "
            f"download from CBS StatLine (table 03759ned, needs internet)."
        )

    def _fetch_online(self, list_year: int) -> Path:
        """Fetch population on 1 January ``list_year`` per municipality from CBS 03759ned and cache it."""
        if not self.allow_online:
            raise ReferenceDataMissing(self._hint(f"gemeenten_{list_year}.csv"))
        try:
            import cbsodata

            period = f"{list_year}JJ00"
            rows = cbsodata.get_data(
                "03759ned",
                filters=f"Perioden eq '{period}' and substringof('GM', RegioS) and Geslacht eq 'T001038' "
                "and Leeftijd eq '10000' and BurgerlijkeStaat eq 'T001019'",
                select=["RegioS", "BevolkingOp1Januari_1"],
            )
            regions = {r["Key"]: r["Title"] for r in cbsodata.get_meta("03759ned", "RegioS")}
        except Exception as exc:  # network, API change: say how to fix it
            raise ReferenceDataMissing(self._hint(f"gemeenten_{list_year}.csv") + f" (online fetch failed: {exc})") from exc
        df = pd.DataFrame(rows).dropna(subset=["BevolkingOp1Januari_1"])
        code_by_title = {title: key for key, title in regions.items()}
        df["gm_code"] = df["RegioS"].map(lambda t: code_by_title.get(t, t)).str.strip()
        df["name_cbs"] = df["RegioS"].str.strip()
        df["name"] = df["name_cbs"].str.replace(" (gemeente)", "", regex=False)
        df["population"] = df["BevolkingOp1Januari_1"].astype(int)
        df["province"] = pd.NA
        if df.empty:
            raise ReferenceDataMissing(self._hint(f"gemeenten_{list_year}.csv") + " (CBS returned no rows)")
        out = Path(self.cache_dir) / f"gemeenten_{list_year}.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        df[["gm_code", "name", "name_cbs", "province", "population"]].to_csv(out, index=False)
        log.info("cached CBS municipality list %s (%d rows) at %s", list_year, len(df), out)
        return out
