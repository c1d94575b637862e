"""Materialise the first sandbox weeks, their measurement year and the report into the local instance.

    python -m sekswerk_assets.demo --weeks 2020-08-25...2020-09-08
    python -m sekswerk_assets.demo --year 2021        # every week of a measurement year, then the year

Used by ``make demo``. Runs are recorded in ``$DAGSTER_HOME`` with the code location's repository tag,
so they appear under their jobs (``weekly_pipeline``, ``yearly_pipeline``) in the UI. The command
ends with a summary; if any run failed it prints that run's first error as its last line and exits 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path

import dagster as dg

from sekswerk_assets import settings
from sekswerk_assets.partitions import parse_week, year_of_week

LOCATION = "sekswerk_assets"
#: the tag the UI uses to list a run under its job in this code location
REPOSITORY_TAG = {".dagster/repository": f"__repository__@{LOCATION}"}


def week_range(spec: str) -> list[str]:
    first, _, last = spec.partition("...")
    start, end = parse_week(first), parse_week(last or first)
    return [(start + dt.timedelta(weeks=i)).isoformat() for i in range((end - start).days // 7 + 1)]


def first_error(instance: dg.DagsterInstance, run_id: str) -> str:
    """The first step failure of a run, as one line (the error's class and message)."""
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        error = record.dagster_event.event_specific_data.error
        while error.cause is not None and error.cls_name in ("DagsterExecutionStepExecutionError",):
            error = error.cause
        message = error.message.strip().splitlines()[0] if error.message else error.cls_name
        return f"{record.dagster_event.step_key}: {message}"
    return "run failed before any step (see the run's logs in the UI)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--weeks", default="2020-08-25...2020-09-08", help="FIRST...LAST weekly partition keys")
    group.add_argument("--year", help="every week of this measurement year, then the year")
    args = parser.parse_args(argv)
    if args.year:
        from sekswerk_assets.partitions import weeks_of_year

        year_weeks = weeks_of_year(args.year)
        args.weeks = f"{year_weeks[0]}...{year_weeks[-1]}"
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    from sekswerk_assets.definitions import load_definitions

    defs = load_definitions()
    instance = dg.DagsterInstance.get()
    weeks = week_range(args.weeks)
    years = sorted({year_of_week(w) for w in weeks})
    done: list[str] = []
    for job_name, keys in (("weekly_pipeline", weeks), ("yearly_pipeline", years)):
        job = defs.resolve_job_def(job_name)
        for key in keys:
            logging.info("materialising %s partition %s", job_name, key)
            result = job.execute_in_process(partition_key=key, instance=instance, raise_on_error=False,
                                            tags=REPOSITORY_TAG)
            if not result.success:
                print(f"FAILED: {job_name} {key} (run {result.run_id})", file=sys.stderr)
                print(first_error(instance, result.run_id), file=sys.stderr)
                return 1
            done.append(f"{job_name} {key}")
            logging.info("%s %s: success", job_name, key)
    reports = Path(settings.get("SEKSWERK_DATA_DIR")) / "reports"
    print("\nDemo materialised:")
    for item in done:
        print(f"  {item}")
    for year in years:
        print(f"  report: {reports / year / f'nulmeting_{year}.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
