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
writes them as Parquet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time

import numpy as np
import pandas as pd

from .config import SandboxConfig
from .names import draw_names
from .reference import MunicipalityReference, load_reference

log = logging.getLogger(__name__)

SITES = ("kinky", "sexjobs", "topescortbabes")
PATTERNS = ("kinky_only", "sexjobs_only", "kinky_and_sexjobs", "topescortbabes")
COMBOS = ("H", "HE", "HM", "E", "HEM", "M", "EM")
FIELDS = ("type", "origin", "age", "price", "municipality")
CHANNELS = ("field", "text", "both")
TERM_SCENARIOS = (
    "club_licensed",
    "club_nightclub",
    "club_or_privehuis_negation",
    "privehuis_licensed",
    "bureau_licensed",
    "bureau_negation",
    "kvk_licensed",
)


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


AD_TRUTH_COLUMNS = [
    "site", "ad_code", "advertiser_id", "posting_id", "name", "phone", "phone_shown",
    "gender", "transgender", "work_home", "work_escort", "work_massage",
    "origin_country", "origin_region", "origin_eastern_europe", "age",
    "price_home", "price_escort", "price_hour", "gm_code", "municipality", "place_text",
    "type_stated", "type_source", "origin_stated", "origin_source", "age_stated", "age_source",
    "price_stated", "price_source", "municipality_stated", "municipality_source",
    "term_club", "term_club_licensed", "term_privehuis", "term_privehuis_licensed",
    "term_bureau", "term_bureau_licensed", "term_kvk", "term_kvk_licensed",
    "licensed_work", "licence_number_mentioned", "language", "is_repost_of",
    "first_week", "last_week", "n_weeks_online", "sections",
]


# --------------------------------------------------------------------------------------------
# helpers


def _scaled_round(rng: np.random.Generator, x: np.ndarray | float) -> np.ndarray:
    """Stochastic rounding (keeps expected totals at small scales)."""
    arr = np.asarray(x, dtype=float)
    base = np.floor(arr)
    return (base + (rng.random(arr.shape) < (arr - base))).astype(np.int64)


def _choice(rng: np.random.Generator, labels: list[str] | tuple[str, ...], probs: list[float], n: int) -> np.ndarray:
    p = np.asarray(probs, float)
    p = p / p.sum()
    return np.asarray(labels, dtype=object)[rng.choice(len(labels), size=n, p=p)]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# --------------------------------------------------------------------------------------------
# 1. timeline


@dataclasses.dataclass
class _Timeline:
    start: np.ndarray        # week of first appearance (-1: online before the window)
    end: np.ndarray          # week of last appearance (n_weeks: still alive after the window)
    once: np.ndarray         # posting online in exactly one week by construction
    repost_of: np.ndarray    # posting index re-posted (-1: original)
    on_posting: np.ndarray   # (posting, week) pairs online
    on_week: np.ndarray
    planned: tuple[float, float]  # planned multi-week ends and seen-once postings


def _calibrated_timeline(cfg: SandboxConfig, seed: np.random.SeedSequence) -> _Timeline:
    """Run the timeline a few times, rescaling the closure and seen-once streams so that the
    number of unique ads and of seen-once ads in the window hit their targets."""
    tl = cfg.timeline
    p_target = tl.unique_ads_total * cfg.scale
    o_target = tl.seen_once_total * cfg.scale
    f_close, f_once = 1.0, 1.0
    timeline = _simulate_timeline(cfg, np.random.default_rng(seed), f_close, f_once)
    for _ in range(tl.calibration_passes):
        n_obs = np.bincount(timeline.on_posting, minlength=timeline.start.size)
        p_now = float((n_obs > 0).sum())
        o_now = float((n_obs == 1).sum())
        planned_end, planned_once = timeline.planned
        f_once *= max(0.2, 1.0 + (o_target - o_now) / max(planned_once, 1.0))
        f_close *= max(0.2, 1.0 + (p_target - p_now - (o_target - o_now)) / max(planned_end, 1.0))
        timeline = _simulate_timeline(cfg, np.random.default_rng(seed), f_close, f_once)
    return timeline


