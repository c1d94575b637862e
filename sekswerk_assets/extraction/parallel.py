"""Parse the weeks of a backfill range over a small process pool, one week per task.

A range run of ``parsed_ads`` (a year re-processed in one run) hands its weeks to
:func:`parse_weeks`. Each worker runs :func:`~sekswerk_assets.extraction.parse.parse_week` on one
week at a time, exactly as a single-week run does, and returns the week's frame and counts; the
caller writes once, so the DuckDB write stays in the ``duckdb`` pool of one. An optional ``finish``
function of ``(week, frame, stats)`` runs in the worker too (e.g. the week's Pandera and Great
Expectations checks, which cost about a third as much as the parsing).

Each worker parses one run of consecutive weeks, in order, so the previous week's parsed pages (most
pages are unchanged from one week to the next) are at hand. Workers are forked: they inherit the
snapshot store, the pseudonymiser (its key loaded once in the parent) and the municipality matchers
already built in the parent, so nothing secret is pickled and nothing is rebuilt per week. Where
``fork`` is not available, or for a single week, the weeks are parsed in the calling process, one
after another.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from sekswerk_assets.extraction import parse

#: most worker processes a range run uses (the deployment has two cores)
MAX_WORKERS = 2
T = TypeVar("T")
R = TypeVar("R")

# what the forked workers inherit: the function to map; set only while a pool is alive
_FN: Callable | None = None


def pool_size(n_items: int, limit: int | None = None) -> int:
    """Workers for ``n_items``: at most ``limit`` (default :data:`MAX_WORKERS`), the cores and the items."""
    return max(1, min(limit or MAX_WORKERS, os.cpu_count() or 1, n_items))


def _call(item):
    return _FN(item)


def contiguous_chunks(items: list[T], n: int) -> list[list[T]]:
    """``items`` split in ``n`` runs of consecutive items whose lengths differ by at most one."""
    size, extra = divmod(len(items), n)
    chunks, start = [], 0
    for i in range(n):
        end = start + size + (i < extra)
        chunks.append(items[start:end])
        start = end
    return chunks


def fork_map(fn: Callable[[T], R], items: list[T], workers: int | None = None,
             contiguous: bool = False) -> Iterator[R]:
    """``fn(item)`` of every item, in their order, over up to ``workers`` forked processes.

    ``fn`` is inherited by the forked workers, never pickled (it may be a closure over the run's objects);
    only the items and the results are. One worker (or no ``fork``) runs it here, one item after another.
    ``contiguous``: each worker takes one run of consecutive items, in order (see :func:`contiguous_chunks`),
    so what a worker keeps from one item for the next (the previous week's parsed pages) stays useful;
    otherwise an idle worker takes the next item.
    """
    global _FN
    n = pool_size(len(items), workers)
    if n == 1 or "fork" not in mp.get_all_start_methods():
        yield from map(fn, items)
        return
    _FN = fn
    ctx = mp.get_context("fork")
    # The workers inherit the parent's heap. Frozen, its objects are left out of every garbage collection
    # in the workers (as the gc module's documentation advises before a fork): a worker's collector never
    # walks, and never writes to, the objects it inherited, which keeps their pages shared, and a worker is
    # not exposed to an inherited object that another thread of the parent was changing at the fork (seen
    # once: a worker's full collection crashed with a segmentation fault). Unfrozen when the pool is done.
    gc.collect()
    gc.freeze()
    try:
        if not contiguous:
            with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
                yield from pool.map(_call, items)
            return
        pools = [ProcessPoolExecutor(max_workers=1, mp_context=ctx) for _ in range(n)]
        try:  # one single-process pool per run: it runs its items one after another, in their order
            futures = [pool.submit(_call, item) for pool, chunk in zip(pools, contiguous_chunks(items, n))
                       for item in chunk]
            for future in futures:
                yield future.result()
        finally:
            for pool in pools:
                pool.shutdown(cancel_futures=True)
    finally:
        _FN = None
        gc.unfreeze()


def parse_weeks(store, weeks: list[str], pseudonyms, matcher_for: Callable[[str], object],
                finish: Callable[[str, pd.DataFrame, parse.WeekStats], tuple[pd.DataFrame, Any]] | None = None,
                workers: int | None = None) -> Iterator[tuple[str, pd.DataFrame, parse.WeekStats, Any]]:
    """``(week, frame, stats, extra)`` of every week in ``weeks``, in their order, by up to ``workers`` processes.

    ``matcher_for(week)`` returns the municipality matcher of the week's measurement year. ``finish(week,
    frame, stats)``, run in the worker, returns the frame to hand back (e.g. the validated one) and ``extra``,
    what else the caller needs of the week (e.g. its checks); without it ``extra`` is None.
    """

    def one_week(week: str):
        df, stats = parse.parse_week(store, week, pseudonyms, matcher_for(week))
        if finish is None:
            return week, df, stats, None
        df, extra = finish(week, df, stats)  # the frame comes back once: finish's, in place of the parsed one
        return week, df, stats, extra

    if pool_size(len(weeks), workers) > 1:
        pseudonyms.code("", "0")  # loads the pseudonym key once, before the fork, so the workers inherit it
    # consecutive weeks per worker: a week reuses the results of the pages its worker parsed the week before
    yield from fork_map(one_week, weeks, workers, contiguous=True)
