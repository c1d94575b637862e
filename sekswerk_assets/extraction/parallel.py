"""Parse the weeks of a backfill range over a small process pool, one week per task.

A range run of ``parsed_ads`` (a year re-processed in one run) hands its weeks to
:func:`parse_weeks`. Each worker runs :func:`~sekswerk_assets.extraction.parse.parse_week` on one
week at a time, exactly as a single-week run does, and returns the week's frame and counts; the
caller writes once, so the DuckDB write stays in the ``duckdb`` pool of one. An optional ``finish``
function of ``(week, frame, stats)`` runs in the worker too (e.g. the week's Great Expectations suites,
which cost about as much as a fifth of the parsing), and its result is returned beside the frame.

Workers are forked: they inherit the snapshot store, the pseudonymiser (its key loaded once in the
parent) and the municipality matchers already built in the parent, so nothing secret is pickled and
nothing is rebuilt per week. Where ``fork`` is not available, or for a single week, the weeks are
parsed in the calling process, one after another.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from typing import Any
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from sekswerk_assets.extraction import parse

#: most worker processes a range run uses (the deployment has two cores)
MAX_WORKERS = 2

# what the forked workers inherit: (store, pseudonyms, matcher_for, finish); set only while a pool is alive
_JOB: tuple | None = None


def pool_size(n_weeks: int, limit: int | None = None) -> int:
    """Workers for ``n_weeks``: at most ``limit`` (default :data:`MAX_WORKERS`), the cores and the weeks."""
    return max(1, min(limit or MAX_WORKERS, os.cpu_count() or 1, n_weeks))


def _one_week(job: tuple, week: str) -> tuple[str, pd.DataFrame, parse.WeekStats, Any]:
    store, pseudonyms, matcher_for, finish = job
    df, stats = parse.parse_week(store, week, pseudonyms, matcher_for(week))
    return week, df, stats, (finish(week, df, stats) if finish else None)


def _parse_one(week: str):
    return _one_week(_JOB, week)


def parse_weeks(store, weeks: list[str], pseudonyms, matcher_for: Callable[[str], object],
                finish: Callable[[str, pd.DataFrame, parse.WeekStats], Any] | None = None,
                workers: int | None = None) -> Iterator[tuple[str, pd.DataFrame, parse.WeekStats, Any]]:
    """``(week, frame, stats, finish(...))`` of every week in ``weeks``, in their order, by up to ``workers`` processes.

    ``matcher_for(week)`` returns the municipality matcher of the week's measurement year.
    """
    global _JOB
    job = (store, pseudonyms, matcher_for, finish)
    n = pool_size(len(weeks), workers)
    if n == 1 or "fork" not in mp.get_all_start_methods():
        for week in weeks:
            yield _one_week(job, week)
        return
    pseudonyms.code("", "0")  # loads the pseudonym key once, before the fork, so the workers inherit it
    _JOB = job
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("fork")) as pool:
            yield from pool.map(_parse_one, weeks)
    finally:
        _JOB = None