def _simulate_timeline(
    cfg: SandboxConfig, rng: np.random.Generator, close_factor: float = 1.0, once_factor: float = 1.0
) -> _Timeline:
    tl = cfg.timeline
    n_weeks = cfg.n_weeks
    s = cfg.scale
    target_u = cfg.curve(tl.active_unique_target) * s
    closures = cfg.curve(tl.closures_target) * s
    shape = cfg.curve(tl.seen_once_shape)
    once_target = shape / shape.sum() * tl.seen_once_total * s
    ends_target = np.maximum(closures - once_target, 0.0) * close_factor
    # in the first week every ending ad is seen once (its earlier weeks are not observed)
    once_plan = once_target * once_factor
    once_plan[0] = max(once_plan[0] - ends_target[0], 0.0)
    once_n = _scaled_round(rng, once_plan)
    ends_n = _scaled_round(rng, ends_target)
    pi = cfg.curve(tl.online_share)
    off_rates = cfg.curve(tl.off_rate)
    min_new = tl.min_new_per_week * s

    cap = int((target_u.max() * 1.6 + (ends_n.sum() + once_n.sum()) * 1.6) + 1000)
    start = np.full(cap, -1, np.int64)
    end = np.full(cap, n_weeks, np.int64)
    once = np.zeros(cap, bool)
    repost_of = np.full(cap, -1, np.int64)
    reposted = np.zeros(cap, bool)
    prev_on = np.zeros(cap, bool)
    n = 0

    # stock: postings already alive before the first measurement
    s0 = int(ends_n[0])
    n_stock = int(round((target_u[0] - once_n[0] - ends_n[0] - s0) / pi[0] + ends_n[0]))
    start[:n_stock] = -1
    prev_on[:n_stock] = rng.random(n_stock) < pi[0]
    n = n_stock
    alive = np.arange(n_stock)
    on_p: list[np.ndarray] = []
    on_w: list[np.ndarray] = []
    lo_gap, hi_gap = tl.repost_gap_weeks

    for w in range(n_weeks):
        # ends among postings that started before this week
        eligible = alive[start[alive] < w]
        k_end = min(int(ends_n[w]), eligible.size)
        enders = rng.choice(eligible, size=k_end, replace=False) if k_end else np.empty(0, np.int64)
        end[enders] = w
        is_ender = np.zeros(cap, bool)
        is_ender[enders] = True
        middle = eligible[~is_ender[eligible]]
        # Markov on/off for postings inside their lifetime, tuned to the online share
        was_on = prev_on[middle]
        stay = rng.random(middle.size) >= off_rates[w]
        n_on_stay = int((was_on & stay).sum())
        n_off = int((~was_on).sum())
        want_on = pi[w] * middle.size
        b = 0.0 if n_off == 0 else float(np.clip((want_on - n_on_stay) / n_off, 0.0, 1.0))
        now_on = np.where(was_on, stay, rng.random(middle.size) < b)
        prev_on[middle] = now_on
        prev_on[enders] = True
        middle_on = middle[now_on]
        # new multi-week postings fill the gap to the target of active ads
        if w == 0:
            n_new = s0
        else:
            n_new = int(round(target_u[w] - once_n[w] - enders.size - middle_on.size))
            n_new = max(n_new, int(_scaled_round(rng, min_new)))
        new_idx = np.arange(n, n + n_new)
        start[new_idx] = w
        prev_on[new_idx] = True
        # some new postings are re-posts of an ended posting under a new ad code
        n_rep = int(_scaled_round(rng, tl.repost_rate * n_new))
        cand = np.flatnonzero(
            (end[:n] >= w - hi_gap) & (end[:n] <= w - lo_gap) & ~once[:n] & ~reposted[:n]
        )
        n_rep = min(n_rep, cand.size)
        if n_rep:
            orig = rng.choice(cand, size=n_rep, replace=False)
            repost_of[new_idx[:n_rep]] = orig
            reposted[orig] = True
        n += n_new
        # seen-once postings
        once_idx = np.arange(n, n + int(once_n[w]))
        start[once_idx] = w
        end[once_idx] = w
        once[once_idx] = True
        n += once_idx.size
        on_now = np.concatenate([enders, middle_on, new_idx, once_idx])
        on_p.append(on_now)
        on_w.append(np.full(on_now.size, w, np.int64))
        alive = np.concatenate([middle, new_idx])

    return _Timeline(
        start=start[:n].copy(),
        end=end[:n].copy(),
        once=once[:n].copy(),
        repost_of=repost_of[:n].copy(),
        on_posting=np.concatenate(on_p),
        on_week=np.concatenate(on_w),
        planned=(float(ends_n.sum()), float(once_n.sum())),
    )


