"""The CBS municipality reference: packaged with the project, newer years fetched once and cached.

Where the files are looked up, in this order:

1. ``SEKSWERK_REFERENCE_DIR`` when set (a folder with the layout below), otherwise the data packaged in
   ``sekswerk_assets/reference/data/`` (list years 2021-2026; see its PROVENANCE.md, "Bron: CBS");
2. the cache ``$SEKSWERK_DATA_DIR/reference/``, where ``python -m sekswerk_assets.reference update --year Y``
   writes the files of a newer year.

Layout (one file per kind and year; ``Y`` is the year of the 1 January list):

* ``gemeenten_Y.csv``: ``gm_code,name,name_cbs,province_code,province,population,size_class``
  (population on 1 January Y, CBS table 03759ned);
* ``woonplaatsen_2021_2026_long.csv`` and/or ``woonplaatsen_Y.csv``: place names per municipality;
* ``herindelingen_2019_2026.csv`` (+ ``herindelingen_Y.csv`` for fetched years): municipal mergers;
* ``gemeenten_Y.geojson``: generalised boundaries (optional; used for maps).

A year that is in neither place is an error that names the update command; nothing is fetched during a run
unless ``allow_online`` is set.
"""

from __future__ import annotations

import logging
from pathlib import Path

import dagster as dg
import pandas as pd

from sekswerk_assets import settings

log = logging.getLogger(__name__)

PACKAGED_DIR = Path(__file__).resolve().parent / "data"
SMALL_MAX = 40_000  # small: < 40,000 inhabitants
MEDIUM_MAX = 100_000  # medium: 40,000 - 100,000; large: > 100,000
SIZE_CLASSES = ["small", "medium", "large"]
MUNICIPALITY_COLUMNS = ["gm_code", "name", "name_cbs", "province", "population", "size_class"]
LONG_PLACES = "woonplaatsen_2021_2026_long.csv"
MERGERS = "herindelingen_2019_2026.csv"


class ReferenceDataMissing(FileNotFoundError):
    """The reference data for a year is neither packaged (or in SEKSWERK_REFERENCE_DIR) nor cached."""


def size_class(population: pd.Series) -> pd.Series:
    """CBS-style size classes used by the study (small < 40k <= medium <= 100k < large)."""
    return pd.Series(
        pd.cut(population, [-1, SMALL_MAX - 1, MEDIUM_MAX, float("inf")], labels=SIZE_CLASSES).astype(str),
        index=population.index,
    )


def list_year_for(measurement_year: int | str) -> int:
    """Measurement year Y uses the municipality list and population of 1 January Y+1."""
    return int(measurement_year) + 1


def reference_dir(directory: str | Path | None = None) -> Path:
    """The folder with the reference files: ``directory``, else ``SEKSWERK_REFERENCE_DIR``, else the packaged data."""
    raw = directory or settings.get("SEKSWERK_REFERENCE_DIR")
    return Path(raw).expanduser() if raw else PACKAGED_DIR


def cache_dir(directory: str | Path | None = None) -> Path:
    """Where fetched years are kept: ``directory``, else ``$SEKSWERK_DATA_DIR/reference``."""
    return Path(directory) if directory else Path(settings.get("SEKSWERK_DATA_DIR")) / "reference"


def update_command(list_year: int) -> str:
    return f"python -m sekswerk_assets.reference update --year {list_year}"


