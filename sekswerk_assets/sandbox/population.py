"""Simulated population of advertisers and their ads over the measurement year.

``simulate(config)`` builds, deterministically for a given seed and scale:

1. A *timeline* of postings (a posting = one unique ad in the report's sense: one ad code per
   site, with between-site duplicates merged). Each posting has a lifetime [start, end] in
   weeks; inside it the ad is switched on and off (a Markov chain), it is always online in its
   first and last week. Weekly targets for active ads, closures and seen-once ads drive the
   number of new postings per week. Some new postings re-post an ended posting of the same
   advertiser under a new ad code (the report's source of overestimation).
2. Advertisers with their true attributes (gender, origin, age, municipality, work types,
   prices) and per (advertiser, site) presentation choices (what is stated, where, and how).
3. Site copies of each posting (kinky only, sexjobs only, both, or topescortbabes), ad codes,
   weekly observations (which ad is listed in which week, in which sections) and the ground
   truth aggregates (weekly counts, duplicate pairs).

All frames are exposed on the returned :class:`Population`; ``ground_truth.write_ground_truth``
writes them as Parquet. The steps live in ``timeline``, ``advertisers``, ``presentation``, ``codes``
and ``truth``; this module wires them together.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time

import numpy as np
import pandas as pd

from .advertisers import advertiser_ids, assign_terms, draw_advertisers
from .codes import CODE_SPAN_PER_YEAR, assign_codes
from .common import PATTERNS, SITES, choice, has_site_pattern, scaled_round
from .config import SandboxConfig
from .presentation import add_terms_and_sections, apply_repost_edits, draw_presentation
from .reference import load_reference
from .timeline import calibrated_timeline
from .truth import AD_TRUTH_COLUMNS, weekly_truth

__all__ = ["AD_TRUTH_COLUMNS", "CODE_SPAN_PER_YEAR", "SITES", "Population", "has_site_pattern", "simulate"]

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Population:
    """The simulated year: truth frames plus the presentation data the renderer needs."""

    config: SandboxConfig
    weeks: list[dt.date]
    advertisers: pd.DataFrame
    ads_full: pd.DataFrame
    observations: pd.DataFrame
    weekly_truth: pd.DataFrame
    duplicates: pd.DataFrame
    postings: pd.DataFrame
    build_seconds: float = 0.0

    @property
    def ads(self) -> pd.DataFrame:
        """Ground-truth ads table (one row per (site, ad_code)); see README for the columns."""
        return self.ads_full[AD_TRUTH_COLUMNS]

    def summary(self) -> dict[str, float]:
        """Headline numbers for calibration reports."""
        wt = self.weekly_truth
        obs = self.observations
        return {
            "scale": self.config.scale,
            "build_seconds": round(self.build_seconds, 2),
            "unique_ads": int(self.postings.shape[0]),
            "advertisers": int(self.advertisers.shape[0]),
            "observations": int(obs.shape[0]),
            "active_min": int(wt["active_unique"].min()),
            "active_max": int(wt["active_unique"].max()),
            "seen_once_total": int(wt["seen_once"].sum()),
            **{f"share_{s}": round(float((obs["site"] == s).mean()), 4) for s in SITES},
        }


def simulate(config: SandboxConfig) -> Population:
    """Build the whole simulated year (deterministic for ``config.seed`` and ``config.scale``)."""
    t0 = time.perf_counter()
    cfg = config
    seed_timeline, seed_rest = np.random.SeedSequence([cfg.seed, int(round(cfg.scale * 1_000_000))]).spawn(2)
    rng = np.random.default_rng(seed_rest)
    ref = load_reference(cfg.resolved_reference_dir())
    weeks = cfg.weeks
    n_weeks = cfg.n_weeks
    year_index = cfg.measurement_year - (cfg.calibration_first_week or cfg.first_week).year

    tl = calibrated_timeline(cfg, seed_timeline)
    n_post = tl.start.size
    adv_of = advertiser_ids(tl.repost_of)
    n_adv = int(adv_of.max()) + 1

    # site pattern per advertiser (re-posts keep the pattern of the original)
    mix = cfg.sites.posting_mix
    pattern = choice(rng, list(PATTERNS), [mix[p] for p in PATTERNS], n_adv)
    n_postings = np.bincount(adv_of, minlength=n_adv)
    first_start = np.full(n_adv, n_weeks, np.int64)
    np.minimum.at(first_start, adv_of, tl.start)
    adv = draw_advertisers(cfg, rng, ref, pattern, first_start, n_postings)

    # transgender mentions (kinky-listed female advertisers with a single posting)
    cand = np.flatnonzero(
        (adv["gender"].to_numpy() == "vrouw")
        & np.isin(adv["pattern"].to_numpy(), ["kinky_only", "kinky_and_sexjobs"])
        & (n_postings == 1)
    )
    k_trans = min(int(scaled_round(rng, cfg.advertisers.transgender_ads * cfg.scale)), cand.size)
    trans_idx = rng.choice(cand, k_trans, replace=False)
    transgender = np.zeros(n_adv, bool)
    transgender[trans_idx] = True
    adv["transgender"] = transgender
    adv["term_scenario"] = assign_terms(cfg, rng, adv)

    # posting-level on matrix
    on = np.zeros((n_post, n_weeks), bool)
    on[tl.on_posting, tl.on_week] = True
    weeks_online_posting = on.sum(axis=1)
    weeks_online_adv = np.bincount(adv_of, weights=weeks_online_posting, minlength=n_adv)

    # site copies: kinky copy for K and B, sexjobs copy for S and B, TEB copy for T
    pat_post = pattern[adv_of]
    has_site = {
        "kinky": np.isin(pat_post, ["kinky_only", "kinky_and_sexjobs"]),
        "sexjobs": np.isin(pat_post, ["sexjobs_only", "kinky_and_sexjobs"]),
        "topescortbabes": pat_post == "topescortbabes",
    }
    site_on = {s: on & has_site[s][:, None] for s in SITES}
    # the sexjobs copy of a between-site duplicate is online in a subset of the kinky weeks,
    # sized so the weekly share of sexjobs ads also on kinky follows its target curve
    dup_share = cfg.curve(cfg.sites.sexjobs_on_kinky_share)
    is_both = pat_post == "kinky_and_sexjobs"
    sj = site_on["sexjobs"]
    for w in range(n_weeks):
        both_on = np.flatnonzero(is_both & on[:, w])
        only_on = int((on[:, w] & (pat_post == "sexjobs_only")).sum())
        want = int(round(dup_share[w] * only_on / (1 - dup_share[w])))
        keep = min(want, both_on.size)
        drop = rng.choice(both_on, both_on.size - keep, replace=False)
        sj[drop, w] = False

    # presentation per (advertiser, site)
    pair_rows = []
    for s in SITES:
        sel = np.flatnonzero(np.isin(pattern, [p for p in PATTERNS if has_site_pattern(p, s)]))
        pair_rows.append(pd.DataFrame({"advertiser_id": sel, "site": s}))
    pairs = pd.concat(pair_rows, ignore_index=True)
    obs_weight_adv_site = np.zeros(len(pairs))
    for s in SITES:
        mask = (pairs["site"] == s).to_numpy()
        per_adv = np.bincount(adv_of, weights=site_on[s].sum(axis=1), minlength=n_adv)
        obs_weight_adv_site[mask] = per_adv[pairs.loc[mask, "advertiser_id"].to_numpy()]
    pres = draw_presentation(cfg, rng, ref, adv, pairs, weeks_online_adv, np.maximum(obs_weight_adv_site, 0.01))

    # ad rows: one per (posting, site) that was online at least once
    ad_frames = []
    for s in SITES:
        son = site_on[s]
        posts = np.flatnonzero(son.any(axis=1))
        first = son[posts].argmax(axis=1)
        last = n_weeks - 1 - son[posts][:, ::-1].argmax(axis=1)
        order_key = tl.start[posts] * 10_000_000.0 + rng.random(posts.size) * 1_000_000
        codes = assign_codes(rng, s, order_key, year_index)
        ad_frames.append(
            pd.DataFrame(
                {
                    "site": s,
                    "posting_id": posts,
                    "ad_code": codes,
                    "first_week_idx": first,
                    "last_week_idx": last,
                    "n_weeks_online": son[posts].sum(axis=1),
                }
            )
        )
    ads = pd.concat(ad_frames, ignore_index=True)
    ads["advertiser_id"] = adv_of[ads["posting_id"].to_numpy()]
    # re-post links: the ad code of the original posting on the same site
    code_lookup = {(r.site, r.posting_id): r.ad_code for r in ads[["site", "posting_id", "ad_code"]].itertuples(index=False)}
    rep = tl.repost_of[ads["posting_id"].to_numpy()]
    ads["is_repost_of"] = [
        code_lookup.get((s, int(o))) if o >= 0 else None for s, o in zip(ads["site"], rep)
    ]
    ads = ads.merge(adv.drop(columns=["pattern", "n_postings"]), on="advertiser_id", how="left")
    ads = ads.merge(pres, on=["advertiser_id", "site"], how="left")
    add_terms_and_sections(cfg, rng, ads)
    apply_repost_edits(cfg, rng, ads, n_post)
    ads["first_week"] = [weeks[i] for i in ads["first_week_idx"]]
    ads["last_week"] = [weeks[i] for i in ads["last_week_idx"]]
    ads = ads.sort_values(["site", "ad_code"]).reset_index(drop=True)

    # observations
    row_of = {(s, p): i for i, (s, p) in enumerate(zip(ads["site"], ads["posting_id"]))}
    obs_frames = []
    for s in SITES:
        pidx, widx = np.nonzero(site_on[s])
        rows = np.fromiter((row_of[(s, int(p))] for p in pidx), np.int64, pidx.size)
        obs_frames.append(pd.DataFrame({"week_idx": widx, "site": s, "ad_row": rows}))
    obs = pd.concat(obs_frames, ignore_index=True)
    # listing order: a per-(week, site) shuffle, ads new this week first
    obs["_new"] = obs["week_idx"].to_numpy() == ads["first_week_idx"].to_numpy()[obs["ad_row"].to_numpy()]
    obs["_rand"] = rng.random(len(obs))
    obs = obs.sort_values(["week_idx", "site", "_new", "_rand"], ascending=[True, True, False, True])
    obs["rank"] = obs.groupby(["week_idx", "site"]).cumcount()
    obs["week"] = [weeks[i] for i in obs["week_idx"]]
    obs["ad_code"] = ads["ad_code"].to_numpy()[obs["ad_row"].to_numpy()]
    obs["sections"] = ads["sections"].to_numpy()[obs["ad_row"].to_numpy()]
    obs = obs[["week", "site", "ad_code", "sections", "rank", "week_idx", "ad_row"]].reset_index(drop=True)

    weekly, dups = weekly_truth(cfg, on, site_on, ads, adv_of, pat_post)
    postings = pd.DataFrame(
        {
            "posting_id": np.arange(n_post),
            "advertiser_id": adv_of,
            "pattern": pat_post,
            "start_week_idx": tl.start,
            "end_week_idx": tl.end,
            "repost_of_posting": tl.repost_of,
            "n_weeks_online": weeks_online_posting,
        }
    )
    advertisers = adv[
        ["advertiser_id", "name", "phone", "phone_e164", "gender", "transgender", "origin_country",
         "origin_region", "origin_eastern_europe", "age", "gm_code", "municipality", "work_home",
         "work_escort", "work_massage", "price_home", "price_escort", "price_hour", "language",
         "pattern", "n_postings"]
    ].rename(columns={"pattern": "site_pattern"})
    pop = Population(
        config=cfg,
        weeks=weeks,
        advertisers=advertisers,
        ads_full=ads,
        observations=obs,
        weekly_truth=weekly,
        duplicates=dups,
        postings=postings,
    )
    pop.build_seconds = time.perf_counter() - t0
    log.info(
        "sandbox population built: scale=%s postings=%d observations=%d in %.1fs",
        cfg.scale, n_post, len(obs), pop.build_seconds,
    )
    return pop