# --------------------------------------------------------------------------------------------
# 2. advertisers


def _advertiser_ids(repost_of: np.ndarray) -> np.ndarray:
    """Map each posting to its advertiser (re-posts inherit the original's advertiser)."""
    n = repost_of.size
    adv = np.full(n, -1, np.int64)
    originals = np.flatnonzero(repost_of < 0)
    adv[originals] = np.arange(originals.size)
    # re-posts are created after their originals, so one pass in index order suffices
    for i in np.flatnonzero(repost_of >= 0):
        adv[i] = adv[repost_of[i]]
    return adv


def _combo_probs(base: dict[str, float]) -> np.ndarray:
    p = np.array([base.get(c, 0.0) for c in COMBOS], float)
    return p / p.sum()


def _draw_types(
    cfg: SandboxConfig, rng: np.random.Generator, is_teb: np.ndarray, muni_name: np.ndarray
) -> np.ndarray:
    wt = cfg.work_types
    target = _combo_probs(wt.combos)
    teb = _combo_probs(wt.topescortbabes_combos)
    share_teb = float(is_teb.mean()) if is_teb.size else 0.0
    other = np.clip(target - share_teb * teb, 1e-6, None) / max(1 - share_teb, 1e-9)
    has_home = np.array(["H" in c for c in COMBOS])
    has_escort = np.array(["E" in c for c in COMBOS])
    out = np.empty(is_teb.size, dtype=object)
    groups: list[tuple[np.ndarray, np.ndarray]] = [(is_teb, teb)]
    boosted = np.zeros(is_teb.size, bool)
    for name, boost in wt.municipality_type_boost.items():
        sel = (muni_name == name) & ~is_teb
        p = other.copy()
        if "home" in boost:
            p = np.where(has_home, p * boost["home"], p)
        if "escort" in boost:
            p = np.where(has_escort, p * boost["escort"], p)
        groups.append((sel, p / p.sum()))
        boosted |= sel
    rest = np.where(has_escort, other * wt.other_escort_compensation, other)
    groups.append((~is_teb & ~boosted, rest / rest.sum()))
    for sel, p in groups:
        idx = np.flatnonzero(sel)
        if idx.size:
            out[idx] = np.asarray(COMBOS, dtype=object)[rng.choice(len(COMBOS), size=idx.size, p=p)]
    return out


def _assign_municipalities(
    cfg: SandboxConfig, rng: np.random.Generator, ref: MunicipalityReference, weight: np.ndarray
) -> np.ndarray:
    """Systematic sampling: each municipality gets its share of postings within one advertiser.

    ``weight`` is the number of postings per advertiser, so the shares hold for unique ads.
    """
    gem = ref.gemeenten
    shares = np.zeros(len(gem))
    by_name = {n: i for i, n in enumerate(gem["name"])}
    fixed = 0.0
    for name, share in cfg.municipalities.shares.items():
        if name not in by_name:
            raise KeyError(f"municipality {name!r} not in gemeenten_2021.csv")
        shares[by_name[name]] = share
        fixed += share
    rest = shares == 0
    pop = gem["population"].to_numpy(float) ** cfg.municipalities.rest_population_exponent
    shares[rest] = pop[rest] / pop[rest].sum() * (1.0 - fixed)
    order = rng.permutation(weight.size)
    cum = np.cumsum(weight[order]) - weight[order] / 2.0
    cum = cum / weight.sum()
    # municipalities in a random order so small ones are not clustered by code
    m_order = rng.permutation(len(gem))
    bounds = np.cumsum(shares[m_order])
    pos = np.minimum(np.searchsorted(bounds, cum, side="right"), len(gem) - 1)
    out = np.empty(weight.size, dtype=object)
    out[order] = gem["gm_code"].to_numpy()[m_order][pos]
    return out


