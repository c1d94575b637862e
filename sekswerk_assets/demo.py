"""Materialise the first sandbox weeks, their measurement year and the report into the local instance.

    python -m sekswerk_assets.demo --weeks 2020-08-25...2020-09-08
    python -m sekswerk_assets.demo --year 2021        # every week of a measurement year, then the year

Used by ``make demo`` and ``make backfill``. Runs are recorded in ``$DAGSTER_HOME`` (unset: ``./.dagster_home``,
the folder ``make ui`` uses) with the code location's repository tag,
so they appear under their jobs (``weekly_pipeline``, ``yearly_pipeline``) in the UI. The command
ends with a summary; if any run failed it prints that run's first error as its last line and exits 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shutil
import sys
from pathlib import Path

import dagster as dg

from sekswerk_assets import settings
from sekswerk_assets.partitions import parse_week, year_of_week

LOCATION = "sekswerk_assets"
#: the instance profile ``make dagster-home`` installs (SQLite, DuckDB pool limit 1)
LOCAL_PROFILE = Path(__file__).resolve().parents[1] / "deploy" / "local" / "dagster.yaml"
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


def reference_problem(years: list[str]) -> str | None:
    """The reference error the runs of ``years`` would hit (as one line), or None if the data is there.

    Checked before any run: without it the sandbox's own start-up error would be all a run says.
    """
    from sekswerk_assets.reference.loader import MunicipalityReference, ReferenceDataMissing, list_year_for, update_command

    reference = MunicipalityReference()  # SEKSWERK_REFERENCE_DIR or the packaged data, plus the cache
    for year in years:
        list_year = list_year_for(year)
        try:
            reference.municipalities(list_year)
            reference.places(list_year)
            reference.mergers()
        except ReferenceDataMissing as exc:
            message = str(exc).splitlines()[0]
            if "reference update" not in message:
                message += f"; a year's data can be fetched with: {update_command(list_year)}"
            return f"measurement year {year}: {message}"
    return None


def instance_home() -> Path:
    """``$DAGSTER_HOME``, or the Makefile's ``./.dagster_home`` when unset, with the local profile if it has none."""
    if not os.environ.get("DAGSTER_HOME"):
        os.environ["DAGSTER_HOME"] = str(Path.cwd() / ".dagster_home")
        logging.info("DAGSTER_HOME not set: using %s (as make ui does)", os.environ["DAGSTER_HOME"])
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists() and LOCAL_PROFILE.is_file():
        shutil.copy(LOCAL_PROFILE, home / "dagster.yaml")
    return home


def sandbox_only() -> bool:
    """All three sites are the embedded sandbox (no real URL configured)."""
    return not any(settings.get(f"SEKSWERK_{s.upper()}_URL") for s in ("kinky", "sexjobs", "topescortbabes"))


def validation_loop(job, year: str, instance: dg.DagsterInstance, done: list) -> int:
    """Sandbox only: code the year's validation sheet from the ground truth, then the accuracy and the report."""
    from sekswerk_assets.lib.keys import EXTRACTION_ACCURACY, REPORT
    from sekswerk_assets.validation.__main__ import main as validation_cli

    logging.info("validation %s: simulated coder fills the coding sheet from the sandbox ground truth", year)
    if validation_cli(["simulate-coder", "--year", year]) != 0:
        print(f"FAILED: simulated coding of the {year} validation sample", file=sys.stderr)
        return 1
    result = job.execute_in_process(partition_key=year, instance=instance, raise_on_error=False, tags=REPOSITORY_TAG,
                                    asset_selection=[EXTRACTION_ACCURACY, REPORT])
    if not result.success:
        print(f"FAILED: yearly_pipeline {year} accuracy and report (run {result.run_id})", file=sys.stderr)
        print(first_error(instance, result.run_id), file=sys.stderr)
        return 1
    done.append(("yearly_pipeline", f"{year} (accuracy + report)",
                 len({e.asset_key for e in result.get_asset_materialization_events()})))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--weeks", default="2020-08-25...2020-09-08", help="FIRST...LAST weekly partition keys")
    group.add_argument("--year", help="every week of this measurement year, then the year")
    parser.add_argument("--ui-url", default="http://127.0.0.1:3000", help="where the UI will be (for the summary)")
    args = parser.parse_args(argv)
    if args.year:
        from sekswerk_assets.partitions import weeks_of_year

        year_weeks = weeks_of_year(args.year)
        args.weeks = f"{year_weeks[0]}...{year_weeks[-1]}"
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    from sekswerk_assets.definitions import load_definitions

    weeks = week_range(args.weeks)
    years = sorted({year_of_week(w) for w in weeks})
    problem = reference_problem(years)
    if problem:
        print("FAILED: the CBS municipality reference is not available, nothing was run", file=sys.stderr)
        print(problem, file=sys.stderr)
        return 1
    instance_home()
    defs = load_definitions()
    instance = dg.DagsterInstance.get()
    done: list[tuple[str, str, int]] = []  # job, partition, assets materialised
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
            assets = {e.asset_key for e in result.get_asset_materialization_events()}
            done.append((job_name, key, len(assets)))
            logging.info("%s %s: success (%d assets)", job_name, key, len(assets))
            if job_name == "yearly_pipeline" and sandbox_only():
                failed = validation_loop(job, key, instance, done)
                if failed:
                    return failed
    reports = Path(settings.get("SEKSWERK_DATA_DIR")).resolve() / "reports"
    print(f"\nDemo done: {len(done)} runs, recorded in DAGSTER_HOME={instance.root_directory}")
    for job_name, key, n in done:
        print(f"  {job_name:<16} {key:<11} {n} assets materialised")
    for year in years:
        html = reports / year / f"nulmeting_{year}.html"
        status = "" if html.is_file() else "  (MISSING)"
        print(f"  report {year}: {html}{status} (Markdown twin beside it)")
    print(f"  UI: {args.ui_url}  (runs under Jobs -> weekly_pipeline / yearly_pipeline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
