"""The coding sheet: an XLSX workbook, encrypted in the raw zone like the snapshots, and the checks of a coded one.

Layout under ``<data dir>/raw/validation/<year>/``::

    coding_sheet.xlsx.enc   written by ads/validation_sample: ad text, form fields, extracted values, empty
                            coded_* columns (AES-256-GCM with the snapshot key; associated data names the file)
    coded_sheet.xlsx.enc    the coder's sheet, encrypted back with ``python -m sekswerk_assets.validation encrypt``

Both files are written to a temporary sibling and renamed into place. A coded sheet that fails a check is never
written; every problem names the file, the Excel row, the column and the value (a value is shown only when it
is short and holds fewer than nine digits, so ad text or a phone number pasted into a cell never reaches a log).
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sekswerk_assets.lib.crypto import Cipher
from sekswerk_assets.schemas.validation import VARIABLES
from sekswerk_assets.validation.values import ALLOWED, LABELS, NOT_STATED, ValueProblem, parse_coded

CODING = "coding_sheet"
CODED = "coded_sheet"
WORKSHEET = "coding"
ID_COLUMNS = ["sample_id", "site", "measurement_week", "ad_code"]
TEXT_COLUMNS = ["title", "text", "fields"]
EXTRACTED = [f"extracted_{v}" for v in VARIABLES]
CODED_COLUMNS = [f"coded_{v}" for v in VARIABLES]
NOTE = "coder_note"
COLUMNS = ID_COLUMNS + TEXT_COLUMNS + [c for v in VARIABLES for c in (f"extracted_{v}", f"coded_{v}")] + [NOTE]
#: columns a coded sheet must have
REQUIRED = ["sample_id", "site", "ad_code", *CODED_COLUMNS]
MAX_PROBLEMS = 25


def sheet_path(root: Path | str, year: str, kind: str) -> Path:
    return Path(root) / "raw" / "validation" / str(year) / f"{kind}.xlsx.enc"


def _aad(year: str, kind: str) -> bytes:
    return f"validation/{year}/{kind}".encode()


def write_sealed(root: Path | str, cipher: Cipher, year: str, kind: str, xlsx: bytes) -> Path:
    """Encrypt ``xlsx`` into the raw zone (temporary file + rename: whole or not at all)."""
    path = sheet_path(root, year, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(cipher.seal(xlsx, _aad(year, kind)))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_sealed(root: Path | str, cipher: Cipher, year: str, kind: str) -> bytes:
    path = sheet_path(root, year, kind)
    if not path.is_file():
        raise FileNotFoundError(f"no {kind.replace('_', ' ')} for {year}: {path} is missing")
    return cipher.open(path.read_bytes(), _aad(year, kind))


def _set(ws, row: int, col: int, value) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub(" ", value)
        cell.data_type = "s"  # never a formula, whatever the ad text starts with
    else:
        cell.value = value


def build_workbook(rows: list[dict], municipalities: pd.DataFrame | None = None) -> bytes:
    """The coding workbook: one row per sampled ad (keys of ``COLUMNS``), plus the allowed values."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = WORKSHEET
    for j, name in enumerate(COLUMNS, start=1):
        _set(ws, 1, j, name)
        ws.cell(row=1, column=j).font = Font(bold=True)
    for i, row in enumerate(rows, start=2):
        for j, name in enumerate(COLUMNS, start=1):
            value = row.get(name)
            if value is not None:
                _set(ws, i, j, value)
            if name in TEXT_COLUMNS:
                ws.cell(row=i, column=j).alignment = Alignment(wrap_text=True, vertical="top")
    widths = {"text": 80, "fields": 40, "title": 30}
    for j, name in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = widths.get(name, 16)
    ws.freeze_panes = "B2"
    values = wb.create_sheet("values")
    for j, name in enumerate(("column", "variable", "write"), start=1):
        _set(values, 1, j, name)
    for i, v in enumerate(VARIABLES, start=2):
        _set(values, i, 1, f"coded_{v}")
        _set(values, i, 2, LABELS[v])
        _set(values, i, 3, ALLOWED[v])
    _set(values, len(VARIABLES) + 3, 1, f"Write '{NOT_STATED}' when the ad does not state the variable; "
                                        "leave a whole row empty to leave that ad uncoded.")
    if municipalities is not None and len(municipalities):
        mun = wb.create_sheet("municipalities")
        _set(mun, 1, 1, "gm_code")
        _set(mun, 1, 2, "name")
        for i, (code, name) in enumerate(zip(municipalities["gm_code"], municipalities["name"]), start=2):
            _set(mun, i, 1, str(code))
            _set(mun, i, 2, str(name))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def shown(value) -> str:
    """A cell value as it may appear in an error: short codes only, never text or a long number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "(empty)"
    s = str(value)
    if len(s) <= 24 and "\n" not in s and len(re.findall(r"\d", s)) < 9:  # a phone number has 9+ digits
        return repr(s)
    return f"(a value of {len(s)} characters, not shown)"


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.value is not None:
            where.append(f"value {self.value}")
        return f"{', '.join(where)}: {self.reason}"


class CodedSheetError(ValueError):
    """A coded sheet that fails its checks: every problem (file, row, column, value, reason), nothing written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [str(p) for p in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            lines.append(f"... and {len(problems) - MAX_PROBLEMS} more problems")
        super().__init__(f"the coded sheet has {len(problems)} problem(s); nothing was written:\n" + "\n".join(lines))


def read_rows(xlsx: bytes, file: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header and ``(excel row, {column: value})`` of the coding worksheet (empty rows skipped)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(xlsx), read_only=True, data_only=True)
    except Exception as exc:  # not an XLSX workbook at all
        raise CodedSheetError([Problem(file, None, None, None, f"not a readable XLSX workbook ({type(exc).__name__})")]) from None
    ws = wb[WORKSHEET] if WORKSHEET in wb.sheetnames else wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(it, ())]
    rows = []
    for r, values in enumerate(it, start=2):
        if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        rows.append((r, {h: v for h, v in zip(header, values) if h}))
    wb.close()
    return header, rows


