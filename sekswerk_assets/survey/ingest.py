"""Reading and validating survey exports: file checks, encoding/separator detection, codebook checks, routing.

Every problem is reported as ``file, row, column: message`` (row = spreadsheet row, the header is row 1).
All problems of a year are collected and raised together as one :class:`SurveyValidationError`, before
anything is written.

Privacy: personal columns (codebook ``personal: true``: q71a, q71b, q72) are dropped right after the header is
read, before any validation. No message ever quotes a cell of a text column. A cell of a closed column is
quoted only when it looks like a number (digits, separators, sign, %), a municipality cell only when it is a
CBS code or close to a municipality name; anything else (also a phone-length digit run) is described by its length. Closed-question messages
name the allowed values instead.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from rapidfuzz import fuzz, process

from sekswerk_assets.codebook.codebook import CHOICE, COUNT, FLAG, MUNICIPALITY, TEXT, Codebook
from sekswerk_assets.lib.numbers import parse_dutch_number

KINDS = ("full", "followup")
DATA_SUFFIXES = {".csv", ".xlsx", ".xls", ".tsv", ".txt", ".ods"}
MAX_FILE_BYTES = 20 * 1024 * 1024  # an export of all 342 municipalities is well under 2 MB
MAX_CELL_CHARS = 20_000  # the longest open answer a questionnaire text box takes
NAME_VARIANTS = {
    "den haag": "'s-Gravenhage",
    "s-gravenhage": "'s-Gravenhage",
    "the hague": "'s-Gravenhage",
    "den bosch": "'s-Hertogenbosch",
    "s-hertogenbosch": "'s-Hertogenbosch",
    "hertogenbosch": "'s-Hertogenbosch",
}
_SAFE_CLOSED = re.compile(r"[\d\s.,%+\-]{1,15}")
_GM_CODE = re.compile(r"(?i)gm\s*-?\s*0*(\d{1,4})")


@dataclass(frozen=True)
class Issue:
    file: str
    row: int | None
    column: str | None
    shown: str | None  # a safe rendering of the cell (never the text of a personal or open answer)
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        value = "" if self.shown is None else f", value {self.shown}"
        return f"{', '.join(where)}{value}: {self.message}"


class SurveyValidationError(ValueError):
    """A survey export does not satisfy the input contract; nothing was written."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        shown = "\n".join(f"  - {i}" for i in issues[:25])
        more = f"\n  ... and {len(issues) - 25} more" if len(issues) > 25 else ""
        super().__init__(f"{len(issues)} problem(s) in the survey export:\n{shown}{more}")


@dataclass
class ParsedExport:
    kind: str
    path: str
    data: pd.DataFrame  # parsed answers (personal columns dropped) + gm_code, file_row
    item_nonresponse: dict[str, int] = field(default_factory=dict)
    asked: pd.DataFrame | None = None
    personal_columns_dropped: list[str] = field(default_factory=list)


@dataclass
class RawExport:
    """One export file as read (once) from disk: its cells as strings and what was noticed on the way."""

    name: str
    sha256: str
    frame: pd.DataFrame
    format: dict
    warnings: list[str] = field(default_factory=list)


def shown_value(kind: str, v: str, names: list[str] | None = None) -> str:
    """How a cell may appear in a message: quoted if it is number-like (closed columns) or a municipality-like
    name, else only its length."""
    if kind in (CHOICE, FLAG, COUNT) and _SAFE_CLOSED.fullmatch(v) and sum(ch.isdigit() for ch in v) <= 8:
        return repr(v)  # number-like and too short for a phone number
    if kind == MUNICIPALITY and (_GM_CODE.fullmatch(v.strip()) or (
            names and len(v) <= 60 and "@" not in v and not re.search(r"\d{3}", v)
            and process.extractOne(v, names, scorer=fuzz.WRatio, score_cutoff=80) is not None)):
        return repr(v)
    return f"<{len(v)} characters, not shown>"


# ---------------------------------------------------------------- files


def data_files(year_dir: Path) -> list[Path]:
    """The files of a year folder that may be exports: no hidden files, no Office lock files (``~$...``),
    no ``codebook.yaml``, no folders."""
    if not year_dir.exists():
        return []
    out = []
    for p in sorted(year_dir.iterdir()):
        if p.name.startswith((".", "~$")) or p.is_dir() or p.suffix.lower() not in DATA_SUFFIXES:
            continue
        out.append(p)
    return out


