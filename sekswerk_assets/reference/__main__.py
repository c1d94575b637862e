"""Command line for the municipality reference: ``python -m sekswerk_assets.reference update --year Y``."""

from __future__ import annotations

import argparse
import sys

from sekswerk_assets.reference import loader
from sekswerk_assets.reference.update import UpdateFailed, update


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sekswerk_assets.reference", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("update", help="fetch the CBS reference of a newer year into the cache (needs internet)")
    up.add_argument("--year", type=int, required=True, help="year of the 1 January list (measurement year Y-1 uses it)")
    up.add_argument("--places-table", help="id of the CBS table 'Woonplaatsen in Nederland Y' (default: looked up)")
    up.add_argument("--cache-dir", help="folder to write to (default: $SEKSWERK_DATA_DIR/reference)")
    sub.add_parser("where", help="print the folders the reference is read from")
    args = parser.parse_args(argv)

    reference = loader.MunicipalityReference(cache_dir=getattr(args, "cache_dir", None))
    if args.command == "where":
        for folder in reference.folders():
            print(folder)
        return 0
    try:
        result = update(args.year, reference=reference, places_table=args.places_table)
    except (UpdateFailed, loader.ReferenceDataMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