def parse_coded_sheet(xlsx: bytes, file: str, expected: pd.DataFrame | None = None) -> pd.DataFrame:
    """Check a coded sheet and return one row per coded ad: ``sample_id``, ``site``, ``ad_code``, ``excel_row``
    and the canonical coded value of every variable. Rows whose coded cells are all empty are left out (not coded).

    ``expected`` (``sample_id``, ``site``, ``ad_code``: the coding sheet written for the sample) makes an id that is
    not in the sample, or that names another ad, a problem. Raises :class:`CodedSheetError` listing every problem.
    """
    header, rows = read_rows(xlsx, file)
    problems: list[Problem] = []
    missing = [c for c in REQUIRED if c not in header]
    for c in missing:
        problems.append(Problem(file, 1, c, None, "required column is missing from the header row"))
    dup_headers = sorted({h for h in header if h and header.count(h) > 1})
    for c in dup_headers:
        problems.append(Problem(file, 1, c, None, "column appears more than once in the header row"))
    if problems:
        raise CodedSheetError(problems)
    known = None
    if expected is not None:
        known = {str(s): (str(site), str(code)) for s, site, code in
                 zip(expected["sample_id"], expected["site"], expected["ad_code"])}
    seen: dict[str, int] = {}
    out = []
    for r, cells in rows:
        sid = cells.get("sample_id")
        sid = str(sid).strip() if sid is not None else ""
        if not sid:
            problems.append(Problem(file, r, "sample_id", "(empty)", "every row needs its sample id"))
            continue
        if sid in seen:
            problems.append(Problem(file, r, "sample_id", shown(sid), f"duplicated id (also in row {seen[sid]})"))
            continue
        seen[sid] = r
        site, code = str(cells.get("site") or "").strip(), str(cells.get("ad_code") or "").strip()
        if known is not None:
            if sid not in known:
                problems.append(Problem(file, r, "sample_id", shown(sid), "id is not in this year's sample"))
                continue
            if known[sid] != (site, code):
                # the ad code itself is never echoed: it identifies an ad
                problems.append(Problem(file, r, "ad_code", None,
                                        "site and ad code differ from this id's ad in the sample (a sheet of an "
                                        "earlier draw?)"))
                continue
        coded, row_problems = {}, []
        for v in VARIABLES:
            col = f"coded_{v}"
            try:
                coded[v] = parse_coded(v, cells.get(col))
            except ValueProblem as exc:
                row_problems.append(Problem(file, r, col, shown(cells.get(col)), f"unknown value: {exc}"))
        empty = [v for v in VARIABLES if coded.get(v) is None and not any(p.column == f"coded_{v}" for p in row_problems)]
        if len(empty) == len(VARIABLES):
            continue  # not coded (yet)
        for v in empty:
            row_problems.append(Problem(file, r, f"coded_{v}", "(empty)",
                                        f"the row is partly coded: write a value or '{NOT_STATED}'"))
        problems += row_problems
        if not row_problems:
            out.append({"sample_id": sid, "site": site, "ad_code": code, "excel_row": r, **coded})
    if problems:
        raise CodedSheetError(problems)
    return pd.DataFrame(out, columns=["sample_id", "site", "ad_code", "excel_row", *VARIABLES])


def coding_ids(xlsx: bytes, file: str) -> pd.DataFrame:
    """``sample_id``, ``site``, ``ad_code`` of a coding sheet (what a coded sheet is checked against)."""
    _, rows = read_rows(xlsx, file)
    return pd.DataFrame([{"sample_id": str(c.get("sample_id")), "site": str(c.get("site") or ""),
                          "ad_code": str(c.get("ad_code") or "")} for _, c in rows],
                        columns=["sample_id", "site", "ad_code"])
