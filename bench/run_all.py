"""Run every benchmark and append a dated row per figure to bench/results/results.csv.

    python -m bench.run_all [--scale 1.0] [--weeks 52] [--snapshots DIR]

Each benchmark prints its own table; this collects the JSON line each one prints last, so any
change can be compared with the previous run (`column -s, -t bench/results/results.csv`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from bench.recording import RESULTS, append

def run(module: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, check=True)
    print(proc.stdout)
    last = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return json.loads(last[-1]) if last else {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="1.0")
    parser.add_argument("--weeks", default="52")
    parser.add_argument("--snapshots", default=None)
    args = parser.parse_args()
    # bench.collection appends its own rows only when run alone
    year_args = ["--scale", args.scale, "--weeks", args.weeks] + (["--snapshots", args.snapshots] if args.snapshots else [])
    figures = {
        "collection": run("bench.collection", "--scale", args.scale, "--no-record"),
        "extraction": run("bench.extraction", "--scale", args.scale),
        "year": run("bench.year", *year_args),
    }
    print(f"{append('', figures)} figures appended to {RESULTS}")


if __name__ == "__main__":
    main()
