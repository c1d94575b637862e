"""Tests of the simulated population: determinism, scaling and calibration to the report.

Calibration targets are those of the nulmeting (measurement year 2020) at scale 1; the scale-1
population builds in about a second, so it is used directly. Tolerances are stated per test.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import phonenumbers
import pytest

from sekswerk_assets.sandbox import load_config, simulate
from sekswerk_assets.sandbox.ground_truth import GROUND_TRUTH_FILES, ground_truth_frames, write_ground_truth
from sekswerk_assets.sandbox.population import Population

PRIORITY = {"kinky": 0, "sexjobs": 1, "topescortbabes": 2}


@pytest.fixture(scope="module")
def pop() -> Population:
    return simulate(load_config(scale=1.0))


@pytest.fixture(scope="module")
def unique(pop: Population) -> pd.DataFrame:
    """One row per unique ad (posting); between-site duplicates keep the kinky copy."""
    ads = pop.ads_full.assign(_p=pop.ads_full["site"].map(PRIORITY))
    return ads.sort_values(["posting_id", "_p"]).drop_duplicates("posting_id")


def _week(pop: Population, iso: str) -> pd.Series:
    wt = pop.weekly_truth
    return wt[wt["week"] == dt.date.fromisoformat(iso)].iloc[0]


# ------------------------------------------------------------------------------ determinism


def test_same_seed_gives_identical_frames() -> None:
    a = ground_truth_frames(simulate(load_config(scale=0.05)))
    b = ground_truth_frames(simulate(load_config(scale=0.05)))
    for name in GROUND_TRUTH_FILES:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


def test_other_seed_gives_other_population() -> None:
    a = simulate(load_config(scale=0.05))
    b = simulate(load_config(scale=0.05, seed=12345))
    assert not a.advertisers["phone"].equals(b.advertisers["phone"])


def test_scale_multiplies_population(pop: Population) -> None:
    small = simulate(load_config(scale=0.05))
    # unique ads, observations and weekly active ads scale linearly (within 5%)
    assert small.postings.shape[0] == pytest.approx(pop.postings.shape[0] * 0.05, rel=0.05)
    assert len(small.observations) == pytest.approx(len(pop.observations) * 0.05, rel=0.05)
    assert small.weekly_truth["active_unique"].mean() == pytest.approx(
        pop.weekly_truth["active_unique"].mean() * 0.05, rel=0.05
    )


def test_scale_one_builds_fast(pop: Population) -> None:
    assert pop.build_seconds < 30


def test_ground_truth_parquet_round_trip(tmp_path, pop: Population) -> None:
    small = simulate(load_config(scale=0.05))
    paths = write_ground_truth(small, tmp_path)
    assert set(paths) == set(GROUND_TRUTH_FILES)
    ads = pd.read_parquet(paths["ads"])
    assert {"site", "ad_code", "advertiser_id", "price_home", "gm_code", "is_repost_of", "term_club"} <= set(ads.columns)
    assert ads.duplicated(["site", "ad_code"]).sum() == 0
    obs = pd.read_parquet(paths["observations"])
    assert len(obs) == len(small.observations)


# ------------------------------------------------------------------------------ timeline


def test_weekly_active_unique_ads(pop: Population) -> None:
    wt = pop.weekly_truth
    active = wt["active_unique"]
    assert active.between(5_900, 7_800).all()
    # rise from the first measurement to ~7,500 late November
    assert active.iloc[0] < 6_600
    nov = wt[(wt["week"] >= dt.date(2020, 11, 10)) & (wt["week"] <= dt.date(2020, 12, 1))]["active_unique"]
    assert nov.max() >= 7_500
    # abrupt drop to ~6,000 in the second half of December
    assert _week(pop, "2020-12-22")["active_unique"] <= 6_350
    assert _week(pop, "2020-12-29")["active_unique"] <= 6_300
    # 6,000-6,500 (+-200) through 2021
    later = wt[wt["week"] >= dt.date(2021, 1, 19)]["active_unique"]
    assert later.between(6_000, 6_700).all()


def test_new_and_closed_ads_per_week(pop: Population) -> None:
    wt = pop.weekly_truth
    assert wt["new_vs_previous"].iloc[1:].between(1_000, 2_000).all()
    assert wt["new_vs_previous_five"].iloc[5:].between(230, 1_000).all()
    # closures ~400 per week (the last weeks are censored by the end of the window)
    closed = wt["closed"].iloc[:-3]
    assert 360 <= closed.mean() <= 460
    feb = wt[(wt["week"] >= dt.date(2021, 2, 1)) & (wt["week"] < dt.date(2021, 3, 1))]["closed"].mean()
    end_march = wt[(wt["week"] >= dt.date(2021, 3, 16)) & (wt["week"] <= dt.date(2021, 4, 6))]["closed"].max()
    june = wt[(wt["week"] >= dt.date(2021, 6, 1)) & (wt["week"] <= dt.date(2021, 6, 29))]["closed"].max()
    assert end_march >= 1.7 * feb and june >= 1.7 * feb


def test_seen_once_ads(pop: Population) -> None:
    wt = pop.weekly_truth
    assert wt["seen_once"].sum() == pytest.approx(3_713, rel=0.05)
    assert _week(pop, "2020-09-01")["seen_once"] == pytest.approx(151, abs=25)
    jan = wt[(wt["week"] >= dt.date(2021, 1, 1)) & (wt["week"] < dt.date(2021, 2, 1))]["seen_once"]
    assert jan.min() <= 15
    late_june = wt[(wt["week"] >= dt.date(2021, 6, 15)) & (wt["week"] <= dt.date(2021, 7, 6))]["seen_once"]
    assert late_june.max() >= 110
    assert wt[wt["week"] == dt.date(2021, 7, 13)]["seen_once"].iloc[0] < late_june.max() / 2


def test_unique_ads_advertisers_and_reposts(pop: Population, unique: pd.DataFrame) -> None:
    n_unique = pop.postings.shape[0]
    assert n_unique == pytest.approx(27_866, rel=0.02)
    assert len(unique) == n_unique
    # the report's key (site code + name, duplicates merged into kinky) counts the same ads
    keys = unique[["site", "ad_code", "name"]].drop_duplicates()
    assert len(keys) == n_unique
    # re-posts under a new code: true advertisers 5-10% fewer than unique ads
    ratio = pop.advertisers.shape[0] / n_unique
    assert 0.90 <= ratio <= 0.95
    reposts = pop.ads_full[pop.ads_full["is_repost_of"].notna()]
    assert len(reposts) > 0
    orig = pop.ads_full.set_index(["site", "ad_code"])
    for row in reposts.head(400).itertuples():
        o = orig.loc[(row.site, row.is_repost_of)]
        assert o["advertiser_id"] == row.advertiser_id
        assert o["last_week"] < row.first_week
    # edits are relative to the advertiser's own values (a re-post of a re-post starts from them too)
    adv = pop.advertisers.set_index("advertiser_id")
    first = pop.ads_full[pop.ads_full["is_repost_of"].isna()].set_index(["advertiser_id", "site"])["text_seed"]
    for row in reposts.head(400).itertuples():
        a = adv.loc[row.advertiser_id]
        edits = set(filter(None, row.repost_edits.split(",")))
        assert first.loc[(row.advertiser_id, row.site)] == row.text_seed  # the same text, edited or not
        assert (row.text_edit_seed != 0) == ("text" in edits)
        assert (a["name"] != row.name) == ("name" in edits)
        assert (a["phone"] != row.phone) == ("phone" in edits)
        assert abs(int(a["age"]) - int(row.age)) in ((1, 2) if "age" in edits else (0,))


def test_repost_edits_follow_the_config(pop: Population) -> None:
    """Edited re-posts: shares per edit as configured, same on both site copies, advertisers unchanged."""
    cfg = pop.config.reposts
    ads = pop.ads_full
    rep = ads[ads["is_repost_of"].notna()].drop_duplicates("posting_id")
    assert len(rep) > 500
    for edit, share in (("text", cfg.edited_text), ("age", cfg.age_shift), ("name", cfg.other_name),
                        ("phone", cfg.second_phone)):
        got = rep["repost_edits"].str.split(",").map(lambda xs, e=edit: e in xs).mean()
        assert got == pytest.approx(share, abs=0.04), edit
    assert (ads.loc[ads["is_repost_of"].isna(), "repost_edits"] == "").all()
    # both copies of a between-site re-post show the same edits, name and phone
    both = ads[ads["is_repost_of"].notna()].groupby("posting_id").filter(lambda g: len(g) == 2)
    assert both.groupby("posting_id")[["repost_edits", "name", "phone", "age"]].nunique().max().max() == 1
    # a second phone is never another advertiser's number
    owners = ads.groupby("phone")["advertiser_id"].nunique()
    assert owners.max() == 1
    # the advertisers table keeps the true attributes
    adv = pop.advertisers.set_index("advertiser_id")
    orig = ads[ads["is_repost_of"].isna()]
    assert (orig["age"].to_numpy() == adv.loc[orig["advertiser_id"], "age"].to_numpy()).all()
    # cross-site copies without a place: only sexjobs copies of between-site duplicates
    dropped = ads[ads["cross_site_place_dropped"]]
    assert len(dropped) > 0 and (dropped["site"] == "sexjobs").all()
    assert not dropped["municipality_stated"].any() and dropped["place_text"].isna().all()


def test_text_phenomena_follow_the_config(pop: Population) -> None:
    shares = pop.config.text.phenomena
    ph = pop.ads_full["text_phenomena"].str.split(",")
    for name, share in shares.items():
        got = ph.map(lambda xs, n=name: n in xs).mean()
        assert got == pytest.approx(share, abs=max(0.01, 0.2 * share)), name


def test_layout_drift_is_off_by_default_and_marked_when_on(pop: Population) -> None:
    assert pop.config.layout_drift.date is None and not pop.weekly_truth["layout_drift"].any()
    cfg = load_config(scale=0.05, layout_drift__date="2021-02-23")
    wt = simulate(cfg).weekly_truth
    assert wt.loc[wt["layout_drift"], "week"].min() == dt.date(2021, 2, 23)
    assert (wt["layout_drift"] == (wt["week"] >= dt.date(2021, 2, 23))).all()


def test_observations_and_site_shares(pop: Population) -> None:
    obs = pop.observations
    assert len(obs) == pytest.approx(365_140, rel=0.05)
    shares = obs["site"].value_counts(normalize=True)
    assert shares["kinky"] == pytest.approx(0.57, abs=0.015)
    assert shares["sexjobs"] == pytest.approx(0.28, abs=0.015)
    assert shares["topescortbabes"] == pytest.approx(0.14, abs=0.015)
    assert obs.duplicated(["week", "site", "ad_code"]).sum() == 0


def test_between_site_duplicates(pop: Population) -> None:
    wt = pop.weekly_truth
    assert wt["sexjobs_also_on_kinky_share"].between(0.093, 0.146).all()
    assert wt["unique_share_phone_municipality"].between(0.959, 0.976).all()
    ads = pop.ads_full.set_index(["site", "ad_code"])
    d = pop.duplicates.head(500)
    sj = ads.loc[list(zip(["sexjobs"] * len(d), d["sexjobs_ad_code"]))]
    kk = ads.loc[list(zip(["kinky"] * len(d), d["kinky_ad_code"]))]
    assert (sj["phone"].to_numpy() == kk["phone"].to_numpy()).all()
    assert (sj["gm_code"].to_numpy() == kk["gm_code"].to_numpy()).all()
    assert (d["sexjobs_ad_code"].to_numpy() != d["kinky_ad_code"].to_numpy()).all()
    # per-week duplicate pairs agree with the weekly counts
    per_week = pop.duplicates.groupby("week").size()
    assert (per_week.reindex(wt["week"]).fillna(0).to_numpy() == wt["duplicate_pairs"].to_numpy()).all()


# ------------------------------------------------------------------------------ fields


def test_fill_rates_per_observation(pop: Population) -> None:
    rows = pop.ads_full.iloc[pop.observations["ad_row"].to_numpy()]
    targets = {"type": 0.98, "origin": 0.72, "age": 0.96, "price": 0.71, "municipality": 0.98}
    for field, target in targets.items():
        assert rows[f"{field}_stated"].mean() == pytest.approx(target, abs=0.015), field


def test_fill_rates_per_unique_ad(unique: pd.DataFrame) -> None:
    # the report's N's: price 16,787, origin 15,985, age 26,218, municipality 27,243 of 27,866
    n = len(unique)
    assert unique["price_stated"].sum() / n == pytest.approx(16_787 / 27_866, abs=0.03)
    assert unique["origin_stated"].sum() / n == pytest.approx(15_985 / 27_866, abs=0.03)
    assert unique["age_stated"].sum() / n == pytest.approx(26_218 / 27_866, abs=0.02)
    assert unique["municipality_stated"].sum() / n == pytest.approx(27_243 / 27_866, abs=0.01)


def test_gender_and_transgender(unique: pd.DataFrame) -> None:
    assert (unique["gender"] == "vrouw").mean() == pytest.approx(0.95, abs=0.01)
    assert int(unique["transgender"].sum()) == 26
    assert set(unique["gender"]) == {"vrouw", "man"}


def test_work_type_combinations(unique: pd.DataFrame) -> None:
    combo = (
        unique["work_home"].map({True: "H", False: ""})
        + unique["work_escort"].map({True: "E", False: ""})
        + unique["work_massage"].map({True: "M", False: ""})
    )
    shares = combo.value_counts(normalize=True)
    target = {"H": 22, "HE": 22, "HM": 17, "E": 16, "HEM": 10, "M": 2, "EM": 7}
    total = sum(target.values())
    for key, value in target.items():
        assert shares[key] == pytest.approx(value / total, abs=0.015), key
    assert unique["work_escort"].mean() == pytest.approx(0.55, abs=0.035)
    assert unique["work_home"].mean() == pytest.approx(0.71, abs=0.035)
    assert unique["work_massage"].mean() == pytest.approx(0.36, abs=0.025)


def test_prices_table_2_2(unique: pd.DataFrame) -> None:
    stated = unique[unique["price_stated"]]
    home = stated["price_home"].dropna()
    escort = stated["price_escort"].dropna()
    allp = pd.concat([home, escort])
    assert allp.mean() == pytest.approx(167, abs=4) and allp.std() == pytest.approx(51, abs=8)
    assert home.mean() == pytest.approx(153, abs=4) and home.std() == pytest.approx(42, abs=8)
    assert escort.mean() == pytest.approx(184, abs=4) and escort.std() == pytest.approx(55, abs=8)
    bands = [0, 49.99, 100, 150, 200, 250, 300, 1e9]
    home_target = [1.7, 7.7, 63.1, 23.4, 2.7, 0.8, 0.5]
    esc_target = [1.1, 3.3, 26.0, 53.4, 10.7, 3.5, 2.0]
    for series, target in ((home, home_target), (escort, esc_target)):
        got = pd.cut(series, bands).value_counts(normalize=True, sort=False).to_numpy() * 100
        assert np.abs(got - np.array(target)).max() < 6.0
    # escort prices rise over the year (report: ~165 -> ~200)
    esc_ads = unique[unique["work_escort"]]
    early = esc_ads[esc_ads["first_week_idx"] <= 4]["price_escort"].mean()
    late = esc_ads[esc_ads["first_week_idx"] >= 42]["price_escort"].mean()
    assert late - early >= 15


def test_ages_by_origin(unique: pd.DataFrame) -> None:
    stated = unique[unique["age_stated"]]
    assert stated["age"].mean() == pytest.approx(30, abs=1)
    means = stated.groupby("origin_region")["age"].mean()
    assert means["nederland"] == pytest.approx(33, abs=1)
    assert means["europa"] == pytest.approx(28, abs=1)
    assert means["zuid_amerika"] == pytest.approx(29, abs=1)
    assert means["overig"] == pytest.approx(29, abs=1)
    dutch = stated[stated["origin_region"] == "nederland"]["age"]
    assert (dutch <= 30).mean() == pytest.approx(0.533, abs=0.04)
    assert stated["age"].min() >= 18


def test_origins(unique: pd.DataFrame) -> None:
    stated = unique[unique["origin_stated"]]
    shares = stated["origin_region"].value_counts(normalize=True)
    assert shares["nederland"] == pytest.approx(0.21, abs=0.015)
    non_dutch = stated[stated["origin_region"] != "nederland"]
    nd = non_dutch["origin_region"].value_counts(normalize=True)
    assert nd["europa"] == pytest.approx(0.59, abs=0.02)
    assert nd["zuid_amerika"] == pytest.approx(0.31, abs=0.02)
    eu = non_dutch[non_dutch["origin_region"] == "europa"]
    assert eu["origin_eastern_europe"].mean() == pytest.approx(0.41, abs=0.03)


def test_municipalities_tables_2_4_and_2_5(unique: pd.DataFrame) -> None:
    stated = unique[unique["municipality_stated"]]
    counts = stated["municipality"].value_counts()
    top10 = ["Amsterdam", "Rotterdam", "'s-Gravenhage", "Utrecht", "Eindhoven", "Tilburg", "Arnhem",
             "Breda", "Almere", "Nijmegen"]
    assert counts.index[:10].tolist() == top10
    shares = counts / len(stated) * 100
    for name, pct in zip(top10, [20.4, 10.9, 6.8, 3.9, 3.0, 2.0, 2.0, 2.0, 1.7, 1.5]):
        assert shares[name] == pytest.approx(pct, abs=0.4), name
    gem = pd.read_csv(load_config().resolved_reference_dir() / "gemeenten_2021.csv").set_index("name")
    rate = (counts / gem["population"].reindex(counts.index) * 1e5).sort_values(ascending=False)
    expected = ["Amsterdam", "Rotterdam", "Boxmeer", "Roermond", "Eindhoven", "Arnhem", "'s-Gravenhage",
                "Heerlen", "Diemen", "Utrecht"]
    assert rate.index[:10].tolist() == expected
    # type mix differs between municipalities (Figuur 2.12)
    almere = unique[unique["municipality"] == "Almere"]
    amsterdam = unique[unique["municipality"] == "Amsterdam"]
    assert almere["work_home"].mean() >= 0.85
    assert amsterdam["work_escort"].mean() >= unique["work_escort"].mean() + 0.05


def test_place_text_variants(pop: Population) -> None:
    ads = pop.ads_full[pop.ads_full["municipality_stated"]]
    den_haag = set(ads[ads["municipality"] == "'s-Gravenhage"]["place_text"])
    assert {"Den Haag", "'s-Gravenhage"} <= den_haag
    assert (ads["place_text"] != ads["municipality"]).mean() > 0.2
    assert ads["place_text"].notna().all()
    assert pop.ads_full[~pop.ads_full["municipality_stated"]]["place_text"].isna().all()


def test_licensed_work_terms_table_2_6(unique: pd.DataFrame) -> None:
    expected = {"club": (178, 74), "privehuis": (150, 148), "bureau": (36, 26), "kvk": (10, 10)}
    for term, (mentions, licensed) in expected.items():
        assert int(unique[f"term_{term}"].sum()) == mentions, term
        assert int(unique[f"term_{term}_licensed"].sum()) == licensed, term


def test_phone_numbers_are_unassignable_but_parse(pop: Population) -> None:
    adv = pop.advertisers
    assert adv["phone"].is_unique
    assert adv["phone"].str.fullmatch(r"069\d{7}").all()
    for number in adv["phone"].head(300):
        parsed = phonenumbers.parse(number, "NL")
        assert parsed.country_code == 31
        assert phonenumbers.is_possible_number(parsed)
        assert not phonenumbers.is_valid_number(parsed)  # not in any issued range
    teb = pop.ads_full[pop.ads_full["site"] == "topescortbabes"]
    assert not teb["phone_shown"].any()
