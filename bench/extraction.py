"""Benchmark: parse + extract throughput (ads/s, one core) on collected scale-1 sandbox weeks.

    python -m bench.extraction [--scale 1.0] [--weeks 2020-11-24] [--data DIR --key KEY] [--repeats 3]

Collects the week(s) through the sandbox server into a temporary encrypted snapshot store
(unless --data points at an existing data dir with snapshots), then times ``parse_week``
(decrypt, parse, text mining, municipality matching, pseudonyms) in this single process.
One untimed warm-up pass (imports, lazily built tables), then ``--repeats`` timed passes over the
weeks; ads/s is the median over the repeats, by CPU time (``time.process_time``: less sensitive
to other load on a shared machine) and by wall time. A fresh pseudonymiser per pass, so no pass
profits from another's caches.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time

from sekswerk_assets.collection.adapters import SITES
from sekswerk_assets.lib.snapshots import SnapshotStore
from sekswerk_assets.extraction.municipality import MunicipalityMatcher
from sekswerk_assets.extraction.parse import parse_week
from sekswerk_assets.lib.crypto import Cipher, new_key
from sekswerk_assets.lib.pseudonym import Pseudonymizer
from sekswerk_assets.partitions import year_of_week
from sekswerk_assets.reference.loader import MunicipalityReference


def collect(store: SnapshotStore, weeks: list[str], scale: float) -> None:
    from sekswerk_assets.collection.client import AdSitesResource
    from sekswerk_assets.sandbox import SandboxServer, load_config

    with SandboxServer(load_config(scale=scale)) as urls:
        sites = AdSitesResource(sandbox_scale=scale, sandbox_base_urls=urls)
        for week in weeks:
            for site in SITES:
                t = time.perf_counter()
                res = sites.collect(site, week)
                w = store.writer(site, week)
                for rec in res.records:
                    w.add(rec)
                w.commit({"site": site, "week": week, "synthetic": True})
                print(f"collected {site} {week}: {res.count('ad', ok=True)} ads in {time.perf_counter() - t:.1f}s")
        sites.stop_sandbox()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--weeks", default="2020-11-24", help="comma-separated weekly partition keys")
    ap.add_argument("--data", default=None, help="existing data dir with snapshots (needs --key)")
    ap.add_argument("--key", default=None, help="snapshot key of --data")
    ap.add_argument("--repeats", type=int, default=3, help="timed passes over the weeks (median reported)")
    args = ap.parse_args()
    weeks = args.weeks.split(",")
    tmp = None
    if args.data:
        store = SnapshotStore(args.data, Cipher(args.key))
    else:
        tmp = tempfile.TemporaryDirectory()
        store = SnapshotStore(tmp.name, Cipher(new_key()))
        collect(store, weeks, args.scale)
    ref = MunicipalityReference(directory=os.environ.get("SEKSWERK_REFERENCE_DIR") or None)  # default: packaged data
    matchers = {w: MunicipalityMatcher.from_reference(ref, year_of_week(w)) for w in weeks}
    for week in weeks:  # warm-up: imports and lazily built tables are not part of the throughput
        parse_week(store, week, Pseudonymizer(new_key()), matchers[week])
    cpu_rates, wall_rates = [], []
    total_ads = 0
    for rep in range(args.repeats):
        pseudonyms = Pseudonymizer(new_key())
        total_ads, cpu_s, wall_s = 0, 0.0, 0.0
        for week in weeks:
            cpu0, t0 = time.process_time(), time.perf_counter()
            df, stats = parse_week(store, week, pseudonyms, matchers[week])
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
            total_ads += len(df)
            cpu_s += cpu
            wall_s += wall
            print(f"repeat {rep + 1} {week}: {len(df)} ads ({stats.total_unparsed} unparsed) in {wall:.2f}s wall / "
                  f"{cpu:.2f}s CPU -> {len(df) / cpu:,.0f} ads/s CPU, {len(df) / wall:,.0f} ads/s wall")
        cpu_rates.append(total_ads / cpu_s)
        wall_rates.append(total_ads / wall_s)
    cpu_med, wall_med = statistics.median(cpu_rates), statistics.median(wall_rates)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"TOTAL: {total_ads} ads per repeat, median of {args.repeats}: {cpu_med:,.0f} ads/s per core by CPU time "
          f"(range {min(cpu_rates):,.0f}-{max(cpu_rates):,.0f}), {wall_med:,.0f} ads/s by wall time "
          f"(range {min(wall_rates):,.0f}-{max(wall_rates):,.0f}); one process, parse + extract + pseudonymise, "
          f"incl. decryption; peak RSS {peak:.0f} MB")
    print(json.dumps({"ads": total_ads, "repeats": args.repeats, "ads_per_second_one_core": round(cpu_med),
                      "ads_per_second_wall": round(wall_med), "cpu_rates": [round(r) for r in cpu_rates],
                      "wall_rates": [round(r) for r in wall_rates], "peak_rss_mb": round(peak)}))
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
