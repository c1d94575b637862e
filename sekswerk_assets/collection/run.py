"""The collection core without Dagster: collect some sites for one week, given their base URLs and politeness.

:class:`~sekswerk_assets.collection.client.AdSitesResource` wraps this (it adds the embedded sandbox's
lifecycle, the config fields and the refusal of past weeks on real sites); ``bench.collection``'s
``project`` contender calls it directly. Neither Dagster, pydantic nor pandas is imported here, so a
collection run does not pay for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
from collections.abc import Callable, Mapping, Sequence

from sekswerk_assets.collection.adapters import ADAPTERS
from sekswerk_assets.collection.collector import CollectionResult, Politeness, RecordSink, SiteCollector, collect_sites
from sekswerk_assets.lib.snapshots import PageRecord

SANDBOX_WEEK_HEADER = "X-Sandbox-Week"
USER_AGENT = "sekswerk-assets/0.1 (WODC nulmeting research crawler; non-commercial; respects robots.txt)"


def default_politeness(
    *,
    sandbox: bool,
    user_agent: str = USER_AGENT,
    concurrency: int | None = None,
    rate_per_second: float | None = None,
    max_attempts: int = 5,
    timeout_s: float | None = None,
    page_budget: int = 60_000,
) -> Politeness:
    """Politeness of one site: unthrottled for the sandbox, slow and careful for a real site (unset values)."""
    return Politeness(
        user_agent=user_agent,
        concurrency=concurrency or (64 if sandbox else 2),
        rate_per_second=rate_per_second if rate_per_second is not None else (None if sandbox else 1.0),
        max_attempts=max_attempts,
        timeout_s=timeout_s or (3.0 if sandbox else 30.0),
        backoff_s=0.05 if sandbox else 5.0,
        page_budget=page_budget,
    )


def collect_outcomes(
    base_urls: Mapping[str, str],
    week: str,
    politeness: Mapping[str, Politeness],
    *,
    sandbox_sites: Sequence[str] = (),
    http_client: str = "aiohttp",
    chromium_path: str | None = None,
    progress: Callable[[str], None] | None = None,
    sink: Callable[[str, PageRecord], None] | None = None,
    keep_bodies: bool | None = None,
    worker_process: bool | None = None,
    on_site_done: Callable[[str, CollectionResult], None] | None = None,
) -> dict[str, CollectionResult | BaseException]:
    """Collect the sites of ``base_urls`` (site -> base URL) concurrently, one event loop and one browser.

    ``sandbox_sites``: the sites served by the project's sandbox (they get the week header, and Chromium's
    own sandbox is switched off only when every site is one). ``sink(site, record)``, if given, receives
    every page record in a writer thread and has received all of them when this returns. The results'
    records keep their page bodies only without a sink, or with ``keep_bodies=True`` (with a sink, a body
    handed over is kept as ``b""``: the record stays ``ok``, the memory is freed). A site that failed maps
    to its exception.

    ``on_site_done(site, result)``, with a sink, is called in the writer thread as soon as a site is collected
    and the sink has all of its records (e.g. to write its snapshot while the other sites are still being
    fetched); an error it raises is raised here. It is not called for a site that failed.

    ``worker_process``: whether one site's static pages are fetched by a worker process of its own
    (``collection.worker``: the first site whose only browser step is a wall). By default it is, when two
    or more sites are collected with a sink on a machine with two or more cores.
    """
    sites = list(base_urls)
    sandbox = set(sandbox_sites)
    writer = RecordSink(sink) if sink is not None else None
    keep = keep_bodies if keep_bodies is not None else writer is None
    collectors = [
        SiteCollector(
            ADAPTERS[site],
            base_urls[site],
            politeness[site],
            extra_headers={SANDBOX_WEEK_HEADER: week} if site in sandbox else {},
            http_client=http_client,
            progress=progress,
            emit=writer.put if writer is not None else None,
            keep_bodies=keep,
            on_done=_after_writes(writer, on_site_done, site),
        )
        for site in sites
    ]
    local = all(site in sandbox for site in sites)
    if worker_process is None:
        worker_process = len(collectors) > 1 and (os.cpu_count() or 1) > 1
    in_worker = next(([c] for c in collectors if worker_process and c.can_run_in_worker), [])
    try:
        with fewer_gc_passes():
            results = asyncio.run(collect_sites(collectors, chromium_path=chromium_path, local_sandbox_target=local,
                                                in_worker=in_worker))
    finally:
        if writer is not None:
            writer.close()
    return dict(zip(sites, results))


def _after_writes(writer: RecordSink | None, on_site_done, site: str):
    """A site's ``on_done``: ``on_site_done(site, result)`` queued in the writer thread behind the site's records."""
    if writer is None or on_site_done is None:
        return None
    return lambda result: writer.after(lambda: on_site_done(site, result))


#: gen-0 threshold of the cyclic garbage collector while fetching (Python's default is 700)
GC_GEN0_THRESHOLD = 50_000


@contextlib.contextmanager
def fewer_gc_passes():
    """Fewer cyclic-GC passes while fetching.

    A week allocates millions of short-lived objects (requests, headers, records) that reference counting
    frees; the cyclic collector's passes over them, and its full passes over the whole heap (the imported
    modules, and in a Dagster run the code location), cost over a second of CPU per week. Gen 0 is
    collected every ``GC_GEN0_THRESHOLD`` allocations instead of every 700 meanwhile, so the older
    generations are too, proportionally; the thresholds are restored afterwards.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], GC_GEN0_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
