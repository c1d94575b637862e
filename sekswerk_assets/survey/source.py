"""Where survey exports come from: ``<survey_dir>/<year>/full.*`` and ``followup.*``.

A year is read as one snapshot: every export file is read once, its SHA-256 recorded, and the folder's
fingerprint (:func:`export_fingerprint`, also the data version of the observable source asset
``survey/exports``) is computed before and after the reads; when they differ, or differ from the
fingerprint the run was started for, the year fails with "files changed".

When the folder of year 2020 is missing, the embedded synthetic export is generated in memory
(deterministically; nothing is written to the survey folder, so the sensor never mistakes it for
a delivered export). Every other year needs its folder.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pandas as pd

from sekswerk_assets.codebook import codebook_for_year
from sekswerk_assets.codebook.codebook import YEAR_CODEBOOK, Codebook
from sekswerk_assets.survey import synthetic
from sekswerk_assets.survey.ingest import (
    Issue,
    ParsedExport,
    SurveyValidationError,
    check_overlap,
    data_files,
    discover,
    parse_export,
    read_export,
)

SYNTHETIC_YEAR = "2020"
NO_EXPORT = "no-export"
FINGERPRINT_TAG = "survey/export_fingerprint"  # run tag: the fingerprint the run was requested for (sensor)


def export_fingerprint(year_dir: Path | str) -> str:
    """SHA-256 over the names and contents of a year folder's export files (and its ``codebook.yaml``).

    Hidden files and Office lock files (``~$full.xlsx``) are ignored, so opening the workbook in Excel does not
    change the fingerprint. ``no-export`` when the folder has no export files."""
    folder = Path(year_dir)
    files = data_files(folder)
    if (folder / YEAR_CODEBOOK).is_file():
        files.append(folder / YEAR_CODEBOOK)
    if not files:
        return NO_EXPORT
    h = hashlib.sha256()
    for f in sorted(files, key=lambda p: p.name):
        h.update(f.name.encode() + b"\0")
        h.update(_file_sha256(f).encode() + b"\0")
    return h.hexdigest()


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _combine(hashes: dict[str, str]) -> str:
    h = hashlib.sha256()
    for name in sorted(hashes):
        h.update(name.encode() + b"\0" + hashes[name].encode() + b"\0")
    return h.hexdigest()


@dataclass
class SurveyYear:
    year: str
    full: ParsedExport
    followup: ParsedExport | None
    synthetic: bool
    codebook: Codebook
    formats: dict = field(default_factory=dict)
    file_hashes: dict = field(default_factory=dict)
    fingerprint: str = ""
    warnings: list[str] = field(default_factory=list)


class SurveySource(dg.ConfigurableResource):
    """Folder with one sub-folder per measurement year holding the survey exports."""

    survey_dir: str = "data/survey"
    embedded_synthetic_2020: bool = True

    def year_dir(self, year: str) -> Path:
        return Path(self.survey_dir) / str(year)

    def fingerprint(self, year: str) -> str:
        """The data version of the year's exports (see :func:`export_fingerprint`)."""
        return export_fingerprint(self.year_dir(year))

    def codebook(self, year: str) -> Codebook:
        """The codebook of ``year``: the year folder's ``codebook.yaml`` if present, else the default version."""
        folder = self.year_dir(year)
        return codebook_for_year(year, folder if folder.exists() else None)

    def load(self, year: str, municipalities: pd.DataFrame, list_year: int, mergers: pd.DataFrame | None = None,
             expected_fingerprint: str | None = None) -> SurveyYear:
        """Read and validate both exports of ``year`` once, as one snapshot (all problems raised together)."""
        year = str(year)
        folder = self.year_dir(year)
        if not folder.exists():
            if year == SYNTHETIC_YEAR and self.embedded_synthetic_2020:
                codebook = codebook_for_year(year)
                full_df, fu_df = synthetic.generate(municipalities)
                full = parse_export(_as_text(full_df), "full", "synthetic:full", codebook, municipalities, list_year,
                                    mergers)
                fu = parse_export(_as_text(fu_df), "followup", "synthetic:followup", codebook, municipalities,
                                  list_year, mergers)
                check_overlap(full, fu)
                return SurveyYear(year, full, fu, synthetic=True, codebook=codebook,
                                  formats={"source": "embedded synthetic export"}, fingerprint="embedded-synthetic")
            raise SurveyValidationError([Issue(str(folder), None, None, None,
                                               f"no survey export for {year}: create {folder}/full.csv (or .xlsx)")])
        before = export_fingerprint(folder)
        if expected_fingerprint and before != expected_fingerprint:
            raise SurveyValidationError([Issue(str(folder), None, None, None, _changed(
                "since the run was requested", expected_fingerprint, before))])
        codebook = codebook_for_year(year, folder)
        files = discover(folder)
        raws, errors = {}, []
        for kind, path in files.items():  # every file read exactly once
            try:
                raws[kind] = read_export(path)
            except SurveyValidationError as exc:
                errors += exc.issues
        hashes = {r.name: r.sha256 for r in raws.values()}
        if (folder / YEAR_CODEBOOK).is_file():
            hashes[YEAR_CODEBOOK] = _file_sha256(folder / YEAR_CODEBOOK)
        after = export_fingerprint(folder)
        if not errors and (after != before or _combine(hashes) != after):
            raise SurveyValidationError([Issue(str(folder), None, None, None,
                                               _changed("while they were being read", before, after))])
        parsed: dict[str, ParsedExport] = {}
        for kind, raw in raws.items():
            try:
                parsed[kind] = parse_export(raw.frame, kind, raw.name, codebook, municipalities, list_year, mergers)
            except SurveyValidationError as exc:
                errors += exc.issues
        if "full" in parsed and parsed["full"].data.empty:
            errors.append(Issue(files["full"].name, None, None, None, "the full export has a header but no rows (no "
                                "respondents); only the follow-up may be empty"))
        if errors:
            raise SurveyValidationError(errors)
        if "followup" in parsed:
            check_overlap(parsed["full"], parsed["followup"])
        return SurveyYear(year, parsed["full"], parsed.get("followup"), synthetic=False, codebook=codebook,
                          formats={r.name: r.format for r in raws.values()}, file_hashes=hashes, fingerprint=after,
                          warnings=[w for r in raws.values() for w in r.warnings])


def _changed(when: str, a: str, b: str) -> str:
    return (f"the export files changed {when} (fingerprint {a[:12]} -> {b[:12]}); nothing was written. "
            "Wait until the files are complete and run the year again.")


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    return df.astype(object).where(df.notna(), "").map(str)
