"""Benchmark: one sandbox week collected by the project and by two plain collectors, side by side.

    python -m bench.collection [--scale 1.0] [--week 2020-11-24] [--pairs 3]

One sandbox server (scale as given) serves every run. In each round the four contenders run one after
another, each in a fresh subprocess over the same week and the same server:

  project          the project's collector without Dagster: all three sites, stored encrypted and
                   compressed with their manifest through ``SnapshotStore`` (stage, checks, promote)
  project_dagster  ``dg.materialize`` of the three ``raw_snapshots/<site>`` assets (temporary instance,
                   DuckDB and data folder; resources from ``environment.build_resources``)
  scrapy           a plain Scrapy 2.x spider (``bench/baselines/scrapy_spider.py``)
  aiohttp          a plain aiohttp + selectolax fetcher (``bench/baselines/aiohttp_fetcher.py``)

Before the first round an untimed aiohttp pass warms the server's render cache, so that no contender
pays for rendering the pages the first time. Every run reports the pages it fetched (robots.txt, every
listing page of every section, the API pages of the JavaScript listing, every ad page); the bench stops
with an error when a contender's page set differs from the aiohttp fetcher's by more than 1%. The
project's own extra browser pages (the two walls and the JavaScript listing's shell) are counted apart.

Measured per run, for the contender's whole process tree (the sandbox server is not part of it):
wall time from the subprocess's start to the end of its work; CPU time (user + system) of the process
and all its descendants, from ``getrusage(RUSAGE_CHILDREN)`` around the subprocess (or the sum of the
processes' sampled CPU times, when larger); peak RSS of the tree, sampled every 50 ms with psutil, and
peak PSS (a page shared by several processes counted once), sampled every 250 ms and whenever the tree's
RSS has grown by 5% since the last PSS reading. PSS is dear to read: the kernel walks every mapping of the process (about 3 ms of
CPU per Chromium process), so a 50 ms PSS sweep over the project's 11 processes took half a core of this
2-core machine away from the contender it measured, and more from the contender with more processes. The table shows medians; the figures and
ratios are appended to ``bench/results/results.csv`` (``collection.<contender>.<measure>``,
``collection.ratio.<a>_over_<b>.<measure>``) unless ``--no-record``. The last line printed is JSON.

Needs the ``bench`` extra (``pip install -e '.[bench]'``: Scrapy and aiohttp).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from bench.recording import RESULTS, append

REPO = Path(__file__).resolve().parents[1]
CONTENDERS = ("project", "project_dagster", "scrapy", "aiohttp")
REFERENCE = "aiohttp"  # the page set every other contender is compared with
MAX_PAGE_SET_DIFFERENCE = 0.01
SAMPLE_SECONDS = 0.05
PSS_SAMPLE_SECONDS = 0.25  # PSS costs the kernel a page-table walk per process: read less often
TARGETS = {  # issue 11's acceptance targets
    "project_over_scrapy.wall": 0.5,
    "project_dagster_over_scrapy.wall": 0.5,
    "project_over_aiohttp.wall": 2.0,
    "project_over_aiohttp.cpu": 3.0,
    "project.peak_pss_mb": 600.0,
    "project_dagster.peak_pss_mb": 600.0,
}


class TreeSampler:
    """Samples RSS (every 50 ms) and PSS (every 250 ms, and when RSS grew 5%) of a process tree; keeps the peaks.

    ``pss_interval=None`` reads RSS and CPU only (bench.year: its own process tree's peak RSS).

    Also keeps each process's last seen CPU time, a lower bound of the tree's CPU that does not depend
    on every descendant being waited for by its parent.
    """

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS, pss_interval: float | None = PSS_SAMPLE_SECONDS):
        self.root = psutil.Process(pid)
        self.interval = interval
        self.pss_interval = pss_interval
        self._last_pss = float("-inf")
        self._rss_at_last_pss = 0
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_processes = 0
        self.cpu_seen: dict[tuple[int, float], float] = {}
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        rss = 0
        alive: list[psutil.Process] = []
        for p in procs:
            try:
                with p.oneshot():
                    mem = p.memory_info()
                    cpu = p.cpu_times()
                    key = (p.pid, p.create_time())
            except psutil.Error:
                continue
            alive.append(p)
            rss += mem.rss
            self.cpu_seen[key] = cpu.user + cpu.system
        now = time.monotonic()
        if self.pss_interval is not None and (rss > 1.05 * self._rss_at_last_pss
                                              or now - self._last_pss >= self.pss_interval):
            self._last_pss, self._rss_at_last_pss = now, rss
            pss = 0
            for p in alive:
                try:
                    pss += p.memory_full_info().pss
                except psutil.Error:
                    continue
            self.peak_pss = max(self.peak_pss, pss)
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_processes = max(self.peak_processes, len(alive))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeSampler":
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()


# ----------------------------------------------------------------------------------------------- contenders
def _pages_of_records(site: str, records) -> tuple[list, int]:
    """(site, category, url) of the arrived pages; the browser's own pages (walls, JS shell) are counted apart."""
    from bench.baselines.sites import category_of, page_key

    pages, extra = [], 0
    for rec in records:
        if not rec.ok:
            continue
        category = "other" if rec.page_type == "wall" else category_of(site, page_key(rec.url))
        if category == "other":
            extra += 1
        else:
            pages.append((site, category, rec.url))
    return pages, extra


def contender_project(urls: dict, scale: float, week: str, tmp: Path, seed: int | None = None) -> dict:
    """The project's collector and snapshot store, without Dagster (``collection.run``, as the resource calls it)."""
    from sekswerk_assets.collection.adapters import SITES
    from sekswerk_assets.collection.run import collect_outcomes, default_politeness
    from sekswerk_assets.lib.crypto import Cipher, new_key
    from sekswerk_assets.lib.snapshots import SnapshotStore, snapshot_checks

    start = time.perf_counter()
    store = SnapshotStore(tmp / "data", Cipher(new_key()))
    writers = {site: store.writer(site, week) for site in SITES}
    staged_early: dict = {}

    def stage_when_collected(site: str, result) -> None:  # as the asset does: written aside as each site is in
        summary = {"site": site, "week": week, **result.summary(), "synthetic": True, "sandbox_seed": seed}
        staged_early[site] = writers[site].stage(summary)

    # as the asset does: pages are compressed by the writer thread while fetching goes on
    results = collect_outcomes({site: urls[site] for site in SITES}, week,
                               {site: default_politeness(sandbox=True) for site in SITES}, sandbox_sites=SITES,
                               progress=lambda m: None, sink=lambda site, rec: writers[site].add(rec),
                               on_site_done=stage_when_collected)
    pages, extra = [], 0
    for site in SITES:
        result = results[site]
        if isinstance(result, BaseException):
            raise result
        staged = staged_early[site]  # then checked and promoted
        try:
            store.promote(staged, snapshot_checks(staged.summary, None))
        finally:
            staged.discard()
        site_pages, site_extra = _pages_of_records(site, result.records)
        pages += site_pages
        extra += site_extra
    return {"work_seconds": time.perf_counter() - start, "pages": pages, "browser_pages": extra,
            "collect_many": True}


def contender_project_dagster(urls: dict, scale: float, week: str, tmp: Path) -> dict:
    """``dg.materialize`` of the three raw-snapshot assets in this (fresh) process."""
    start = time.perf_counter()
    import dagster as dg

    from sekswerk_assets.collection.adapters import SITES
    from sekswerk_assets.collection.client import AdSitesResource
    from sekswerk_assets.definitions import load_definitions
    from sekswerk_assets.environment import build_resources
    from sekswerk_assets.lib.crypto import Cipher, new_key
    from sekswerk_assets.lib.keys import raw_snapshot_key
    from sekswerk_assets.lib.pseudonym import PseudonymResource
    from sekswerk_assets.lib.snapshots import PageRecord, SnapshotStore
    from sekswerk_assets.reference.loader import MunicipalityReference
    from sekswerk_assets.resources import DataDirResource
    from sekswerk_assets.survey.source import SurveySource

    key = new_key()
    data = tmp / "data"
    data.mkdir()
    defs = load_definitions()
    res = build_resources(
        database=str(tmp / "warehouse.duckdb"),
        data=DataDirResource(data_dir=str(data), snapshot_key=key),
        reference=MunicipalityReference(directory=os.environ.get("SEKSWERK_REFERENCE_DIR") or None),
        ad_sites=AdSitesResource(sandbox_base_urls=urls, sandbox_scale=scale),
        pseudonyms=PseudonymResource(key=new_key(), data_dir=str(data)),
        survey_source=SurveySource(survey_dir=str(tmp / "survey")),
    )
    selection = dg.AssetSelection.assets(*(raw_snapshot_key(s) for s in SITES))
    with dg.instance_for_test() as instance:
        result = dg.materialize(list(defs.assets), selection=selection, partition_key=week, resources=res,
                                instance=instance)
    if not result.success:
        raise RuntimeError("materialising raw_snapshots failed")
    # the work ends with the run (and the instance's teardown); reading the manifests back to list the pages
    # is the bench's own bookkeeping (the project contender lists them from the records it already holds)
    done_at = time.time()
    work = time.perf_counter() - start
    store = SnapshotStore(data, Cipher(key))
    pages, extra = [], 0
    for site in SITES:
        rows = store.manifest(site, week)
        records = [PageRecord(r.page_type, r.url, int(r.status), b"" if r.ok else None, int(r.attempts),
                              error=None if r.ok else "failed") for r in rows.itertuples()]
        site_pages, site_extra = _pages_of_records(site, records)
        pages += site_pages
        extra += site_extra
    return {"work_seconds": work, "done_at": done_at, "pages": pages, "browser_pages": extra}


def contender_scrapy(urls: dict, scale: float, week: str, tmp: Path) -> dict:
    from bench.baselines import scrapy_spider

    return scrapy_spider.run(urls, week)


def contender_aiohttp(urls: dict, scale: float, week: str, tmp: Path) -> dict:
    from bench.baselines import aiohttp_fetcher

    return aiohttp_fetcher.run(urls, week)


RUNNERS = {"project": contender_project, "project_dagster": contender_project_dagster,
           "scrapy": contender_scrapy, "aiohttp": contender_aiohttp}


def child_main(args) -> None:
    """Run one contender in this process and write what it fetched to ``--out``."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{args.contender}-") as tmp:
        extra = {"seed": args.seed} if args.contender == "project" else {}
        out = RUNNERS[args.contender](json.loads(args.urls), args.scale, args.week, Path(tmp), **extra)
        out.setdefault("done_at", time.time())  # the end of the work (not of the cleanup and the exit)
        Path(args.out).write_text(json.dumps(out))


# ------------------------------------------------------------------------------------------------- parent
def measure(contender: str, urls: dict, scale: float, week: str, seed: int | None = None) -> dict:
    """One run of ``contender`` in a fresh subprocess: wall, CPU and memory of its whole process tree."""
    with tempfile.TemporaryDirectory(prefix="bench-collection-") as tmp:
        out = Path(tmp) / "out.json"
        cmd = [sys.executable, "-m", "bench.collection", "--contender", contender, "--urls", json.dumps(urls),
               "--scale", str(scale), "--week", week, "--out", str(out)]
        if seed is not None:
            cmd += ["--seed", str(seed)]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started_at = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        with TreeSampler(proc.pid) as sampler:
            output, _ = proc.communicate()
        process_wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            sys.stdout.write(output.decode(errors="replace")[-4000:])
            raise RuntimeError(f"contender {contender} failed with exit code {proc.returncode}")
        res = json.loads(out.read_text())
    cpu_rusage = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    cpu_sampled = sum(sampler.cpu_seen.values())
    pages = {(s, c, _key(u)) for s, c, u in res["pages"]}
    return {
        "contender": contender,
        "wall_s": res["done_at"] - started_at,
        "process_wall_s": process_wall,
        "work_s": res["work_seconds"],
        "cpu_s": max(cpu_rusage, cpu_sampled),
        "cpu_rusage_s": cpu_rusage,
        "cpu_sampled_s": cpu_sampled,
        "peak_rss_mb": sampler.peak_rss / 2**20,
        "peak_pss_mb": sampler.peak_pss / 2**20,
        "processes": sampler.peak_processes,
        "pages": len(res["pages"]),
        "browser_pages": res.get("browser_pages", 0),
        "collect_many": res.get("collect_many"),
        "page_set": pages,
    }


def _key(url: str) -> str:
    from bench.baselines.sites import page_key

    return page_key(url)


def compare_pages(runs: list[dict], reference: set) -> list[str]:
    """Problems: runs whose page count or page set differs from the reference by more than 1%."""
    problems = []
    for run in runs:
        n, ref = len(run["page_set"]), len(reference)
        differ = len(run["page_set"] ^ reference)
        if abs(n - ref) > MAX_PAGE_SET_DIFFERENCE * ref or differ > MAX_PAGE_SET_DIFFERENCE * ref:
            problems.append(f"{run['contender']}: {n} pages ({run['pages']} fetched), {differ} differ from the "
                            f"{REFERENCE} fetcher's {ref}; e.g. {sorted(run['page_set'] ^ reference)[:3]}")
    return problems


def run(scale: float, week: str, rounds: int, contenders=CONTENDERS, *, warm_up: bool = True, keep_runs: bool = False,
        log=print) -> dict:
    """Serve the week once, run the contenders alternately for ``rounds`` rounds, return medians and ratios.

    Without ``warm_up`` the first run's page set is the reference; ``keep_runs`` adds every run (with its
    page set) under ``"runs"``.
    """
    from sekswerk_assets.sandbox import SandboxServer, load_config

    runs: list[dict] = []
    config = load_config(scale=scale)
    with SandboxServer(config) as urls:
        warm = measure(REFERENCE, urls, scale, week) if warm_up or REFERENCE not in contenders else None
        reference = warm["page_set"] if warm else None
        if warm:
            log(f"warm-up ({REFERENCE}, untimed): {warm['pages']} pages")
        for r in range(1, rounds + 1):
            for contender in contenders:
                one = measure(contender, urls, scale, week, seed=config.seed)
                runs.append(one)
                log(f"round {r} {contender:16s} wall {one['wall_s']:6.2f} s  cpu {one['cpu_s']:6.2f} s  "
                    f"pss {one['peak_pss_mb']:6.0f} MB  rss {one['peak_rss_mb']:6.0f} MB  pages {one['pages']}"
                    + (f" (+{one['browser_pages']} browser)" if one["browser_pages"] else ""))
                if reference is None:
                    reference = one["page_set"]
                problems = compare_pages([one], reference)
                if problems:
                    raise SystemExit("PAGE SETS DIFFER (more than 1%):\n  " + "\n  ".join(problems))
    out = summarise(runs, scale, week, rounds, len(reference))
    if keep_runs:
        out["runs"] = runs
    return out


def summarise(runs: list[dict], scale: float, week: str, rounds: int, reference_pages: int) -> dict:
    out: dict = {"scale": scale, "week": week, "rounds": rounds, "reference_pages": reference_pages}
    measures = ("wall_s", "process_wall_s", "work_s", "cpu_s", "cpu_rusage_s", "cpu_sampled_s", "peak_rss_mb",
                "peak_pss_mb", "processes", "pages")
    for contender in dict.fromkeys(r["contender"] for r in runs):
        mine = [r for r in runs if r["contender"] == contender]
        out[contender] = {m: round(statistics.median(r[m] for r in mine), 3 if m.endswith("_s") else 1)
                          for m in measures}
        out[contender]["peak_pss_mb_max"] = round(max(r["peak_pss_mb"] for r in mine), 1)
        out[contender]["wall_s_runs"] = " ".join(f"{r['wall_s']:.2f}" for r in mine)
    ratio = {}
    for a in ("project", "project_dagster"):
        for b in ("scrapy", "aiohttp"):
            if a in out and b in out:
                ratio[f"{a}_over_{b}"] = {m.removesuffix("_s"): round(out[a][m] / out[b][m], 3) for m in ("wall_s", "cpu_s")}
    out["ratio"] = ratio
    return out


def target_line(name: str, value: float | None) -> str:
    limit = TARGETS[name]
    if value is None:
        return f"  {name:34s} {'-':>8}   target <= {limit:g}"
    verdict = "met" if value <= limit else "NOT met"
    return f"  {name:34s} {value:8.3f}   target <= {limit:g}: {verdict}"


def report(res: dict, log=print) -> None:
    log(f"\ncollection benchmark: scale {res['scale']}, week {res['week']}, {res['rounds']} rounds, medians; "
        f"{res['reference_pages']} pages (robots, listings, API pages, ads) per run")
    log(f"{'contender':16s} {'wall s':>7} {'cpu s':>7} {'pss MB':>7} {'rss MB':>7} {'procs':>5} {'pages':>6}   wall per run")
    for c in CONTENDERS:
        if c in res:
            r = res[c]
            log(f"{c:16s} {r['wall_s']:7.2f} {r['cpu_s']:7.2f} {r['peak_pss_mb']:7.0f} {r['peak_rss_mb']:7.0f} "
                f"{r['processes']:5.0f} {r['pages']:6.0f}   {r['wall_s_runs']}")
    log("\nratios (medians) and issue 11's targets")
    ratio = res["ratio"]
    for name in TARGETS:
        head, measure_name = name.rsplit(".", 1)
        if head in ratio:
            value = ratio[head].get(measure_name)
        elif head in res:
            value = res[head].get(measure_name)
        else:
            continue
        log(target_line(name, value))
    for name, values in ratio.items():
        for m, v in values.items():
            if f"{name}.{m}" not in TARGETS:
                log(f"  {name + '.' + m:34s} {v:8.3f}")
    log("wall: subprocess start to the end of its work; cpu: user+sys of the whole process tree; "
        "rss: peak of the tree, sampled every 50 ms; pss: every 250 ms and when rss grew 5%; the sandbox server is excluded")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--week", default="2020-11-24")
    parser.add_argument("--pairs", type=int, default=3, help="rounds of all contenders, alternating (at least 3)")
    parser.add_argument("--contenders", default=",".join(CONTENDERS), help="comma-separated subset (smoke tests)")
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/results/results.csv")
    parser.add_argument("--contender", help=argparse.SUPPRESS)  # internal: run one contender in this process
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)  # the sandbox's seed, for the summary
    args = parser.parse_args()
    if args.contender:
        child_main(args)
        return
    contenders = tuple(c for c in args.contenders.split(",") if c)
    unknown = set(contenders) - set(CONTENDERS)
    if unknown:
        parser.error(f"unknown contenders {sorted(unknown)}; known: {', '.join(CONTENDERS)}")
    res = run(args.scale, args.week, args.pairs, contenders)
    report(res)
    if not args.no_record:
        print(f"{append('collection', res)} figures appended to {RESULTS}")
    print(json.dumps(res))


if __name__ == "__main__":
    main()
