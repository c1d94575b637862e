"""Materialise the first sandbox weeks into the local Dagster instance (used by ``make demo``).

    python -m sekswerk_assets.demo --weeks 2020-08-25...2020-09-08

Runs are recorded in ``$DAGSTER_HOME`` so they show in the UI afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging

import dagster as dg

from sekswerk_assets.partitions import parse_week, year_of_week


def week_range(spec: str) -> list[str]:
    first, _, last = spec.partition("...")
    start, end = parse_week(first), parse_week(last or first)
    return [(start + dt.timedelta(weeks=i)).isoformat() for i in range((end - start).days // 7 + 1)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", default="2020-08-25...2020-09-08")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    from sekswerk_assets.definitions import defs

    instance = dg.DagsterInstance.get()
    weeks = week_range(args.weeks)
    years = sorted({year_of_week(w) for w in weeks})
    for job_name, keys in (("weekly_pipeline", weeks), ("yearly_pipeline", years)):
        job = defs.resolve_job_def(job_name)
        for key in keys:
            logging.info("materialising %s partition %s", job_name, key)
            result = job.execute_in_process(partition_key=key, instance=instance, raise_on_error=False)
            logging.info("%s %s: %s", job_name, key, "success" if result.success else "FAILED")


if __name__ == "__main__":
    main()
