"""Linkage on re-posts as people make them (edited text, age +-1-2, another name, a second phone).

A scale-0.1 sandbox year is rendered, parsed by the real extractor, deduplicated per week and
linked; each unit is traced back to its true advertiser (``linkage_eval``).
"""

from __future__ import annotations

import pandas as pd
import pytest

from sekswerk_assets.deduplication.splink_model import link
from sekswerk_assets.sandbox import load_config, simulate

from .linkage_eval import evaluate, pairwise


@pytest.fixture(scope="module")
def pop():
    return simulate(load_config(scale=0.1))


def test_the_year_has_edited_reposts(pop):
    rep = pop.ads_full[pop.ads_full["is_repost_of"].notna()]
    edits = rep["repost_edits"].str.split(",").explode()
    assert {"text", "age", "name", "phone"} <= set(edits)
    assert (rep["repost_edits"] != "").mean() > 0.5


def test_linkage_precision_recall_and_count_against_truth(pop, capsys):
    q = evaluate(pop)
    with capsys.disabled():
        print("\nlinkage on edited re-posts (scale 0.1):\n  " + "\n  ".join(q.lines()))
    assert q.precision >= 0.98
    assert q.recall >= 0.95
    assert abs(q.count_error) <= 0.02
    # the report's units overcount the advertisers (re-posts under new codes), the linkage does not
    assert q.units > 1.03 * q.advertisers


def test_no_single_field_vetoes_a_match():
    """A re-post with a new name and an edited text that also differs in one more field is still linked."""
    base = {"phone_pseudo": "p", "name_pseudo": "n", "text_hash": "t", "text_simhash": 0, "gm_code": "GM0363",
            "age": 30, "origin_country": "Roemenië", "price_hour": 150.0, "type_stated": True, "work_home": True,
            "work_escort": False, "work_massage": False}
    rows = []
    # background: 400 advertisers posting twice (some with a new name or phone), so EM has pairs to learn from
    for i in range(400):
        ad = {**base, "phone_pseudo": f"p{i}", "name_pseudo": f"n{i}", "text_hash": f"t{i}",
              "text_simhash": (i * 0x9E3779B97F4A7C15) % (1 << 62), "gm_code": f"GM{(i * 11) % 97:04d}",
              "age": 21 + (i * 7) % 43, "origin_country": ("Roemenië", "Brazilië", "Nederland", "Polen", "Colombia")[(i * 3) % 5],
              "price_hour": float(100 + 10 * ((i * 5) % 12))}
        again = {**ad}
        if i % 5 == 0:
            again["name_pseudo"] = f"n{i}b"
        if i % 7 == 0:
            again["phone_pseudo"] = f"p{i}b"
        rows += [ad, again]
    variants = {"origin_country": "Hongarije", "age": 36, "gm_code": "GM0344", "price_hour": 200.0,
                "work_escort": True, "gm_code null": None, "age null": None}
    pairs = []
    for k, (what, value) in enumerate(variants.items()):
        a = {**base, "phone_pseudo": f"q{k}", "name_pseudo": f"m{k}", "text_hash": f"u{k}", "text_simhash": 1 << (40 + k)}
        # the re-post: same phone, another name, an edited text (10 simhash bits off) ...
        b = {**a, "name_pseudo": f"m{k}b", "text_hash": f"u{k}b", "text_simhash": a["text_simhash"] ^ 0x3FF}
        b[what.removesuffix(" null")] = value  # ... and one more field differs or is left out
        pairs.append((len(rows), len(rows) + 1, what))
        rows += [a, b]
    units = pd.DataFrame(rows).assign(unit=range(len(rows)))
    res = link(units)
    vetoed = [what for i, j, what in pairs if res.clusters[i] != res.clusters[j]]
    assert not vetoed, f"one differing field vetoed the match: {vetoed}"
    # the background advertisers stay apart and their own re-posts are found
    precision, recall = pairwise(pd.Series(res.clusters[:800].to_numpy()), pd.Series([i // 2 for i in range(800)]))
    assert precision >= 0.99 and recall >= 0.95
    # no level weighs like a veto (an EM-learnt m of ~0 gives about -50 bits)
    weights = res.match_weights.set_index(["comparison", "level"])["match_weight"].dropna()
    assert weights.min() > -12, weights.sort_values().head()
