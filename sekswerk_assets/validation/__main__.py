"""CLI of the validation sample: decrypt the coding sheet, encrypt the coded sheet back, simulate a coder.

    python -m sekswerk_assets.validation decrypt --year 2020 OUT.xlsx
    python -m sekswerk_assets.validation encrypt --year 2020 CODED.xlsx
    python -m sekswerk_assets.validation simulate-coder --year 2020      # sandbox only

The data folder and the key are those of the pipeline (``SEKSWERK_DATA_DIR``, ``SEKSWERK_SNAPSHOT_KEY``).
``encrypt`` checks the coded sheet first and writes nothing when it has a problem (exit status 2).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sekswerk_assets import settings
from sekswerk_assets.resources import DataDirResource
from sekswerk_assets.validation.sheet import CODED, CODING, CodedSheetError, coding_ids, parse_coded_sheet, \
    read_sealed, write_sealed


def data_dir() -> DataDirResource:
    return DataDirResource(data_dir=settings.get("SEKSWERK_DATA_DIR"), snapshot_key=settings.get("SEKSWERK_SNAPSHOT_KEY"))


def encrypt_coded(data: DataDirResource, year: str, xlsx: bytes, file: str) -> tuple[Path, int]:
    """Check a coded sheet against the year's coding sheet and encrypt it into the raw zone (all or nothing)."""
    cipher = data.cipher()
    expected = coding_ids(read_sealed(data.root, cipher, year, CODING), f"coding sheet {year}")
    coded = parse_coded_sheet(xlsx, file, expected)
    return write_sealed(data.root, cipher, year, CODED, xlsx), len(coded)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sekswerk_assets.validation", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    pd_ = sub.add_parser("decrypt", help="write the year's coding sheet (or --coded: the coded sheet) to OUT.xlsx")
    pd_.add_argument("--year", required=True)
    pd_.add_argument("--coded", action="store_true", help="decrypt the coded sheet instead of the coding sheet")
    pd_.add_argument("out")
    pe = sub.add_parser("encrypt", help="check CODED.xlsx and encrypt it into the raw zone as the year's coded sheet")
    pe.add_argument("--year", required=True)
    pe.add_argument("coded")
    ps = sub.add_parser("simulate-coder", help="sandbox: code the year's sheet from the sandbox ground truth")
    ps.add_argument("--year", required=True)
    ps.add_argument("--scale", type=float, default=None, help="sandbox scale (default: SEKSWERK_SANDBOX_SCALE)")
    args = parser.parse_args(argv)
    data = data_dir()
    try:
        if args.cmd == "decrypt":
            xlsx = read_sealed(data.root, data.cipher(), args.year, CODED if args.coded else CODING)
            out = Path(args.out)
            out.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(xlsx)
            print(f"wrote {out} (clear ad texts: keep it on an encrypted disk and delete it after coding)")
        elif args.cmd == "encrypt":
            path, n = encrypt_coded(data, args.year, Path(args.coded).read_bytes(), Path(args.coded).name)
            print(f"{n} coded ads checked; encrypted into {path}")
        else:
            from sekswerk_assets.sandbox.coder import simulate_coder

            scale = args.scale if args.scale is not None else float(settings.get("SEKSWERK_SANDBOX_SCALE"))
            xlsx = simulate_coder(read_sealed(data.root, data.cipher(), args.year, CODING), int(args.year), scale)
            path, n = encrypt_coded(data, args.year, xlsx, f"simulated coded sheet {args.year}")
            print(f"{n} ads coded from the sandbox ground truth; encrypted into {path}")
    except CodedSheetError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
