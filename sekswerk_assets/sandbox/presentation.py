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
    # drawn after everything above, so a zero frequency leaves the rest of the population as it was
    out["text_phenomena"] = draw_phenomena(cfg, rng, n)
    pattern = adv["pattern"].to_numpy()[a]
    drop = (
        (site == "sexjobs") & (pattern == "kinky_and_sexjobs") & out["municipality_stated"].to_numpy()
        & (rng.random(n) < cfg.reposts.cross_site_no_municipality)
    )
    out.loc[drop, ["municipality_stated"]] = False
    out.loc[drop, ["municipality_source", "place_text"]] = None
    out["cross_site_place_dropped"] = drop
    provinces = dict(zip(ref.gemeenten["gm_code"], ref.gemeenten["province"]))
    out["province"] = [provinces.get(c) for c in gm]
    return out


def draw_phenomena(cfg: SandboxConfig, rng: np.random.Generator, n: int) -> list[str]:
    """Per ad text, the comma-joined phenomena of real ads it shows (frequencies from ``text.phenomena``)."""
    names = sorted(k for k, v in cfg.text.phenomena.items() if v > 0)
    if not names:
        return [""] * n
    hits = rng.random((n, len(names))) < np.array([cfg.text.phenomena[k] for k in names])
    labels = np.array(names, dtype=object)
    return [",".join(labels[row]) for row in hits]


def apply_repost_edits(cfg: SandboxConfig, rng: np.random.Generator, ads: pd.DataFrame, n_postings: int) -> None:
    """Re-posts as people make them: edited text, age off by one or two years, another name or phone.

    An edited text keeps most of the original's sentences: one or two are dropped, replaced or
    added (``text.build_content`` applies ``text_edit_seed``).

    Edits are drawn per posting, so both site copies of a re-post show the same edits. Only the
    ad's own columns change (what the page states); the advertiser, and its true attributes in
    the advertisers table, stay the same. ``repost_edits`` lists what was changed.
    """
    from .names import draw_names

    rc = cfg.reposts
    post = ads["posting_id"].to_numpy()
    rep = ads["is_repost_of"].notna().to_numpy()
    u = rng.random((n_postings, 4))
    text = rep & (u[post, 0] < rc.edited_text)
    age = rep & (u[post, 1] < rc.age_shift)
    name = rep & (u[post, 2] < rc.other_name)
    phone = rep & (u[post, 3] < rc.second_phone)
    edit_seed = rng.integers(1, 2**31 - 1, n_postings)
    shift = rng.choice(np.array([-2, -1, 1, 2]), n_postings)
    ads["text_edit_seed"] = np.where(text, edit_seed[post], 0)
    ads.loc[age, "age"] = np.clip(ads.loc[age, "age"].to_numpy() + shift[post[age]], 18, 80)
    if name.any():
        first = ads[name].drop_duplicates("posting_id")
        old = first["name"].to_numpy()
        new = draw_names(rng, first["origin_country"].to_numpy(), first["gender"].to_numpy() == "vrouw")
        for _ in range(20):  # a re-drawn name equal to the old one is no edit
            again = new == old
            if not again.any():
                break
            new[again] = draw_names(rng, first["origin_country"].to_numpy()[again],
                                    first["gender"].to_numpy()[again] == "vrouw")
        by_post = dict(zip(first["posting_id"], new))
        ads.loc[name, "name"] = [by_post[p] for p in post[name]]
    if phone.any():
        # a second number of the advertiser, never another advertiser's number
        used = set(ads["phone"])
        posts = np.unique(post[phone])
        numbers: dict[int, str] = {}
        for p in posts:
            while True:
                cand = f"069{int(rng.integers(0, 10_000_000)):07d}"
                if cand not in used:
                    used.add(cand)
                    numbers[int(p)] = cand
                    break
        ads.loc[phone, "phone"] = [numbers[int(p)] for p in post[phone]]
    edits = np.stack([text, age, name, phone], axis=1)
    labels = np.array(["text", "age", "name", "phone"], dtype=object)
    ads["repost_edits"] = [",".join(labels[row]) for row in edits]


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