def discover(year_dir: Path) -> dict[str, Path]:
    """``{"full": path, "followup": path}`` in a year folder; other data files are an error."""
    found: dict[str, list[Path]] = {k: [] for k in KINDS}
    issues = []
    for p in data_files(year_dir):
        stem = p.stem.lower().replace("-", "").replace("_", "")
        if stem in found and p.suffix.lower() in (".csv", ".xlsx"):
            found[stem].append(p)
        else:
            issues.append(Issue(p.name, None, None, None,
                                "file name says neither full nor follow-up export; expected full.csv|full.xlsx or "
                                "followup.csv|followup.xlsx"))
    for kind, paths in found.items():
        if len(paths) > 1:
            issues.append(Issue(", ".join(p.name for p in paths), None, None, None, f"more than one {kind} export"))
    if not found["full"] and not issues:
        issues.append(Issue(str(year_dir), None, None, None, "no full export (full.csv or full.xlsx) in the folder"))
    if issues:
        raise SurveyValidationError(issues)
    return {k: v[0] for k, v in found.items() if v}


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """Text and encoding of a CSV export: UTF-8 (with or without BOM) or cp1252; anything else is an error."""
    if b"\x00" in raw:
        raise SurveyValidationError([Issue(name, None, None, None, "undecodable file: binary content (NUL bytes), "
                                           "expected CSV in UTF-8 or cp1252")])
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw[:200_000]).best()
        guess = best.encoding if best is not None else None
    except Exception:  # pragma: no cover - detection is advisory
        guess = None
    problem = None
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        problem = exc.start
    if problem is not None:
        raise SurveyValidationError([Issue(name, None, None, None,
                                           f"undecodable file: neither UTF-8 nor cp1252 (byte offset {problem})")])
    return text, "cp1252" if guess in (None, "cp1252", "windows-1252", "latin_1", "iso8859_15") else f"cp1252 (detector: {guess})"


def read_export(path: Path) -> RawExport:
    """Read one export file once: size checks first, then all cells as stripped strings ('' = empty)."""
    size = path.stat().st_size
    if size == 0:
        raise SurveyValidationError([Issue(path.name, None, None, None,
                                           "empty file (0 bytes): expected a header row with the codebook columns")])
    if size > MAX_FILE_BYTES:
        raise SurveyValidationError([Issue(path.name, None, None, None,
                                           f"file too large: {size / 1e6:.1f} MB, an export may be at most "
                                           f"{MAX_FILE_BYTES / 1e6:.0f} MB (one row per municipality)")])
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if path.suffix.lower() == ".xlsx":
        frame, fmt, warnings = _read_xlsx(raw, path.name)
    else:
        frame, fmt, warnings = _read_csv(raw, path.name)
    return RawExport(path.name, digest, frame, fmt, warnings)


def _too_long(name: str, row: int | None, column: str | None, n: int) -> SurveyValidationError:
    return SurveyValidationError([Issue(name, row, column, None,
                                        f"cell too large: {n} characters or more, a cell may hold at most "
                                        f"{MAX_CELL_CHARS} (content not shown)")])


def _read_csv(raw: bytes, name: str) -> tuple[pd.DataFrame, dict, list[str]]:
    text, encoding = decode(raw, name)
    lines = text.splitlines()
    first = lines[0] if lines else ""
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=counts.get)
    if counts[sep] == 0:
        raise SurveyValidationError([Issue(name, 1, None, None, "header row has a single column: expected the "
                                           "codebook columns separated by ',', ';' or a tab")])
    csv.field_size_limit(MAX_CELL_CHARS + 1)
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    issues: list[Issue] = []
    rows: list[list[str]] = []
    header: list[str] = []
    try:
        for rec in reader:
            if not header:
                header = [h.strip() for h in rec]
                while header and header[-1] == "":
                    header.pop()
                continue
            cells = [c.strip() for c in rec]
            if not any(cells):
                continue  # an empty row (e.g. ';;;;' rows Excel leaves after the data)
            if len(cells) > len(header):
                if any(cells[len(header):]):
                    issues.append(Issue(name, reader.line_num, None, None,
                                        f"row has {len(cells)} cells but the header has {len(header)}: probably an "
                                        f"unquoted '{_sep_name(sep)}' in a text cell; put text cells in quotes or "
                                        "deliver the export as XLSX"))
                    continue
                cells = cells[:len(header)]
            cells += [""] * (len(header) - len(cells))
            rows.append(cells)
            if len(issues) >= 25:
                break
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _too_long(name, reader.line_num, None, MAX_CELL_CHARS + 1) from None
        raise SurveyValidationError([Issue(name, reader.line_num, None, None, "unreadable CSV (a quote is not "
                                           "closed?)")]) from None
    if issues:
        raise SurveyValidationError(issues)
    frame = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header, dtype=object)
    return frame, {"format": "csv", "encoding": encoding, "separator": _sep_name(sep)}, []


