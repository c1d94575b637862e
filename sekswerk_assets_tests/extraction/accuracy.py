"""Score parsed ads against the sandbox ground truth, per variable (shared by tests and the bench)."""

from __future__ import annotations

import numpy as np
import pandas as pd

REGION = {"nederland": "netherlands", "zuid_amerika": "south_america", "overig": "other"}


def truth_region(row) -> str:
    if row["origin_region"] == "europa":
        return "eastern_europe" if row["origin_eastern_europe"] else "rest_of_europe"
    return REGION[row["origin_region"]]


def join_truth(parsed: pd.DataFrame, truth_ads: pd.DataFrame, pseudonyms) -> pd.DataFrame:
    """Parsed rows joined to the ground-truth ad rows through the ad-code pseudonym."""
    t = truth_ads.copy()
    t["ad_pseudo"] = [pseudonyms.code(s, c) for s, c in zip(t["site"], t["ad_code"])]
    t["truth_region"] = t.apply(truth_region, axis=1)
    return parsed.merge(t, on=["site", "ad_pseudo"], how="left", suffixes=("", "_true"), validate="one_to_one")


def _eq_float(a, b):
    return np.isclose(a.astype(float), b.astype(float), atol=0.51) | (a.isna() & b.isna())


def score(j: pd.DataFrame, pseudonyms) -> pd.DataFrame:
    """One row per variable: n stated, share correct among stated, n not stated, share falsely extracted.

    ``false_extraction`` counts every value extracted where the ground truth says the page states
    nothing; ``false_wrong`` only those that also differ from the true value (for work types: that
    name a type the advertiser does not offer; the sandbox's "Ik ontvang in X" / "Escort in en rond X"
    place sentences name one type although ``type_stated`` is False).
    """
    j = j[j["parse_ok"]]
    out = []

    def add(var, stated, correct, extracted, wrong=None):
        s, ns = stated, ~stated
        wrong = (extracted & ~correct) if wrong is None else (extracted & wrong)
        out.append({
            "variable": var,
            "stated": int(s.sum()),
            "correct": float(correct[s].mean()) if s.any() else float("nan"),
            "not_stated": int(ns.sum()),
            "false_extraction": float(extracted[ns].mean()) if ns.any() else float("nan"),
            "false_wrong": float(wrong[ns].mean()) if ns.any() else float("nan"),
        })

    all_true = pd.Series(True, index=j.index)
    add("gender", all_true, j["gender"] == j["gender_true"].map({"vrouw": "female", "man": "male"}), j["gender"].notna())
    tr = j["transgender_true"].astype(bool)
    add("transgender", tr, j["transgender"], j["transgender"])
    # where the truth says the offer is not (fully) stated, a type named in the text ("Ik ontvang in X",
    # "Escort in en rond X", "ontvangst 120, escort 200") is only wrong when the advertiser does not offer it
    claims_more = ((j["work_home"] & ~j["work_home_true"].astype(bool)) | (j["work_escort"] & ~j["work_escort_true"].astype(bool))
                   | (j["work_massage"] & ~j["work_massage_true"].astype(bool)))
    add("type", j["type_stated_true"].astype(bool),
        j["type_stated"] & (j["work_home"] == j["work_home_true"]) & (j["work_escort"] == j["work_escort_true"])
        & (j["work_massage"] == j["work_massage_true"]), j["type_stated"], wrong=claims_more)
    add("origin", j["origin_stated"].astype(bool),
        (j["origin_country"] == j["origin_country_true"]) & (j["origin_region"] == j["truth_region"]),
        j["origin_country"].notna())
    add("age", j["age_stated"].astype(bool), j["age"].astype("Float64") == j["age_true"].astype(float), j["age"].notna())
    ps = j["price_stated"].astype(bool)
    add("price_hour", ps, _eq_float(j["price_hour"], j["price_hour_true"]), j["price_hour"].notna())
    # a per-type price is stated when the page prices the type separately (two different prices, or
    # the TEB rates table), or states one price and the types it applies to
    ph, pe = j["price_home_true"], j["price_escort_true"]
    separate = (ph.notna() & pe.notna() & (ph != pe)) | (j["site"] == "topescortbabes")
    typed = j["type_stated_true"].astype(bool) | separate
    add("price_home", ps & ph.notna() & typed, _eq_float(j["price_home"], ph), j["price_home"].notna())
    add("price_escort", ps & pe.notna() & typed, _eq_float(j["price_escort"], pe), j["price_escort"].notna())
    add("municipality", j["municipality_stated"].astype(bool), j["gm_code"] == j["gm_code_true"], j["gm_code"].notna())
    terms = j["licensed_terms"].fillna("")
    for term in ("club", "privehuis", "bureau", "kvk"):
        found = terms.str.split(",").apply(lambda xs, t=term: t in xs)
        truth = j[f"term_{term}"].astype(bool)
        add(f"term_{term}", truth, found, found)
    add("licensed_indicated", j["licensed_work"].astype(bool), j["licensed_indicated"], j["licensed_indicated"])
    num = j["licence_number"] | j["kvk_number"]
    add("licence_or_kvk_number", j["licence_number_mentioned"].astype(bool), num, num)
    shown = j["phone_shown"].astype(bool)
    truth_phone = pd.Series([pseudonyms.phone(p) for p in j["phone"]], index=j.index)
    add("phone", shown, j["phone_pseudo"] == truth_phone, j["phone_pseudo"].notna())
    truth_name = pd.Series([pseudonyms.name(n) for n in j["name"]], index=j.index)
    add("name", all_true, j["name_pseudo"] == truth_name, j["name_pseudo"].notna())
    return pd.DataFrame(out)
