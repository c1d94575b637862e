"""Partitions of the measurement, defined once.

Weekly partitions
    One partition per weekly measurement moment: Tuesdays, starting Tuesday
    25 August 2020 (the first measurement of the nulmeting), Europe/Amsterdam.
    Keys are ISO dates of the Tuesday (``2020-08-25``, ``2020-09-01``, ...).

Measurement years
    Year ``Y`` starts with the Tuesday on or before 25 August of ``Y`` and runs
    until the next year starts, so it holds 52 or 53 weekly measurements
    (``2020`` = 25 Aug 2020 .. 17 Aug 2021). Dagster has no calendar that fits
    (a cron cannot say "the Tuesday in 19-25 August") and no built-in mapping
    from weekly to static partitions, so:

    * the year keys are a ``StaticPartitionsDefinition`` over a fixed range, 2020 to
      :data:`LAST_YEAR`, written in the code. Every process (webserver, daemon, run
      worker) loads the same set on any day, so no two can disagree around 25 August.
      A year whose weeks have not happened yet is a partition without data: the
      automation never requests it, and materialising it by hand fails with "no
      weekly unique ads stored". Extending the range is a one-line change that shows
      in the definitions snapshot;
    * the weekly -> year mapping is the explicit pure functions below
      (:func:`year_of_week`, :func:`weeks_of_year`), tested on every boundary;
    * yearly assets declare their weekly upstreams with ``AllPartitionMapping``
      (lineage, backfill ordering: a backfill of weeks + years runs all weeks
      first) and read exactly the weeks of their year with
      :func:`weeks_of_year` (SQL ``WHERE measurement_week IN ...``). This works
      the same in a single run, a UI backfill and ``dagster asset materialize``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

TIMEZONE = "Europe/Amsterdam"
FIRST_MEASUREMENT = dt.date(2020, 8, 25)
FIRST_YEAR = 2020
#: last measurement year of the partition set (the Wrs evaluation horizon); extend when it nears
LAST_YEAR = 2040
WEEK_FMT = "%Y-%m-%d"
TUESDAY = 1  # date.weekday(): Monday = 0


def year_start(year: int) -> dt.date:
    """First measurement of measurement year ``year``: the Tuesday on or before 25 August."""
    anchor = dt.date(year, 8, 25)
    return anchor - dt.timedelta(days=(anchor.weekday() - TUESDAY) % 7)


def year_end(year: int) -> dt.date:
    """Last measurement (a Tuesday) of measurement year ``year``."""
    return year_start(year + 1) - dt.timedelta(days=7)


def weeks_of_year(year: int | str) -> list[str]:
    """Weekly partition keys that belong to measurement year ``year`` (52 or 53)."""
    y = int(year)
    start, end = year_start(y), year_end(y)
    n = (end - start).days // 7 + 1
    return [(start + dt.timedelta(weeks=i)).strftime(WEEK_FMT) for i in range(n)]


def parse_week(week: str) -> dt.date:
    """Parse and validate a weekly partition key (must be a Tuesday on or after the first measurement)."""
    day = dt.datetime.strptime(week, WEEK_FMT).date()
    if day.weekday() != TUESDAY or day < FIRST_MEASUREMENT:
        raise ValueError(
            f"{week!r} is not a weekly measurement key: keys are Tuesdays from {FIRST_MEASUREMENT}"
        )
    return day


def year_of_week(week: str | dt.date) -> str:
    """Measurement year key (``"2020"``) that contains the weekly partition ``week``."""
    day = parse_week(week) if isinstance(week, str) else week
    year = day.year if day >= year_start(day.year) else day.year - 1
    return str(year)


def week_of_date(day: dt.date) -> str:
    """Weekly partition key of the measurement week that contains ``day`` (Tuesday to Monday)."""
    tuesday = day - dt.timedelta(days=(day.weekday() - TUESDAY) % 7)
    return tuesday.strftime(WEEK_FMT)


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo(TIMEZONE)).date()


def measurement_year_keys(until: dt.date | None = None) -> list[str]:
    """Year keys from 2020 up to the measurement year that contains ``until`` (default: today): the years begun."""
    last = int(year_of_week(week_of_date(until or today())))
    return [str(y) for y in range(FIRST_YEAR, last + 1)]


weekly_partitions = dg.WeeklyPartitionsDefinition(
    start_date=FIRST_MEASUREMENT.strftime(WEEK_FMT),
    day_offset=2,  # 0 = Sunday, 2 = Tuesday
    timezone=TIMEZONE,
    end_offset=1,  # the running week is a partition: collection happens during the week itself
)

measurement_year_partitions = dg.StaticPartitionsDefinition([str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)])

#: ``partition_expr`` for weekly tables in DuckDB. The IO manager compares the partition column with
#: the time window's timestamps; week keys are stored as ISO strings, so the column is cast first
#: (a plain string comparison would select the following week).
WEEK_PARTITION_EXPR = "CAST(measurement_week AS TIMESTAMP)"
#: ``partition_expr`` for yearly tables: the year key is stored as a string column.
YEAR_PARTITION_EXPR = "measurement_year"