def _sep_name(sep: str) -> str:
    return "tab" if sep == "\t" else sep


def _read_xlsx(raw: bytes, name: str) -> tuple[pd.DataFrame, dict, list[str]]:
    import openpyxl

    failed = False
    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:
        failed = True
    if failed:
        raise SurveyValidationError([Issue(name, None, None, None, "unreadable XLSX file (not an Excel workbook, "
                                           "or damaged)")])
    try:
        sheets = wb.sheetnames
        ws = wb[sheets[0]]
        warnings = []
        if len(sheets) > 1:
            warnings.append(f"{name}: only the first sheet '{sheets[0]}' is read; other sheet(s) ignored: "
                            + ", ".join(f"'{s}'" for s in sheets[1:]))
        header: list[str] = []
        rows = []
        for r, values in enumerate(ws.iter_rows(values_only=True), 1):
            cells = []
            for c, v in enumerate(values):
                s = _cell_str(v)
                if len(s) > MAX_CELL_CHARS:
                    col = header[c] if c < len(header) else None
                    raise _too_long(name, r, col, len(s))
                cells.append(s)
            if not header:
                header = cells
                while header and header[-1] == "":
                    header.pop()
                continue
            if not any(cells):
                continue
            cells = (cells + [""] * len(header))[:len(header)]
            rows.append(cells)
    finally:
        wb.close()
    frame = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header, dtype=object)
    return frame, {"format": "xlsx", "sheet": sheets[0]}, warnings


def _cell_str(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.6f}"
    return str(v).strip()


# ---------------------------------------------------------------- municipalities


def _code(v: str) -> str | None:
    m = _GM_CODE.fullmatch(v.strip())
    return f"GM{int(m.group(1)):04d}" if m else None


def municipality_lookup(municipalities: pd.DataFrame) -> dict[str, str]:
    """Accepted spellings (lower case) -> gm_code: names, CBS names, variants and CBS codes (GM0518, GM518)."""
    out = {}
    for code, name, cbs in municipalities[["gm_code", "name", "name_cbs"]].itertuples(index=False):
        for v in {name, cbs, cbs.replace(" (gemeente)", ""), name.replace("'", "")}:
            out[v.lower().strip()] = code
    by_name = {n.lower(): c for c, n in zip(municipalities["gm_code"], municipalities["name"])}
    for variant, name in NAME_VARIANTS.items():
        if name.lower() in by_name:
            out[variant] = by_name[name.lower()]
    return out


def merged_into(mergers: pd.DataFrame | None, list_year: int) -> dict[str, tuple[str, str, str]]:
    """Former municipality (lower-case name and code) -> (successor code, successor name, date), for mergers in
    force on 1 January ``list_year``; chains (merged twice) resolve to the last successor."""
    if mergers is None or mergers.empty:
        return {}
    m = mergers[mergers["first_cbs_year"].astype(int) <= int(list_year)].sort_values("effective_date")
    succ = {r.old_gm_code: (r.new_gm_code, r.new_gm_name, r.effective_date) for r in m.itertuples()}
    out = {}
    for r in m.itertuples():
        code, name, date = succ[r.old_gm_code]
        for _ in range(5):
            if code in succ and succ[code][0] != code:
                code, name, date = succ[code]
        out[r.old_gm_name.lower()] = out[r.old_gm_code.lower()] = (code, name, str(r.effective_date))
    return out


# ---------------------------------------------------------------- values


