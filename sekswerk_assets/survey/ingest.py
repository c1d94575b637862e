"""Reading and validating survey exports: encoding/separator detection, codebook checks, routing.

Every problem is reported as ``file, row, column, value: message`` (row = spreadsheet row, the
header is row 1). All problems of a year are collected and raised together as one
:class:`SurveyValidationError`, before anything is written.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from rapidfuzz import fuzz, process

from sekswerk_assets.codebook.codebook import CHOICE, COUNT, FLAG, MUNICIPALITY, TEXT, Codebook

KINDS = ("full", "followup")
DATA_SUFFIXES = {".csv", ".xlsx", ".xls", ".tsv", ".txt", ".ods"}
NAME_VARIANTS = {
    "den haag": "'s-Gravenhage",
    "s-gravenhage": "'s-Gravenhage",
    "the hague": "'s-Gravenhage",
    "den bosch": "'s-Hertogenbosch",
    "s-hertogenbosch": "'s-Hertogenbosch",
    "hertogenbosch": "'s-Hertogenbosch",
}


@dataclass(frozen=True)
class Issue:
    file: str
    row: int | None
    column: str | None
    value: object
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        value = "" if self.value is None else f", value {self.value!r}"
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


# ---------------------------------------------------------------- files


def discover(year_dir: Path) -> dict[str, Path]:
    """``{"full": path, "followup": path}`` in a year folder; other data files are an error."""
    found: dict[str, list[Path]] = {k: [] for k in KINDS}
    issues = []
    for p in sorted(year_dir.iterdir()):
        if p.name.startswith(".") or p.is_dir() or p.suffix.lower() not in DATA_SUFFIXES:
            continue
        stem = p.stem.lower().replace("-", "").replace("_", "")
        if stem in found and p.suffix.lower() in (".csv", ".xlsx"):
            found[stem].append(p)
        else:
            issues.append(Issue(p.name, None, None, None,
                                "file name says neither full nor follow-up: expected full.csv|full.xlsx and "
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

        best = from_bytes(raw).best()
        guess = best.encoding if best is not None else None
    except Exception:  # pragma: no cover - detection is advisory
        guess = None
    try:
        return raw.decode("cp1252"), "cp1252" if guess in (None, "cp1252", "windows-1252", "latin_1", "iso8859_15") else f"cp1252 (detector: {guess})"
    except UnicodeDecodeError as exc:
        raise SurveyValidationError([Issue(name, None, None, repr(raw[exc.start:exc.end]),
                                           f"undecodable file: neither UTF-8 nor cp1252 (byte offset {exc.start})")]) from exc


def read_export(path: Path) -> tuple[pd.DataFrame, dict]:
    """All cells as stripped strings ('' = empty), with the detected format."""
    if path.suffix.lower() == ".xlsx":
        try:
            df = pd.read_excel(path, dtype=object, engine="openpyxl")
        except Exception as exc:
            raise SurveyValidationError([Issue(path.name, None, None, None, f"unreadable XLSX file: {exc}")]) from exc
        df = df.map(_cell_str)
        df.columns = [str(c).strip() for c in df.columns]
        return df, {"format": "xlsx"}
    raw = path.read_bytes()
    text, encoding = decode(raw, path.name)
    first = text.splitlines()[0] if text else ""
    try:
        sep = csv.Sniffer().sniff(first, delimiters=",;").delimiter
    except csv.Error:
        sep = ";" if first.count(";") > first.count(",") else ","
    df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    df = df.map(lambda v: v.strip() if isinstance(v, str) else _cell_str(v))
    df.columns = [str(c).strip() for c in df.columns]
    return df, {"format": "csv", "encoding": encoding, "separator": sep}


def _cell_str(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


# ---------------------------------------------------------------- values


def _int_like(s: str) -> float | None:
    try:
        return float(s.replace(",", ".")) if re.fullmatch(r"[+-]?\d+([.,]\d+)?", s) else None
    except ValueError:  # pragma: no cover
        return None


def municipality_lookup(municipalities: pd.DataFrame) -> dict[str, str]:
    """Accepted spellings (lower case) -> gm_code."""
    out = {}
    for code, name, cbs in municipalities[["gm_code", "name", "name_cbs"]].itertuples(index=False):
        for v in {name, cbs, cbs.replace(" (gemeente)", ""), name.replace("'", "")}:
            out[v.lower().strip()] = code
    by_name = {n.lower(): c for c, n in zip(municipalities["gm_code"], municipalities["name"])}
    for variant, name in NAME_VARIANTS.items():
        if name.lower() in by_name:
            out[variant] = by_name[name.lower()]
    return out


def parse_export(df: pd.DataFrame, kind: str, file: str, codebook: Codebook, municipalities: pd.DataFrame,
                 list_year: int) -> ParsedExport:
    """Validate one export against the codebook and the municipality list; raise on any problem."""
    issues: list[Issue] = []
    colmap = codebook.column_map(kind)
    df = df.rename(columns={c: c.strip().lower() for c in df.columns})
    unknown = [c for c in df.columns if c not in colmap]
    for c in unknown:
        issues.append(Issue(file, 1, c, None, f"unknown column (not in codebook {codebook.version} for the {kind} export)"))
    for c in (c for c in colmap.values() if c.required and c.name not in df.columns):
        issues.append(Issue(file, 1, c.name, None, "missing required column"))
    if issues:
        raise SurveyValidationError(issues)
    df = df.reset_index(drop=True)
    file_row = pd.Series(range(2, len(df) + 2), index=df.index)
    out = pd.DataFrame(index=df.index)
    lookup = municipality_lookup(municipalities)
    names = municipalities["name"].tolist()
    for name, col in colmap.items():
        if name not in df.columns:
            out[name] = pd.NA
            continue
        values = df[name].astype(str)
        parsed = []
        for i, v in values.items():
            row = int(file_row[i])
            if v == "" or v.lower() == "nan":
                parsed.append(pd.NA if col.kind != MUNICIPALITY else None)
                if col.kind == MUNICIPALITY:
                    issues.append(Issue(file, row, name, v, "municipality missing"))
                continue
            if col.kind == MUNICIPALITY:
                code = lookup.get(v.lower().strip())
                if code is None:
                    sugg = [m[0] for m in process.extract(v, names, scorer=fuzz.WRatio, limit=3)]
                    issues.append(Issue(file, row, name, v, f"municipality not in the CBS list of 1 January {list_year}; "
                                                            f"closest names: {', '.join(sugg)}"))
                parsed.append(code)
            elif col.kind == CHOICE:
                num = _int_like(v)
                if num is None:
                    labels = {lab.lower(): k for k, lab in enumerate(col.labels, 1)}
                    labels.update({lab.split(",")[0].lower(): k for k, lab in enumerate(col.labels, 1)})
                    num = labels.get(v.lower())
                if num is None or not float(num).is_integer() or not 1 <= num <= col.n_options:
                    issues.append(Issue(file, row, name, v, f"answer outside the options 1-{col.n_options}"))
                    parsed.append(pd.NA)
                else:
                    parsed.append(int(num))
            elif col.kind == FLAG:
                num = _int_like(v)
                if num not in (0.0, 1.0):
                    issues.append(Issue(file, row, name, v, "multiple-choice column must be 0 or 1"))
                    parsed.append(pd.NA)
                else:
                    parsed.append(int(num))
            elif col.kind == COUNT:
                num = _int_like(v)
                if "%" in v:
                    msg = "percentage-style value in a count cell"
                elif num is None:
                    msg = "text value in a count cell"
                elif not num.is_integer():
                    msg = "non-integer count"
                elif num < 0:
                    msg = "negative count"
                elif num > col.max_count:
                    msg = f"absurd count (more than {col.max_count})"
                else:
                    msg = None
                if msg:
                    issues.append(Issue(file, row, name, v, msg))
                    parsed.append(pd.NA)
                else:
                    parsed.append(int(num))
            else:
                parsed.append(v)
        if col.kind in (CHOICE, FLAG, COUNT):
            out[name] = pd.array(parsed, dtype="Int64")
        elif col.kind == MUNICIPALITY:
            out["gm_code"] = parsed
        else:
            out[name] = pd.Series(parsed, index=df.index, dtype=object)
    # duplicates
    if "gm_code" in out:
        dup = out["gm_code"].notna() & out["gm_code"].duplicated(keep=False)
        for code, grp in out[dup].groupby("gm_code"):
            rows = [int(file_row[i]) for i in grp.index]
            issues.append(Issue(file, rows[-1], "q1", df.loc[grp.index[-1], "q1"],
                                f"municipality appears more than once (rows {', '.join(map(str, rows))})"))
    if issues:
        raise SurveyValidationError(issues)
    # codebook types as a Pandera schema (safety net over the parsed frame)
    try:
        codebook_schema(codebook, kind).validate(out, lazy=True)
    except pa.errors.SchemaErrors as err:
        for case in err.failure_cases.head(50).itertuples():
            idx = case.index if isinstance(case.index, int) else None
            raise_row = int(file_row[idx]) if idx is not None else None
            issues.append(Issue(file, raise_row, str(case.column), case.failure_case, f"fails check {case.check}"))
        raise SurveyValidationError(issues) from err
    # routing
    asked = codebook.asked(out, kind)
    nonresponse: dict[str, int] = {}
    qids = list(codebook.questions) if kind == "full" else codebook.followup_questions
    for qid in qids:
        q = codebook.question(qid)
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
            issues.append(Issue(file, int(file_row[i]), col, df.at[i, col],
                                f"answer given but the routing says {qid} was not asked (asked if: {q.asked_if})"))
        if not q.personal:
            nonresponse[qid] = int((asked[qid] & ~answered_closed).sum())
    if issues:
        raise SurveyValidationError(issues)
    personal = [c for c in codebook.personal_columns(kind) if c in out.columns]
    out = out.drop(columns=personal)
    out.insert(0, "file_row", file_row.astype("int64"))
    return ParsedExport(kind=kind, path=file, data=out, item_nonresponse=nonresponse, asked=asked)


def codebook_schema(codebook: Codebook, kind: str) -> pa.DataFrameSchema:
    """Pandera schema of a parsed export, generated from the codebook."""
    cols = {"gm_code": pa.Column(str, pa.Check.str_matches(r"^GM\d{4}$"), nullable=False)}
    for c in codebook.columns(kind):
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
            issues.append(Issue(followup.path, int(r["file_row"].iloc[0]), "q1", code,
                                f"municipality is in both exports (also {full.path} row {fr})"))
        raise SurveyValidationError(issues)
