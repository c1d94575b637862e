"""Linkage quality on a sandbox year with edited re-posts, through the real extractor.

Every ad page of a simulated year is rendered in-process (the bytes the server sends), parsed by
``extraction.parse.parse_ad`` with real pseudonyms and text hashes, repeated for each week it is
online, deduplicated per week (``dedup_week``) and linked (``link_units``). Each report unit is
traced back to its true advertiser through the ad-code pseudonym.

    python -m sekswerk_assets_tests.linkage_eval --scale 0.2

prints, per method (report units, report units with the phone step between sites, splink
clusters), the pairwise precision and recall against the true advertisers, the number of workers
beside the true number, and the between-site duplicate pairs (week, sexjobs ad, kinky ad) each
method finds against the sandbox's true pairs.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class LinkageQuality:
    units: int            # report units (unique ads after between-site dedup)
    advertisers: int      # true advertisers behind those units
    clusters: int         # linked workers
    precision: float      # pairwise, linked clusters vs true advertisers
    recall: float
    report_recall: float  # pairwise recall of the report's units (precision is 1 by construction)
    seconds: float
    postings: int = 0     # true postings behind the units (what a unique-ad count should equal)
    phone_units: int = 0  # units of the report_phone method
    # between-site duplicate pairs (week, sexjobs ad, kinky ad) per method: (found, precision, recall)
    between: dict = field(default_factory=dict)
    true_pairs: int = 0
    weights: pd.DataFrame | None = None  # the trained model's m, u and match weight per level

    @property
    def count_error(self) -> float:
        return (self.clusters - self.advertisers) / self.advertisers

    def lines(self) -> list[str]:
        out = [
            f"report method: {self.units} units ({100 * (self.units - self.advertisers) / self.advertisers:+.1f}% "
            f"vs {self.advertisers} true advertisers; pairwise precision 1, recall {self.report_recall:.4f}: "
            "no re-post is joined)",
            f"linked method: {self.clusters} workers ({100 * self.count_error:+.2f}%), pairwise precision "
            f"{self.precision:.4f}, recall {self.recall:.4f}  [{self.seconds:.0f}s]",
        ]
        if self.postings:
            out.append(f"unique ads vs {self.postings} true postings: report {self.units} "
                       f"({100 * (self.units - self.postings) / self.postings:+.2f}%), report_phone {self.phone_units} "
                       f"({100 * (self.phone_units - self.postings) / self.postings:+.2f}%)")
        for method, (found, p, r) in self.between.items():
            out.append(f"between-site duplicate pairs, {method}: {found} found of {self.true_pairs} true, "
                       f"precision {p:.4f}, recall {r:.4f}")
        return out


def _pairs(sizes: pd.Series) -> int:
    s = sizes.to_numpy(dtype=np.int64)
    return int((s * (s - 1) // 2).sum())


def pairwise(pred: pd.Series, truth: pd.Series) -> tuple[float, float]:
    """Pairwise precision and recall of the clustering ``pred`` against ``truth`` (same index)."""
    both = _pairs(pd.DataFrame({"p": pred.to_numpy(), "t": truth.to_numpy()}).groupby(["p", "t"]).size())
    pp, tp = _pairs(pred.value_counts()), _pairs(truth.value_counts())
    return (both / pp if pp else 1.0), (both / tp if tp else 1.0)


# a fixed test key: the keyed simhash (and so the linkage) is the same on every run
TEST_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"sekswerk linkage evaluation").digest()).decode()


def weekly_parsed(pop, key: str = TEST_KEY) -> tuple[pd.DataFrame, object]:
    """``ads/parsed_ads`` rows of every observation of the population (one parse per ad page)."""
    from sekswerk_assets.extraction.municipality import MunicipalityMatcher
    from sekswerk_assets.extraction.parse import _empty_row, parse_ad, to_frame
    from sekswerk_assets.lib.pseudonym import Pseudonymizer
    from sekswerk_assets.reference.loader import MunicipalityReference
    from sekswerk_assets.sandbox.render import Renderer

    default = os.path.join(os.path.dirname(__file__), "..", "sekswerk_assets", "reference", "data")
    ref = MunicipalityReference(directory=os.environ.get("SEKSWERK_REFERENCE_DIR", default), allow_online=False)
    matcher = MunicipalityMatcher.from_reference(ref, pop.config.measurement_year)
    ps = Pseudonymizer(key)
    parsed: dict[tuple[str, str], dict] = {}
    for site in ("kinky", "sexjobs", "topescortbabes"):
        r = Renderer(pop, site, cache_size=1)
        render = {"kinky": r.kinky_ad, "sexjobs": r.sexjobs_ad, "topescortbabes": r.teb_ad}[site]
        for i, rec in enumerate(r.records):
            out, _ = parse_ad(site, render(i), matcher, ps)
            parsed[(site, rec["ad_code"])] = {**out, "ad_pseudo": ps.code(site, rec["ad_code"])}
    rows = []
    for week, site, code in pop.observations[["week", "site", "ad_code"]].itertuples(index=False):
        row = _empty_row(week.isoformat(), site)
        row.update(parsed[(site, code)], parse_ok=True)
        rows.append(row)
    return to_frame(rows), ps


def _pair_quality(found: set, truth: set) -> tuple[int, float, float]:
    hit = len(found & truth)
    return len(found), (hit / len(found) if found else 1.0), (hit / len(truth) if truth else 1.0)


def _triples(df: pd.DataFrame, sexjobs: str, kinky: str) -> set:
    return set(zip(df["measurement_week"], df[sexjobs], df[kinky]))


def between_site_pairs(parsed: pd.DataFrame, rows: pd.DataFrame, clusters: pd.Series) -> dict[str, set]:
    """(week, sexjobs ad, kinky ad) pairs each method treats as one ad (``rows``: the weekly unique ads)."""
    from sekswerk_assets.deduplication.linkage import between_site_duplicates

    cols = ["measurement_week", "ad_pseudo", "phone_pseudo", "gm_code"]
    ok = parsed[parsed["parse_ok"]].dropna(subset=["phone_pseudo", "gm_code"])
    # the report's rule: the same phone and municipality in the same week
    rule = ok.loc[ok["site"] == "sexjobs", cols].merge(ok.loc[ok["site"] == "kinky", cols],
                                                      on=["measurement_week", "phone_pseudo", "gm_code"])
    report = _triples(rule, "ad_pseudo_x", "ad_pseudo_y")
    phone = report | _triples(between_site_duplicates(rows), "ad_pseudo", "kinky_ad_pseudo")
    # linked: also a sexjobs and a kinky unit of the same week in one cluster
    c = rows[["measurement_week", "site", "ad_pseudo"]].assign(cluster=clusters.to_numpy())
    same = c[c["site"] == "sexjobs"].merge(c[c["site"] == "kinky"], on=["measurement_week", "cluster"])
    linked = report | _triples(same, "ad_pseudo_x", "ad_pseudo_y")
    return {"report": report, "report_phone": phone, "linked": linked}


def evaluate(pop, key: str = TEST_KEY) -> LinkageQuality:
    """Every method's workers on the population's year against its true advertisers and duplicate pairs."""
    from sekswerk_assets.deduplication.linkage import link_units, without_phone_duplicates
    from sekswerk_assets.deduplication.weekly import dedup_week

    t0 = time.perf_counter()
    parsed, ps = weekly_parsed(pop, key)
    unique = pd.concat([dedup_week(g)[0] for _, g in parsed.groupby("measurement_week")], ignore_index=True)
    rows = unique.sort_values(["measurement_week", "site", "ad_pseudo"], kind="stable").reset_index(drop=True)
    clusters, model = link_units(rows)
    seconds = time.perf_counter() - t0
    truth = pop.ads.assign(ad_pseudo=[ps.code(s, c) for s, c in zip(pop.ads["site"], pop.ads["ad_code"])])
    adv = rows.merge(truth[["site", "ad_pseudo", "advertiser_id", "posting_id"]], on=["site", "ad_pseudo"],
                     how="left", validate="many_to_one")
    units = pd.DataFrame({"unit": rows["unique_ad_key"], "cluster": clusters.to_numpy(),
                          "advertiser": adv["advertiser_id"].to_numpy()})
    units = units.drop_duplicates("unit")
    precision, recall = pairwise(units["cluster"], units["advertiser"])
    _, report_recall = pairwise(units["unit"], units["advertiser"])
    phone_rows, _ = without_phone_duplicates(rows)
    dups = pop.duplicates
    true_pairs = set(zip(dups["week"].astype(str), [ps.code("sexjobs", c) for c in dups["sexjobs_ad_code"]],
                         [ps.code("kinky", c) for c in dups["kinky_ad_code"]]))
    between = {m: _pair_quality(found, true_pairs) for m, found in between_site_pairs(parsed, rows, clusters).items()}
    return LinkageQuality(
        units=len(units), advertisers=int(units["advertiser"].nunique()), clusters=int(units["cluster"].nunique()),
        precision=precision, recall=recall, report_recall=report_recall, seconds=seconds,
        postings=int(adv["posting_id"].nunique()), phone_units=int(phone_rows["unique_ad_key"].nunique()),
        between=between, true_pairs=len(true_pairs), weights=model.match_weights,
    )


def main() -> None:
    from sekswerk_assets.sandbox import load_config, simulate

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.2)
    ap.add_argument("--random-key", action="store_true", help="a fresh pseudonym key instead of the fixed test key")
    ap.add_argument("--weights", action="store_true", help="print the trained model's m, u and match weights")
    ap.add_argument("--set", action="append", default=[], help="config override KEY=YAML (e.g. reposts__other_name=0.5)")
    args = ap.parse_args()
    import yaml

    overrides = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in args.set)}
    pop = simulate(load_config(scale=args.scale, **overrides))
    from sekswerk_assets.lib.crypto import new_key

    q = evaluate(pop, new_key() if args.random_key else TEST_KEY)
    for line in q.lines():
        print(line)
    if args.weights:
        print(q.weights.round(5).to_string(index=False))


if __name__ == "__main__":
    main()