def parse_export(df: pd.DataFrame, kind: str, file: str, codebook: Codebook, municipalities: pd.DataFrame,
                 list_year: int, mergers: pd.DataFrame | None = None) -> ParsedExport:
    """Validate one export against the codebook and the municipality list; raise on any problem."""
    issues: list[Issue] = []
    colmap = codebook.column_map(kind)
    df = df.rename(columns={c: str(c).strip().lower() for c in df.columns})
    # personal columns go first, before anything could quote them
    personal = [c for c in codebook.personal_columns(kind) if c in df.columns]
    df = df.drop(columns=personal)
    colmap = {n: c for n, c in colmap.items() if not c.personal}
    unknown = [c for c in df.columns if c not in colmap and c not in codebook.personal_columns(kind)]
    for c in unknown:
        issues.append(Issue(file, 1, c, None, f"unknown column (not in codebook {codebook.version} for the {kind} export)"))
    for c in (c for c in colmap.values() if c.required and c.name not in df.columns):
        issues.append(Issue(file, 1, c.name, None, "missing required column"))
    if issues:
        raise SurveyValidationError(issues)
    df = df.reset_index(drop=True).astype(object)
    file_row = pd.Series(range(2, len(df) + 2), index=df.index, dtype="int64")
    out = pd.DataFrame(index=df.index)
    lookup = municipality_lookup(municipalities)
    codes = set(municipalities["gm_code"])
    name_of = dict(zip(municipalities["gm_code"], municipalities["name"]))
    former = merged_into(mergers, list_year)
    names = municipalities["name"].tolist()
    for name, col in colmap.items():
        if name not in df.columns:
            out[name] = pd.array([pd.NA] * len(df), dtype="Int64" if col.kind in (CHOICE, FLAG, COUNT) else object)
            continue
        parsed = []
        for i, v in df[name].items():
            v = "" if v is None else str(v).strip()
            row = int(file_row[i])
            if v == "" or v.lower() == "nan":
                parsed.append(pd.NA if col.kind != MUNICIPALITY else None)
                if col.kind == MUNICIPALITY:
                    issues.append(Issue(file, row, name, None, "municipality missing"))
                continue
            if col.kind == MUNICIPALITY:
                code = lookup.get(v.lower())
                as_code = _code(v)
                if code is None and as_code in codes:
                    code = as_code  # a CBS code (GM0518, or GM518 with the leading zero lost)
                if code is None:
                    shown = shown_value(MUNICIPALITY, v, names)
                    hit = former.get(v.lower()) or (former.get(as_code.lower()) if as_code else None)
                    if hit:
                        msg = (f"former municipality: merged into {hit[1]} ({hit[0]}) on {hit[2]}; the CBS list of "
                               f"1 January {list_year} has {hit[1]}")
                    elif as_code:
                        msg = f"CBS code not in the list of 1 January {list_year} (codes are accepted, as GM0518 or GM518)"
                    else:
                        sugg = ([m[0] for m in process.extract(v, names, scorer=fuzz.WRatio, limit=3)]
                                if shown.startswith("'") else [])
                        msg = (f"municipality not in the CBS list of 1 January {list_year} (a name, CBS name or "
                               f"CBS code such as GM0518 is expected)"
                               + (f"; closest names: {', '.join(sugg)}" if sugg else ""))
                    issues.append(Issue(file, row, name, shown, msg))
                parsed.append(code)
            elif col.kind == CHOICE:
                num = parse_dutch_number(v).value
                if num is None:
                    labels = {lab.lower(): k for k, lab in enumerate(col.labels, 1)}
                    labels.update({lab.split(",")[0].lower(): k for k, lab in enumerate(col.labels, 1)})
                    num = labels.get(v.lower())
                if num is None or not float(num).is_integer() or not 1 <= num <= col.n_options:
                    issues.append(Issue(file, row, name, shown_value(CHOICE, v),
                                        f"answer outside the options: allowed are 1-{col.n_options} or the printed "
                                        f"label ({_labels(col.labels)})"))
                    parsed.append(pd.NA)
                else:
                    parsed.append(int(num))
            elif col.kind == FLAG:
                num = parse_dutch_number(v).value
                if num not in (0.0, 1.0):
                    issues.append(Issue(file, row, name, shown_value(FLAG, v),
                                        "multiple-choice column must be 0 or 1 (allowed: 0, 1)"))
                    parsed.append(pd.NA)
                else:
                    parsed.append(int(num))
            elif col.kind == COUNT:
                p = parse_dutch_number(v)
                num = p.value
                if p.reason is not None:
                    msg = {"percentage-style value": "percentage-style value in a count cell",
                           "text value": "text value in a count cell"}.get(p.reason, p.reason)
                elif not num.is_integer():
                    msg = "non-integer count (a count is a whole number; 2,5 and 2.5 are read as two and a half)"
                elif num < 0:
                    msg = "negative count"
                elif num > col.max_count:
                    msg = f"absurd count (more than {col.max_count})"
                else:
                    msg = None
                if msg:
                    issues.append(Issue(file, row, name, shown_value(COUNT, v), f"{msg}; allowed: a whole number "
                                        f"0-{col.max_count}"))
                    parsed.append(pd.NA)
                else:
                    parsed.append(int(num))
            else:
                parsed.append(v)
        if col.kind in (CHOICE, FLAG, COUNT):
            out[name] = pd.array(parsed, dtype="Int64")
        elif col.kind == MUNICIPALITY:
            out["gm_code"] = pd.Series(parsed, index=df.index, dtype=object)
        else:
            out[name] = pd.Series(parsed, index=df.index, dtype=object)
    if "gm_code" in out and len(out):
        dup = out["gm_code"].notna() & out["gm_code"].duplicated(keep=False)
        for code, grp in out[dup].groupby("gm_code"):
            rows = [int(file_row[i]) for i in grp.index]
            issues.append(Issue(file, rows[-1], "q1", repr(name_of.get(code, code)),
                                f"municipality appears more than once (rows {', '.join(map(str, rows))})"))
    if issues:
        raise SurveyValidationError(issues)
    # codebook types as a Pandera schema (safety net over the parsed frame; failure cases are not quoted)
    failures = None
    if len(out):
        try:
            codebook_schema(codebook, kind).validate(out, lazy=True)
        except pa.errors.SchemaErrors as err:
            failures = err.failure_cases.head(50)
    if failures is not None:
        for case in failures.itertuples():
            idx = case.index if isinstance(case.index, int) else None
            issues.append(Issue(file, int(file_row[idx]) if idx is not None else None, str(case.column), None,
                                f"fails check {case.check}"))
        raise SurveyValidationError(issues)
    # routing
    asked = codebook.asked(out, kind)
    nonresponse: dict[str, int] = {}
    qids = list(codebook.questions) if kind == "full" else codebook.followup_questions
    for qid in qids:
        q = codebook.question(qid)
        if q.personal:
            continue
        cols = [c.name for c in q.columns() if c.kind != MUNICIPALITY]
        if not cols:
            continue
        answered = out[cols].notna().any(axis=1)
        # an 'Anders' text alone does not count as an answer
        closed = [c.name for c in q.columns() if c.kind in (CHOICE, FLAG, COUNT)] or cols
        answered_closed = out[closed].notna().any(axis=1)
        wrong = answered & ~asked[qid]
        for i in out.index[wrong]:
            col = next(c for c in cols if pd.notna(out.at[i, c]))
            kind_c = colmap[col].kind
            issues.append(Issue(file, int(file_row[i]), col,
                                None if kind_c == TEXT else shown_value(kind_c, str(df.at[i, col])),
                                f"answer given but the routing says {qid} was not asked (asked if: {q.asked_if})"))
        nonresponse[qid] = int((asked[qid] & ~answered_closed).sum())
    if issues:
        raise SurveyValidationError(issues)
    out.insert(0, "file_row", file_row)
    return ParsedExport(kind=kind, path=file, data=out, item_nonresponse=nonresponse, asked=asked,
                        personal_columns_dropped=personal)


