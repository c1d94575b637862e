"""Command line: ``predict`` (JSONL in -> extracted variables as JSONL out) and ``evaluate`` (labelled JSONL).

    python -m sekswerk_assets.extraction predict --year 2020 IN.jsonl > OUT.jsonl
    python -m sekswerk_assets.extraction evaluate --year 2020 LABELLED.jsonl [--json]

The year selects the municipality list (CBS list of 1 January year+1). Reference files come from
``--reference-dir`` or ``SEKSWERK_REFERENCE_DIR``. Errors name the file, line and key, never ad text.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from sekswerk_assets.extraction.evaluate import VARIABLES, evaluate, format_table
from sekswerk_assets.extraction.municipality import MunicipalityMatcher
from sekswerk_assets.extraction.predict import GENDERS, REGION_NAMES, TERMS, WORK_TYPES, InputError, predict_record


def read_jsonl(path: Path, labelled: bool = False) -> list[dict]:
    rows, seen = [], set()
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}: line {n}: not valid JSON ({exc.msg})") from None
            if not isinstance(rec, dict) or "id" not in rec or not isinstance(rec.get("text"), str):
                raise InputError(f"{path}: line {n}: a record needs 'id' and a string 'text'")
            if rec["id"] in seen:
                raise InputError(f"{path}: line {n}: duplicated id {rec['id']!r}")
            seen.add(rec["id"])
            if rec.get("fields") is not None and not isinstance(rec["fields"], dict):
                raise InputError(f"{path}: line {n}: 'fields' must be an object (label -> value)")
            if labelled:
                _check_labels(path, n, rec.get("labels"))
            rows.append(rec)
    return rows


def _check_labels(path: Path, n: int, labels) -> None:
    if not isinstance(labels, dict):
        raise InputError(f"{path}: line {n}: 'labels' must be an object")
    unknown = set(labels) - set(VARIABLES)
    if unknown:
        raise InputError(f"{path}: line {n}: unknown label key(s) {sorted(unknown)}")
    allowed = {"gender": GENDERS, "origin_region": tuple(REGION_NAMES.values())}
    for key, values in allowed.items():
        if labels.get(key) is not None and labels[key] not in values:
            raise InputError(f"{path}: line {n}: labels.{key} must be one of {list(values)} or null")
    for key, values in (("work_types", WORK_TYPES), ("licensed_terms_found", TERMS)):
        v = labels.get(key)
        if v is not None and (not isinstance(v, list) or set(v) - set(values)):
            raise InputError(f"{path}: line {n}: labels.{key} must be a list of {list(values)} or null")
    if labels.get("licensed_work") not in (None, True, False):
        raise InputError(f"{path}: line {n}: labels.licensed_work must be true, false or null")


def matcher_for(year: int, reference_dir: str | None) -> MunicipalityMatcher:
    from sekswerk_assets.reference.loader import MunicipalityReference

    ref = MunicipalityReference(directory=reference_dir) if reference_dir else MunicipalityReference()
    return MunicipalityMatcher.from_reference(ref, year)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sekswerk_assets.extraction", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    for name in ("predict", "evaluate"):
        p = sub.add_parser(name)
        p.add_argument("--year", type=int, required=True, help="measurement year (selects the municipality list)")
        p.add_argument("--reference-dir", default=os.environ.get("SEKSWERK_REFERENCE_DIR"))
        p.add_argument("path", type=Path)
        if name == "evaluate":
            p.add_argument("--json", action="store_true", help="print the table as JSON")
    args = ap.parse_args(argv)
    try:
        records = read_jsonl(args.path, labelled=args.command == "evaluate")
    except (InputError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        matcher = matcher_for(args.year, args.reference_dir)
    except (FileNotFoundError, ValueError) as exc:  # ReferenceDataMissing is a FileNotFoundError
        print(f"error: {str(exc).splitlines()[0][:400]}", file=sys.stderr)
        return 2
    if args.command == "predict":
        out = sys.stdout
        for rec in records:
            out.write(json.dumps(predict_record(rec, matcher), ensure_ascii=False) + "\n")
        return 0
    preds = {rec["id"]: predict_record(rec, matcher) for rec in records}
    labels = {rec["id"]: {v: rec["labels"].get(v) for v in VARIABLES} for rec in records}
    rows = evaluate(labels, preds)
    if args.json:
        print(json.dumps({"n": len(records), "variables": rows}, indent=1))
    else:
        print(f"{args.path.name}: {len(records)} labelled ads, measurement year {args.year}")
        print(format_table(rows))
    return 0
