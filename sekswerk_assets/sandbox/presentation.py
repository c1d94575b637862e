"""How each advertiser presents an ad per site: what is stated and where, place text, styles, terms and sections."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import CHANNELS, FIELDS, choice, sigmoid
from .config import SandboxConfig
from .reference import MunicipalityReference



def _place_variants(
    cfg: SandboxConfig, rng: np.random.Generator, ref: MunicipalityReference, gm: np.ndarray
) -> np.ndarray:
    """How the municipality is written on the page (official name, place, alias, former...)."""
    pc = cfg.places
    names = dict(zip(ref.gemeenten["gm_code"], ref.gemeenten["name"]))
    kinds = list(pc.variant_probs)
    kind = choice(rng, kinds, [pc.variant_probs[k] for k in kinds], gm.size)
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


def draw_presentation(
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
            rate = np.average(sigmoid(mid + ff.lifetime_slope * z + boost), weights=obs_weight)
            lo, hi = (mid, hi) if rate < ff.p else (lo, mid)
        p = sigmoid((lo + hi) / 2 + ff.lifetime_slope * z + boost)
        stated = rng.random(n) < p
        ch = cfg.fill.channel[field]
        channel = choice(rng, list(CHANNELS), [ch[c] for c in CHANNELS], n)
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


def add_terms_and_sections(cfg: SandboxConfig, rng: np.random.Generator, ads: pd.DataFrame) -> None:
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