def _labels(labels: tuple[str, ...]) -> str:
    text = "; ".join(f"{k} = {lab[:40]}" for k, lab in enumerate(labels, 1))
    return text if len(text) < 400 else text[:400] + " ..."


def codebook_schema(codebook: Codebook, kind: str) -> pa.DataFrameSchema:
    """Pandera schema of a parsed export (personal columns excluded: they are dropped first)."""
    cols = {"gm_code": pa.Column(str, pa.Check.str_matches(r"^GM\d{4}$"), nullable=False)}
    for c in codebook.columns(kind):
        if c.personal:
            continue
        if c.kind == CHOICE:
            cols[c.name] = pa.Column("Int64", pa.Check.in_range(1, c.n_options), nullable=True)
        elif c.kind == FLAG:
            cols[c.name] = pa.Column("Int64", pa.Check.isin([0, 1]), nullable=True)
        elif c.kind == COUNT:
            cols[c.name] = pa.Column("Int64", pa.Check.in_range(0, c.max_count), nullable=True)
        elif c.kind == TEXT:
            cols[c.name] = pa.Column(object, nullable=True)
    return pa.DataFrameSchema(cols, strict=False)


def check_overlap(full: ParsedExport, followup: ParsedExport) -> None:
    both = set(full.data["gm_code"]) & set(followup.data["gm_code"])
    if both:
        issues = []
        for code in sorted(both):
            fr = int(full.data.loc[full.data["gm_code"] == code, "file_row"].iloc[0])
            r = followup.data.loc[followup.data["gm_code"] == code]
            issues.append(Issue(followup.path, int(r["file_row"].iloc[0]), "q1", repr(code),
                                f"municipality is in both exports (also {full.path} row {fr})"))
        raise SurveyValidationError(issues)
