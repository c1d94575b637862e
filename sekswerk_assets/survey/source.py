"""Where survey exports come from: ``<survey_dir>/<year>/full.*`` and ``followup.*``.

When the folder of year 2020 is missing, the embedded synthetic export is generated in memory
(deterministically; nothing is written to the survey folder, so the sensor never mistakes it for
a delivered export). Every other year needs its folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pandas as pd

from sekswerk_assets.codebook import codebook_for_year
from sekswerk_assets.survey import synthetic
from sekswerk_assets.survey.ingest import (
    Issue,
    ParsedExport,
    SurveyValidationError,
    check_overlap,
    discover,
    parse_export,
    read_export,
)

SYNTHETIC_YEAR = "2020"


@dataclass
class SurveyYear:
    year: str
    full: ParsedExport
    followup: ParsedExport | None
    synthetic: bool
    formats: dict = field(default_factory=dict)


class SurveySource(dg.ConfigurableResource):
    """Folder with one sub-folder per measurement year holding the survey exports."""

    survey_dir: str = "data/survey"
    embedded_synthetic_2020: bool = True

    def year_dir(self, year: str) -> Path:
        return Path(self.survey_dir) / str(year)

    def load(self, year: str, municipalities: pd.DataFrame, list_year: int) -> SurveyYear:
        """Read and validate both exports of ``year`` (all problems raised together, before any write)."""
        year = str(year)
        codebook = codebook_for_year(year)
        folder = self.year_dir(year)
        if not folder.exists():
            if year == SYNTHETIC_YEAR and self.embedded_synthetic_2020:
                full_df, fu_df = synthetic.generate(municipalities)
                full = parse_export(_as_text(full_df), "full", "synthetic:full", codebook, municipalities, list_year)
                fu = parse_export(_as_text(fu_df), "followup", "synthetic:followup", codebook, municipalities, list_year)
                check_overlap(full, fu)
                return SurveyYear(year, full, fu, synthetic=True, formats={"source": "embedded synthetic export"})
            raise SurveyValidationError([Issue(str(folder), None, None, None,
                                               f"no survey export for {year}: create {folder}/full.csv (or .xlsx)")])
        files = discover(folder)
        parsed: dict[str, ParsedExport] = {}
        formats: dict = {}
        errors = []
        for kind, path in files.items():
            try:
                df, fmt = read_export(path)
                formats[path.name] = fmt
                parsed[kind] = parse_export(df, kind, path.name, codebook, municipalities, list_year)
            except SurveyValidationError as exc:
                errors += exc.issues
        if errors:
            raise SurveyValidationError(errors)
        if "followup" in parsed:
            check_overlap(parsed["full"], parsed["followup"])
        return SurveyYear(year, parsed["full"], parsed.get("followup"), synthetic=False, formats=formats)


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    return df.astype(object).where(df.notna(), "").map(str)
