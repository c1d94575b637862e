"""Benchmark: collect one full sandbox week (scale 1) of all three sites.

    python -m bench.collection [--scale 1.0] [--week 2020-11-24]

Prints pages/s per site, wall time for the three sites, and peak RSS (this process plus
the browser and sandbox-server children).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

from sekswerk_assets.collection.adapters import SITES
from sekswerk_assets.collection.client import AdSitesResource
from sekswerk_assets.lib.snapshots import SnapshotStore
from sekswerk_assets.lib.crypto import Cipher, new_key
from sekswerk_assets.sandbox import SandboxServer, load_config


class PeakRss:
    """Samples the RSS of this process tree every 50 ms."""

    def __init__(self, pids=()):
        self.peak = 0
        self.extra = list(pids)
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            procs = [me, *me.children(recursive=True)]
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.05)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def run(scale: float, week: str) -> dict:
    config = load_config(scale=scale)
    out: dict = {"scale": scale, "week": week, "sites": {}}
    with SandboxServer(config) as urls, PeakRss() as rss, tempfile.TemporaryDirectory() as tmp:
        resource = AdSitesResource(sandbox_scale=scale, sandbox_base_urls=urls)
        store = SnapshotStore(Path(tmp), Cipher(new_key()))
        start = time.perf_counter()
        for site in SITES:
            t0 = time.perf_counter()
            result = resource.collect(site, week, progress=lambda m: None)
            writer = store.writer(site, week)
            for rec in result.records:
                writer.add(rec)
            writer.commit({})
            elapsed = time.perf_counter() - t0
            out["sites"][site] = {
                "pages": result.pages,
                "ads": result.count("ad", ok=True),
                "failed": result.count("ad", ok=False),
                "seconds": round(elapsed, 2),
                "pages_per_s": round(result.pages / elapsed, 1),
            }
        out["wall_seconds_all_sites"] = round(time.perf_counter() - start, 2)
        # the same week with the three sites collected at the same time (as separate Dagster steps would)
        start = time.perf_counter()
        with ThreadPoolExecutor(len(SITES)) as pool:
            list(pool.map(lambda s: resource.collect(s, week, progress=lambda m: None), SITES))
        out["wall_seconds_all_sites_parallel"] = round(time.perf_counter() - start, 2)
    out["peak_rss_mb"] = round(rss.peak / 2**20, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--week", default="2020-11-24")
    args = parser.parse_args()
    res = run(args.scale, args.week)
    print(f"collection benchmark: scale {res['scale']}, week {res['week']}")
    print(f"{'site':16} {'pages':>7} {'ads':>7} {'failed':>6} {'s':>7} {'pages/s':>8}")
    for site, r in res["sites"].items():
        print(f"{site:16} {r['pages']:7d} {r['ads']:7d} {r['failed']:6d} {r['seconds']:7.2f} {r['pages_per_s']:8.1f}")
    print(f"wall time, all three sites one after another (as the weekly job runs them): {res['wall_seconds_all_sites']:.1f} s (target <= 30 s)")
    print(f"wall time, all three sites in parallel: {res['wall_seconds_all_sites_parallel']:.1f} s")
    print(f"peak RSS (collector + browser + sandbox server): {res['peak_rss_mb']:.0f} MB")
    print(json.dumps(res))


if __name__ == "__main__":
    main()