def _draw_prices(
    cfg: SandboxConfig,
    rng: np.random.Generator,
    combo: np.ndarray,
    is_teb: np.ndarray,
    start_week: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pc = cfg.prices
    n = combo.size
    home_v = np.asarray(pc.home.values, float)
    home_p = np.asarray(pc.home.weights, float)
    home = home_v[rng.choice(home_v.size, n, p=home_p / home_p.sum())]
    has_h = np.array(["H" in c for c in combo])
    has_e = np.array(["E" in c for c in combo])
    has_m = np.array(["M" in c for c in combo])
    # escort prices: early and late weights mixed by the week the advertiser first posted
    esc_v = np.asarray(pc.escort.values, float)
    early = np.asarray(pc.escort.weights, float)
    late = np.asarray(pc.escort.weights_late or pc.escort.weights, float)
    t = np.clip(start_week, 0, cfg.n_weeks - 1) / (cfg.n_weeks - 1)
    use_late = rng.random(n) < t
    esc = np.where(
        use_late,
        esc_v[rng.choice(esc_v.size, n, p=late / late.sum())],
        esc_v[rng.choice(esc_v.size, n, p=early / early.sum())],
    )
    # TopEscortBabes is a pricier segment
    home = np.where(is_teb, home + pc.topescortbabes_premium, home)
    esc = np.where(is_teb, esc + pc.topescortbabes_premium, esc)
    # ads offering home and escort: either two separate prices or one price for both
    both = has_h & has_e
    separate = both & (rng.random(n) < pc.separate_prices_share)
    single = both & ~separate
    pick_home = rng.random(n) < 0.5
    one = np.where(pick_home, home, esc)
    home = np.where(single, one, home)
    esc = np.where(single, one, esc)
    swap = separate & (esc < home)
    home, esc = np.where(swap, esc, home), np.where(swap, home, esc)
    price_home = np.where(has_h, home, np.nan)
    price_escort = np.where(has_e, esc, np.nan)
    massage_only = has_m & ~has_h & ~has_e
    massage = 5.0 * np.round(home * pc.massage_only_factor / 5.0)
    price_hour = np.where(
        massage_only, massage, np.fmin(price_home, price_escort)
    )
    return price_home, price_escort, price_hour


def _draw_advertisers(
    cfg: SandboxConfig,
    rng: np.random.Generator,
    ref: MunicipalityReference,
    pattern: np.ndarray,
    first_start: np.ndarray,
    n_postings: np.ndarray,
) -> pd.DataFrame:
    n = pattern.size
    ac = cfg.advertisers
    is_teb = pattern == "topescortbabes"
    # gender: TEB is a female escort site; the others carry all male advertisers
    share_male = ac.gender.get("man", 0.05) / sum(ac.gender.values())
    if cfg.sites.topescortbabes_female_only and n:
        p_male = share_male / max(1.0 - float(is_teb.mean()), 1e-9)
        male = (rng.random(n) < p_male) & ~is_teb
    else:
        male = rng.random(n) < share_male
    gender = np.where(male, "man", "vrouw")
    # origin
    regions = list(ac.origin_regions)
    region = _choice(rng, regions, [ac.origin_regions[r] for r in regions], n)
    eastern = (region == "europa") & (rng.random(n) < ac.eastern_europe_share_of_europa)
    country = np.empty(n, dtype=object)
    country[region == "nederland"] = "Nederland"
    for key, sel in (
        ("europa_west", (region == "europa") & ~eastern),
        ("europa_oost", eastern),
        ("zuid_amerika", region == "zuid_amerika"),
        ("overig", region == "overig"),
    ):
        idx = np.flatnonzero(sel)
        dist = ac.countries[key]
        country[idx] = _choice(rng, list(dist), list(dist.values()), idx.size)
    # age by origin region
    age = np.zeros(n, np.int64)
    bands = np.asarray(ac.age_bands)
    for r in regions:
        idx = np.flatnonzero(region == r)
        probs = np.asarray(ac.age_band_probs[r], float)
        band = rng.choice(len(bands), idx.size, p=probs / probs.sum())
        age[idx] = rng.integers(bands[band, 0], bands[band, 1] + 1)
    # municipality (systematic, weighted by postings), work types, prices
    gm = _assign_municipalities(cfg, rng, ref, n_postings.astype(float))
    names_by_code = dict(zip(ref.gemeenten["gm_code"], ref.gemeenten["name"]))
    muni_name = np.array([names_by_code[c] for c in gm], dtype=object)
    combo = _draw_types(cfg, rng, is_teb, muni_name)
    price_home, price_escort, price_hour = _draw_prices(cfg, rng, combo, is_teb, first_start)
    # names and phone numbers (06-9 range: not issued to mobile subscribers, see README)
    name = draw_names(rng, country, gender == "vrouw")
    subscriber = rng.choice(10_000_000, size=n, replace=False)
    phone = np.array([f"069{x:07d}" for x in subscriber], dtype=object)
    # language of the free text
    p_en = np.where(region == "nederland", 0.04, (ac.english_text_share - 0.21 * 0.04) / 0.79)
    language = np.where(rng.random(n) < p_en, "en", "nl")
    return pd.DataFrame(
        {
            "advertiser_id": np.arange(n),
            "name": name,
            "phone": phone,
            "phone_e164": ["+31" + p[1:] for p in phone],
            "gender": gender,
            "transgender": np.zeros(n, bool),
            "origin_country": country,
            "origin_region": region,
            "origin_eastern_europe": eastern,
            "age": age,
            "gm_code": gm,
            "municipality": muni_name,
            "combo": combo,
            "work_home": np.array(["H" in c for c in combo]),
            "work_escort": np.array(["E" in c for c in combo]),
            "work_massage": np.array(["M" in c for c in combo]),
            "price_home": price_home,
            "price_escort": price_escort,
            "price_hour": price_hour,
            "language": language,
            "pattern": pattern,
            "n_postings": n_postings,
        }
    )


# --------------------------------------------------------------------------------------------
# 3. presentation per (advertiser, site)


def _place_variants(
    cfg: SandboxConfig, rng: np.random.Generator, ref: MunicipalityReference, gm: np.ndarray
) -> np.ndarray:
    """How the municipality is written on the page (official name, place, alias, former...)."""
    pc = cfg.places
    names = dict(zip(ref.gemeenten["gm_code"], ref.gemeenten["name"]))
    kinds = list(pc.variant_probs)
    kind = _choice(rng, kinds, [pc.variant_probs[k] for k in kinds], gm.size)
    pick = rng.random(gm.size)
    out = np.empty(gm.size, dtype=object)
    for i, (code, k) in enumerate(zip(gm, kind)):
        official = names[code]
        shown = pc.official_display_overrides.get(official, official)
        text = shown
        if k == "woonplaats":
            places = [p for p in ref.places.get(code, []) if p != official]
            if places:
                text = places[int(pick[i] * len(places))]
        elif k == "alias":
            aliases = pc.aliases.get(official)
            if aliases:
                text = aliases[int(pick[i] * len(aliases))]
        elif k == "former":
            former = ref.former_names.get(code)
            if former:
                text = former[int(pick[i] * len(former))]
        elif k == "messy_case":
            text = shown.upper() if pick[i] < 0.4 else shown.lower()
            if pick[i] > 0.8:
                text = shown + " e.o."
        out[i] = text
    return out


def _presentation(
    cfg: SandboxConfig,
    rng: np.random.Generator,
    ref: MunicipalityReference,
    adv: pd.DataFrame,
    pairs: pd.DataFrame,
    weeks_online: np.ndarray,
    obs_weight: np.ndarray,
) -> pd.DataFrame:
    """Per (advertiser, site): stated flags, channels, place text, styles, text seed."""
    n = len(pairs)
    site = pairs["site"].to_numpy()
    a = pairs["advertiser_id"].to_numpy()
    out = pairs.copy()
    z = np.log1p(weeks_online[a])
    z = (z - z.mean()) / (z.std() or 1.0)
    for field in FIELDS:
        ff = getattr(cfg.fill, field)
        boost = np.where(site == "topescortbabes", cfg.fill.topescortbabes_logit_boost.get(field, 0.0), 0.0)
        # find the intercept so the observation-weighted stated rate equals the target
        lo, hi = -10.0, 10.0
        for _ in range(40):
            mid = (lo + hi) / 2
            rate = np.average(_sigmoid(mid + ff.lifetime_slope * z + boost), weights=obs_weight)
            lo, hi = (mid, hi) if rate < ff.p else (lo, mid)
        p = _sigmoid((lo + hi) / 2 + ff.lifetime_slope * z + boost)
        stated = rng.random(n) < p
        ch = cfg.fill.channel[field]
        channel = _choice(rng, list(CHANNELS), [ch[c] for c in CHANNELS], n)
        if field == "price":
            channel = np.where(site == "kinky", "text", channel)  # kinky has no price field
        channel = np.where(site == "topescortbabes", "field", channel)  # TEB: profile fields
        out[f"{field}_stated"] = stated
        out[f"{field}_source"] = np.where(stated, channel, None)
    gm = adv["gm_code"].to_numpy()[a]
    out["place_text"] = np.where(out["municipality_stated"], _place_variants(cfg, rng, ref, gm), None)
    out["phone_style"] = rng.integers(0, 6, n)
    out["phone_in_text"] = (rng.random(n) < cfg.text.phone_in_text_share) & (site != "topescortbabes")
    out["text_seed"] = rng.integers(0, 2**31 - 1, n)
    out["entities"] = rng.random(n) < cfg.text.entity_share
    out["emoji"] = rng.random(n) < cfg.text.emoji_share
    out["phone_shown"] = site != "topescortbabes"
    return out


def _assign_terms(
    cfg: SandboxConfig, rng: np.random.Generator, adv: pd.DataFrame
) -> np.ndarray:
    """Licensed-work term scenario per advertiser ('' = none), Tabel 2.6 counts per unique ad."""
    lt = cfg.licensed_terms
    scenario = np.full(len(adv), "", dtype=object)
    eligible = np.flatnonzero(
        (adv["n_postings"].to_numpy() == 1)
        & (adv["pattern"].to_numpy() != "topescortbabes")
        & ~adv["transgender"].to_numpy()
    )
    pool = rng.permutation(eligible)
    pos = 0
    for name in TERM_SCENARIOS:
        k = int(_scaled_round(rng, getattr(lt, name) * cfg.scale))
        k = min(k, pool.size - pos)
        scenario[pool[pos : pos + k]] = name
        pos += k
    return scenario


# --------------------------------------------------------------------------------------------
# 4. site copies, codes, observations, truth aggregates


CODE_SPAN_PER_YEAR = {"kinky": 200_000, "sexjobs": 2_000_000, "topescortbabes": 20_000}


def _assign_codes(rng: np.random.Generator, site: str, order_key: np.ndarray, year_index: int = 0) -> np.ndarray:
    """Increasing numeric ad codes by posting start (with gaps for ads outside the sandbox).

    A later simulated year continues where the previous one ended (``year_index`` years after the
    calibration year), so codes never repeat between years, as on a real site.
    """
    start, gap = {"kinky": (3_104_000, 9), "sexjobs": (61_200_000, 31), "topescortbabes": (41_000, 4)}[site]
    start += year_index * CODE_SPAN_PER_YEAR[site]
    order = np.argsort(order_key, kind="stable")
    codes = np.empty(order_key.size, np.int64)
    codes[order] = start + np.cumsum(rng.integers(1, gap, order_key.size))
    return codes.astype(str)


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

    tl = _calibrated_timeline(cfg, seed_timeline)
    n_post = tl.start.size
    adv_of = _advertiser_ids(tl.repost_of)
    n_adv = int(adv_of.max()) + 1

    # site pattern per advertiser (re-posts keep the pattern of the original)
    mix = cfg.sites.posting_mix
    pattern = _choice(rng, list(PATTERNS), [mix[p] for p in PATTERNS], n_adv)
    n_postings = np.bincount(adv_of, minlength=n_adv)
    first_start = np.full(n_adv, n_weeks, np.int64)
    np.minimum.at(first_start, adv_of, tl.start)
    adv = _draw_advertisers(cfg, rng, ref, pattern, first_start, n_postings)

    # transgender mentions (kinky-listed female advertisers with a single posting)
    cand = np.flatnonzero(
        (adv["gender"].to_numpy() == "vrouw")
        & np.isin(adv["pattern"].to_numpy(), ["kinky_only", "kinky_and_sexjobs"])
        & (n_postings == 1)
    )
    k_trans = min(int(_scaled_round(rng, cfg.advertisers.transgender_ads * cfg.scale)), cand.size)
    trans_idx = rng.choice(cand, k_trans, replace=False)
    transgender = np.zeros(n_adv, bool)
    transgender[trans_idx] = True
    adv["transgender"] = transgender
    adv["term_scenario"] = _assign_terms(cfg, rng, adv)

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
    pres = _presentation(cfg, rng, ref, adv, pairs, weeks_online_adv, np.maximum(obs_weight_adv_site, 0.01))

    # ad rows: one per (posting, site) that was online at least once
    ad_frames = []
    for s in SITES:
        son = site_on[s]
        posts = np.flatnonzero(son.any(axis=1))
        first = son[posts].argmax(axis=1)
        last = n_weeks - 1 - son[posts][:, ::-1].argmax(axis=1)
        order_key = tl.start[posts] * 10_000_000.0 + rng.random(posts.size) * 1_000_000
        codes = _assign_codes(rng, s, order_key, year_index)
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
    _add_terms_and_sections(cfg, rng, ads)
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

    weekly, dups = _weekly_truth(cfg, on, site_on, ads, adv_of, pat_post)
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


def has_site_pattern(pattern: str, site: str) -> bool:
    """Whether a site pattern puts a copy of the posting on ``site``."""
    return {
        "kinky": pattern in ("kinky_only", "kinky_and_sexjobs"),
        "sexjobs": pattern in ("sexjobs_only", "kinky_and_sexjobs"),
        "topescortbabes": pattern == "topescortbabes",
    }[site]


def _add_terms_and_sections(cfg: SandboxConfig, rng: np.random.Generator, ads: pd.DataFrame) -> None:
    sc = ads["term_scenario"].to_numpy()
    ads["term_club"] = np.isin(sc, ["club_licensed", "club_nightclub", "club_or_privehuis_negation"])
    ads["term_club_licensed"] = sc == "club_licensed"
    ads["term_privehuis"] = np.isin(sc, ["privehuis_licensed", "club_or_privehuis_negation"])
    ads["term_privehuis_licensed"] = sc == "privehuis_licensed"
    ads["term_bureau"] = np.isin(sc, ["bureau_licensed", "bureau_negation"])
    ads["term_bureau_licensed"] = sc == "bureau_licensed"
    ads["term_kvk"] = sc == "kvk_licensed"
    ads["term_kvk_licensed"] = sc == "kvk_licensed"
    ads["licensed_work"] = np.isin(sc, ["club_licensed", "privehuis_licensed", "bureau_licensed", "kvk_licensed"])
    lic_num = (sc == "kvk_licensed") | (
        (sc == "privehuis_licensed")
        & (rng.random(len(ads)) < cfg.licensed_terms.licence_number_share_of_privehuis)
    )
    # the same advertiser text carries the same number on every copy
    ads["licence_number_mentioned"] = lic_num
    if len(ads):
        first = ads.groupby("advertiser_id")["licence_number_mentioned"].transform("first")
        ads["licence_number_mentioned"] = first.to_numpy() & ((sc == "kvk_licensed") | (sc == "privehuis_licensed"))
    # sections
    site = ads["site"].to_numpy()
    female = ads["gender"].to_numpy() == "vrouw"
    trans = ads["transgender"].to_numpy()
    u = rng.random(len(ads))
    gay = (~female) & (u < cfg.advertisers.gay_share_of_men)
    couple = female & ~trans & (u < cfg.advertisers.couples_share)
    kinky_sec = np.where(
        trans, "transsexuelen",
        np.where(couple, "stellen", np.where(female, "vrouwen", np.where(gay, "gay", "mannen"))),
    )
    typed = ads["type_stated"].to_numpy()
    home = ads["work_home"].to_numpy() & typed
    esc = ads["work_escort"].to_numpy() & typed
    mas = ads["work_massage"].to_numpy() & typed
    sections = []
    for i in range(len(ads)):
        if site[i] == "kinky":
            sections.append([str(kinky_sec[i])])
        elif site[i] == "sexjobs":
            secs = ["dames-van-plezier" if female[i] else "mannen"]
            if home[i]:
                secs.append("thuisontvangst")
            if esc[i]:
                secs.append("escort")
            if mas[i]:
                secs.append("massage")
            sections.append(secs)
        else:
            sections.append(["escorts"])
    ads["sections"] = sections
    ads["couple"] = couple & (site == "kinky")


def _weekly_truth(
    cfg: SandboxConfig,
    on: np.ndarray,
    site_on: dict[str, np.ndarray],
    ads: pd.DataFrame,
    adv_of: np.ndarray,
    pat_post: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weekly aggregates of the unique ads (between-site duplicates merged into kinky)."""
    weeks = cfg.weeks
    n_weeks = len(weeks)
    ever = on.any(axis=1)
    first = np.where(ever, on.argmax(axis=1), -1)
    last = np.where(ever, n_weeks - 1 - on[:, ::-1].argmax(axis=1), -1)
    rows = []
    for w in range(n_weeks):
        cur = on[:, w]
        rec: dict[str, object] = {"week": weeks[w]}
        rec["active_unique"] = int(cur.sum())
        rec["active_unique_excl_topescortbabes"] = int((cur & (pat_post != "topescortbabes")).sum())
        if w == 0:
            rec["new_vs_previous"] = None
            rec["new_vs_previous_five"] = None
            rec["new_vs_all_previous"] = None
        else:
            rec["new_vs_previous"] = int((cur & ~on[:, w - 1]).sum())
            rec["new_vs_previous_five"] = int((cur & ~on[:, max(0, w - 5) : w].any(axis=1)).sum())
            rec["new_vs_all_previous"] = int((cur & (first == w)).sum())
        rec["closed"] = int((cur & (last == w)).sum())
        rec["seen_once"] = int((cur & (first == w) & (last == w)).sum())
        for s in SITES:
            rec[f"obs_{s}"] = int(site_on[s][:, w].sum())
        rec["obs_total"] = sum(int(rec[f"obs_{s}"]) for s in SITES)  # type: ignore[arg-type]
        dup = int((site_on["sexjobs"][:, w] & site_on["kinky"][:, w]).sum())
        rec["duplicate_pairs"] = dup
        rec["sexjobs_also_on_kinky_share"] = dup / max(int(rec["obs_sexjobs"]), 1)  # type: ignore[arg-type]
        rec["unique_share_phone_municipality"] = rec["active_unique"] / max(int(rec["obs_total"]), 1)  # type: ignore[arg-type]
        rows.append(rec)
    weekly = pd.DataFrame(rows)
    for col in ("new_vs_previous", "new_vs_previous_five", "new_vs_all_previous"):
        weekly[col] = weekly[col].astype("Int64")
    # duplicate pairs per week
    code = {(s, p): c for s, p, c in zip(ads["site"], ads["posting_id"], ads["ad_code"])}
    pidx, widx = np.nonzero(site_on["sexjobs"] & site_on["kinky"])
    dups = pd.DataFrame(
        {
            "week": [weeks[w] for w in widx],
            "sexjobs_ad_code": [code[("sexjobs", int(p))] for p in pidx],
            "kinky_ad_code": [code[("kinky", int(p))] for p in pidx],
            "advertiser_id": adv_of[pidx],
        }
    ).sort_values(["week", "kinky_ad_code"]).reset_index(drop=True)
    return weekly, dups
