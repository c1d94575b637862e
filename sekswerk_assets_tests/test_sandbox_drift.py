"""Layout drift: from a configured date one site shows a field under another label.

The renamed label makes the weekly fill-rate check of ``ads/parsed_ads`` fail in the drift week
while the site parser does not know the label, and the extractor reads the field again once it
does (``extraction/sites.py`` maps the new label).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from sekswerk_assets.extraction import sites
from sekswerk_assets.defs.extraction.assets import expectations_result
from sekswerk_assets.extraction.municipality import MunicipalityMatcher
from sekswerk_assets.extraction.parse import _empty_row, parse_ad, to_frame
from sekswerk_assets.lib.crypto import new_key
from sekswerk_assets.lib.pseudonym import Pseudonymizer
from sekswerk_assets.reference.loader import MunicipalityReference
from sekswerk_assets.sandbox import load_config, simulate
from sekswerk_assets.sandbox.render import Renderer

from .extraction.accuracy import join_truth, score

DRIFT = dt.date(2021, 2, 23)


@pytest.fixture(scope="module")
def drifted():
    pop = simulate(load_config(scale=0.05, layout_drift__date=DRIFT.isoformat()))
    ref = MunicipalityReference(directory=os.environ["SEKSWERK_REFERENCE_DIR"], allow_online=False)
    return pop, Renderer(pop, "sexjobs"), MunicipalityMatcher.from_reference(ref, 2020), Pseudonymizer(new_key())


def _week(drifted, week_idx: int):
    pop, r, matcher, ps = drifted
    rows, pages = [], []
    for i in r.rows_in_week(week_idx):
        body = r.sexjobs_ad(int(i), week_idx)
        pages.append(body)
        row = _empty_row(pop.weeks[week_idx].isoformat(), "sexjobs")
        out, _ = parse_ad("sexjobs", body, matcher, ps)
        row.update(out, parse_ok=True, ad_pseudo=ps.code("sexjobs", r.records[int(i)]["ad_code"]))
        rows.append(row)
    return to_frame(rows), pages


def test_drift_week_is_in_config_and_ground_truth(drifted):
    pop = drifted[0]
    d = pop.config.drift_week_index()
    assert pop.weeks[d] == DRIFT
    wt = pop.weekly_truth.set_index("week")["layout_drift"]
    assert not wt[pop.weeks[d - 1]] and wt[DRIFT]


def test_renamed_label_fails_the_fill_check_until_the_parser_knows_it(drifted, monkeypatch):
    pop = drifted[0]
    d = pop.config.drift_week_index()
    before, pages_before = _week(drifted, d - 1)
    after, pages_after = _week(drifted, d)
    label = pop.config.layout_drift.label.encode()
    assert not any(label in p for p in pages_before)
    assert sum(label in p for p in pages_after) > 0.8 * len(pages_after)
    # a parser that does not know the new label: the week before passes, the drift week fails
    monkeypatch.delitem(sites.SEXJOBS_LABELS, "woonplaats", raising=False)
    before_unknown, _ = _week(drifted, d - 1)
    after_unknown, _ = _week(drifted, d)
    assert expectations_result(before_unknown).passed
    failed = expectations_result(after_unknown)
    assert not failed.passed and "sexjobs" in failed.metadata["failed_suites"].value
    monkeypatch.undo()
    # the site parser with the label: the field is read again and the check passes
    if "woonplaats" not in sites.SEXJOBS_LABELS:
        pytest.fail("extraction/sites.py does not map the drifted label 'Woonplaats:' yet")
    assert expectations_result(after).passed
    table = score(join_truth(after, pop.ads, drifted[3]), drifted[3]).set_index("variable")
    assert table.loc["municipality", "correct"] >= 0.99
