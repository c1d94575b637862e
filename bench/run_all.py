"""Run every benchmark and append a dated row per figure to bench/results/results.csv.

    python -m bench.run_all [--scale 1.0] [--weeks 52] [--snapshots DIR]

Each benchmark prints its own table; this collects the JSON line each one prints last, so any
change can be compared with the previous run (`column -s, -t bench/results/results.csv`).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "results.csv"


def run(module: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, check=True)
    print(proc.stdout)
    last = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return json.loads(last[-1]) if last else {}


def flatten(prefix: str, value, out: dict) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(f"{prefix}.{k}" if prefix else k, v, out)
    elif isinstance(value, (int, float, str)) or value is None:
        out[prefix] = value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="1.0")
    parser.add_argument("--weeks", default="52")
    parser.add_argument("--snapshots", default=None)
    args = parser.parse_args()
    from sekswerk_assets.lib.metadata import code_version

    figures: dict = {}
    # bench.collection appends its own rows only when run alone
    flatten("collection", run("bench.collection", "--scale", args.scale, "--no-record"), figures)
    flatten("extraction", run("bench.extraction", "--scale", args.scale), figures)
    year_args = ["--scale", args.scale, "--weeks", args.weeks] + (["--snapshots", args.snapshots] if args.snapshots else [])
    flatten("year", run("bench.year", *year_args), figures)
    RESULTS.parent.mkdir(exist_ok=True)
    new = not RESULTS.exists()
    stamp = dt.datetime.now().isoformat(timespec="seconds")
    with RESULTS.open("a", newline="") as fh:
        writer = csv.writer(fh)
        if new:
            writer.writerow(["run_at", "code_version", "figure", "value"])
        for name, value in figures.items():
            writer.writerow([stamp, code_version(), name, value])
    print(f"{len(figures)} figures appended to {RESULTS}")


if __name__ == "__main__":
    main()
