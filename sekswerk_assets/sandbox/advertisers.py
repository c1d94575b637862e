"""Advertisers and their true attributes: gender, origin, age, municipality, work types, prices, licensed-work terms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import COMBOS, TERM_SCENARIOS, choice, scaled_round
from .config import SandboxConfig
from .names import draw_names
from .reference import MunicipalityReference



def advertiser_ids(repost_of: np.ndarray) -> np.ndarray:
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


def draw_advertisers(
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
    region = choice(rng, regions, [ac.origin_regions[r] for r in regions], n)
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
        country[idx] = choice(rng, list(dist), list(dist.values()), idx.size)
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


def assign_terms(
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
        k = int(scaled_round(rng, getattr(lt, name) * cfg.scale))
        k = min(k, pool.size - pos)
        scenario[pool[pos : pos + k]] = name
        pos += k
    return scenario
