"""Ground-truth columns of the ads table and the weekly aggregates (unique ads, closures, duplicate pairs)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import SITES
from .config import SandboxConfig


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
    "text_phenomena", "repost_edits", "text_edit_seed", "cross_site_place_dropped",
]


def weekly_truth(
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
    drift = cfg.drift_week_index()
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
        rec["layout_drift"] = drift is not None and w >= drift
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