class MunicipalityReference(dg.ConfigurableResource):
    """Municipality lists, place names, mergers and boundaries: packaged data (or SEKSWERK_REFERENCE_DIR) + cache."""

    directory: str | None = None
    cache_dir: str | None = None
    allow_online: bool = False

    def folders(self) -> list[Path]:
        return [reference_dir(self.directory), cache_dir(self.cache_dir)]

    def _find(self, filename: str) -> Path | None:
        for folder in self.folders():
            if (folder / filename).is_file():
                return folder / filename
        return None

    def missing(self, list_year: int, what: str) -> ReferenceDataMissing:
        """The one error for a year that is not available, naming the command that fetches it."""
        ref, cache = self.folders()
        packaged = PACKAGED_DIR / what.split(", ")[-1]
        if ref != PACKAGED_DIR and packaged.is_file():
            return ReferenceDataMissing(
                f"CBS municipality reference for 1 January {list_year} not found ({what}) in SEKSWERK_REFERENCE_DIR={ref} "
                f"nor in the cache {cache}; unset SEKSWERK_REFERENCE_DIR to use the packaged data"
            )
        return ReferenceDataMissing(
            f"CBS municipality reference for 1 January {list_year} not found ({what}): it is neither in {ref} "
            f"nor in the cache {cache}. Fetch it (needs internet) with: {update_command(list_year)}"
        )

    def _ensure(self, list_year: int, filename: str, what: str) -> Path:
        path = self._find(filename)
        if path is not None:
            return path
        if self.allow_online:
            from sekswerk_assets.reference.update import update

            update(list_year, cache_dir(self.cache_dir), reference=self)
            path = self._find(filename)
            if path is not None:
                return path
        raise self.missing(list_year, what)

    def municipalities(self, list_year: int) -> pd.DataFrame:
        """The CBS municipality list of 1 January ``list_year`` with population and size class."""
        path = self._ensure(list_year, f"gemeenten_{list_year}.csv", f"gemeenten_{list_year}.csv")
        try:
            df = pd.read_csv(path, dtype={"gm_code": str, "name": str, "name_cbs": str, "province": str})
        except (OSError, pd.errors.ParserError) as exc:
            raise ReferenceDataMissing(f"{path}: cannot read the municipality list ({type(exc).__name__})") from exc
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

    def places_frame(self, list_year: int) -> pd.DataFrame:
        """All columns of the place list of 1 January ``list_year`` (``wp_code``, ``woonplaats``, ``gm_code``, ...)."""
        year = max(list_year, 2021)  # the oldest place list is that of 2021
        path = self._find(f"woonplaatsen_{year}.csv")
        if path is not None:
            return pd.read_csv(path, dtype=str)
        long = self._find(LONG_PLACES)
        if long is not None:
            df = pd.read_csv(long, dtype=str)
            df = df[df["year"].astype(int) == year].reset_index(drop=True)
            if not df.empty:
                return df
        return pd.read_csv(self._ensure(year, f"woonplaatsen_{year}.csv", f"place names, woonplaatsen_{year}.csv"), dtype=str)

    def places(self, list_year: int) -> pd.DataFrame:
        """Place names (woonplaatsen) with the municipality they belong to on 1 January ``list_year``."""
        df = self.places_frame(list_year)
        cols = ["woonplaats", "gm_code"] + (["woonplaats_alt"] if "woonplaats_alt" in df else [])
        return df[cols].reset_index(drop=True)

    def mergers(self) -> pd.DataFrame:
        """Municipal mergers: old code/name -> new code/name with the first CBS year of the new situation."""
        frames = []
        for folder in self.folders():
            if folder.is_dir():
                frames += [pd.read_csv(p, dtype=str) for p in sorted(folder.glob("herindelingen_*.csv"))]
        if not frames:
            ref, cache = self.folders()
            raise ReferenceDataMissing(
                f"CBS municipal mergers ({MERGERS}) not found in {ref} nor in {cache}; "
                "unset SEKSWERK_REFERENCE_DIR to use the packaged data"
            )
        df = pd.concat(frames, ignore_index=True)
        return df.drop_duplicates(subset=["first_cbs_year", "old_gm_code", "new_gm_code"]).reset_index(drop=True)

    def boundaries_path(self, list_year: int) -> Path | None:
        """GeoJSON boundaries for ``list_year`` (or the newest earlier year available), if any."""
        for year in range(list_year, 2020, -1):
            path = self._find(f"gemeenten_{year}.geojson")
            if path is not None:
                return path
        return None
