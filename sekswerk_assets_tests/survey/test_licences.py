"""Licence extrapolation: the report's 373 and a stratified estimator whose interval covers the truth."""

import os

import dagster as dg
import numpy as np
import pytest

from sekswerk_assets.licences.estimator import bootstrap_interval, report_estimate, stratified_estimate
from sekswerk_assets.reference.loader import MunicipalityReference
from sekswerk_assets_tests.survey.helpers import YEARLY, materialize, query


def test_report_formula():
    assert round(report_estimate(168, 157, 352)) == 373


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lic")
    with dg.instance_for_test() as instance:
        result = materialize(tmp, instance, "2020")
        assert result.success
        yield tmp, result


def test_extrapolation_asset(run):
    tmp, result = run
    df = query(tmp, "select * from survey.licence_extrapolation where measurement_year='2020'")
    allt = df[df.business_type == "all types"].set_index("method")
    assert round(allt.loc["report", "estimate"]) == 373
    s = allt.loc["stratified_expansion"]
    assert s.ci_low < s.estimate < s.ci_high
    meta = {m.asset_key.path[-1]: m.materialization.metadata for m in result.get_asset_materialization_events()}
    assert meta["licence_extrapolation"]["report_estimate"].value == 373
    assert "size class" in meta["licence_extrapolation"]["explanation"].value
    counts = query(tmp, "select * from survey.licence_counts where measurement_year='2020' and size_class='all'")
    assert counts.set_index("business_type").loc["all types", "licences"] == 168


def test_bootstrap_coverage_on_constructed_population():
    """Known truth: 352 municipalities (CBS 2021 size classes); 400 stratified samples of 93/47/17."""
    ref = MunicipalityReference(directory=os.environ["SEKSWERK_REFERENCE_DIR"], allow_online=False).municipalities(2021)
    rng = np.random.default_rng(2)
    s = ref["size_class"].to_numpy()
    p = np.select([s == "small", s == "medium", s == "large"], [0.19, 0.40, 0.94])
    lam = np.select([s == "small", s == "medium", s == "large"], [1.0, 1.5, 4.0])
    y = (rng.random(len(s)) < p) * (1 + rng.poisson(lam))
    truth = y.sum()
    sizes = {h: int((s == h).sum()) for h in ("small", "medium", "large")}
    n = {"small": 93, "medium": 47, "large": 17}
    sims, covered, estimates = 400, 0, []
    for k in range(sims):
        idx = np.concatenate([rng.choice(np.where(s == h)[0], n[h], replace=False) for h in n])
        estimates.append(stratified_estimate(y[idx].astype(float), s[idx], sizes))
        lo, hi = bootstrap_interval(y[idx], s[idx], sizes, reps=1000, seed=k)
        covered += lo <= truth <= hi
    coverage = covered / sims
    print(f"coverage {coverage:.3f} truth {truth} mean estimate {np.mean(estimates):.1f}")
    assert 0.90 <= coverage <= 0.99
    assert abs(np.mean(estimates) - truth) / truth < 0.02  # unbiased
