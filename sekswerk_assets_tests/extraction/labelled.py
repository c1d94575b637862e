"""Score the extractor on the hand-labelled ad texts (fixtures/labelled_ads.yaml)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from sekswerk_assets.extraction.parse import extract
from sekswerk_assets.extraction.sites import RawAd

FIXTURE = Path(__file__).parent / "fixtures" / "labelled_ads.yaml"
VARIABLES = ["gender", "trans", "types", "origin", "age", "price", "home", "escort", "gm",
             "term_club", "term_privehuis", "term_bureau", "term_kvk", "licensed", "number"]


def load_labelled() -> list[dict]:
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["ads"]


def predict(ad: dict, matcher) -> dict:
    """The extractor on the text alone (as for a page without pre-filled fields)."""
    out = extract("kinky", RawAd(text=ad["text"]), matcher)
    terms = set(filter(None, out["licensed_terms"].split(",")))
    return {
        "gender": out["gender"],
        "trans": out["transgender"],
        "types": sorted(t for t, on in (("escort", out["work_escort"]), ("home", out["work_home"]),
                                        ("massage", out["work_massage"])) if on) if out["type_stated"] else None,
        "origin": out["origin_country"],
        "age": out["age"],
        "price": out["price_hour"],
        "home": out["price_home"],
        "escort": out["price_escort"],
        "gm": out["gm_code"],
        **{f"term_{t}": t in terms for t in ("club", "privehuis", "bureau", "kvk")},
        "licensed": out["licensed_indicated"],
        "number": out["licence_number"] or out["kvk_number"],
    }


def truth(ad: dict) -> dict:
    terms = set(ad.get("terms") or [])
    return {
        "gender": ad.get("gender"),
        "trans": bool(ad.get("trans", False)),
        "types": sorted(ad["types"]) if ad.get("types") else None,
        "origin": ad.get("origin"),
        "age": ad.get("age"),
        "price": ad.get("price"),
        "home": ad.get("home"),
        "escort": ad.get("escort"),
        "gm": ad.get("gm"),
        **{f"term_{t}": t in terms for t in ("club", "privehuis", "bureau", "kvk")},
        "licensed": bool(ad.get("licensed", False)),
        "number": bool(ad.get("number", False)),
    }


def _same(var, a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if var in ("price", "home", "escort"):
        return abs(float(a) - float(b)) < 0.51
    return a == b


def score_labelled(matcher) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-variable table, per-ad failures). Booleans: 'stated' = label True."""
    rows, fails = [], []
    ads = load_labelled()
    preds = [(ad, predict(ad, matcher), truth(ad)) for ad in ads]
    for var in VARIABLES:
        boolean = isinstance(preds[0][2][var], bool)
        stated = [(p, t) for _, p, t in preds if (t[var] if boolean else t[var] is not None)]
        unstated = [(p, t) for _, p, t in preds if not (t[var] if boolean else t[var] is not None)]
        if var in ("home", "escort"):
            # a single price is assigned to every offered type (the ground truth's convention): a
            # per-type price is only 'falsely extracted' when the ad states no price at all
            unstated = [(p, t) for p, t in unstated if t["price"] is None]
        correct = sum(_same(var, p[var], t[var]) for p, t in stated)
        false = sum((p[var] if boolean else p[var] is not None) for p, t in unstated)
        rows.append({"variable": var, "stated": len(stated),
                     "correct": correct / len(stated) if stated else float("nan"),
                     "not_stated": len(unstated),
                     "false_extraction": false / len(unstated) if unstated else float("nan")})
        for ad, p, t in preds:
            if var in ("home", "escort") and t[var] is None and t["price"] is not None:
                continue  # single price assigned to the offered types: not a failure
            if not _same(var, p[var], t[var]) and not (boolean and not p[var] and not t[var]):
                fails.append({"id": ad["id"], "variable": var, "label": t[var], "extracted": p[var]})
    return pd.DataFrame(rows), pd.DataFrame(fails)


_ISO = None


def dev_records(matcher) -> list[dict]:
    """The development set (the 312 texts above) as labelled JSONL records for ``evaluate`` (predict fields).

    licensed_work: true where a term indicates licensed work, false where a term occurs but does not,
    null where no term occurs. Gender: 'transgender' for trans advertisers.
    """
    from sekswerk_assets.extraction.textmining import iso2, region_of
    from sekswerk_assets.extraction.predict import REGION_NAMES

    out = []
    for ad in load_labelled():
        terms = [{"privehuis": "privéhuis"}.get(t, t) for t in ad.get("terms") or []]
        country = ad.get("origin")
        gender = "transgender" if ad.get("trans") else {"female": "woman", "male": "man"}.get(ad.get("gender"))
        gm = ad.get("gm")
        out.append({"id": str(ad["id"]), "text": ad["text"], "labels": {
            "age": ad.get("age"), "price_per_hour_eur": ad.get("price"),
            "work_types": sorted(ad["types"]) if ad.get("types") else None,
            "origin_country": iso2(country) if country else None,
            "origin_region": REGION_NAMES[region_of(country)] if country else None,
            "gender": gender, "municipality": matcher.names.get(gm) if gm else None, "gm_code": gm,
            "licensed_terms_found": terms, "licensed_work": bool(ad.get("licensed")) if terms else None,
        }})
    return out
