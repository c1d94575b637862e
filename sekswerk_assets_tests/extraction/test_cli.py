"""The stable interface: ``predict`` and ``evaluate`` run as a user runs them (subprocess), on both labelled sets.

Floors sit just below the figures measured on this branch (sekswerk_assets/extraction/README.md);
the frozen test set was never used to tune the rules.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sekswerk_assets.extraction.cli import matcher_for
from sekswerk_assets.extraction.evaluate import wilson

from .labelled import dev_records
from .test_frozen_set import TEST_SET

REPO = Path(__file__).resolve().parents[2]
# share correct where stated / maximum false-extraction share where not stated (measured 2026-12-01,
# gender re-measured 2026-12-02 after the rules for its failure classes:
# sekswerk_assets/extraction/README.md)
TEST_FLOORS = {"age": 0.97, "price_per_hour_eur": 0.955, "work_types": 0.955, "origin_country": 0.96,
               "origin_region": 0.965, "gender": 0.985, "municipality": 0.99, "gm_code": 0.99,
               "licensed_terms_found": 0.95, "licensed_work": 0.97}
TEST_FALSE_CEILINGS = {"age": 0.03, "price_per_hour_eur": 0.02, "work_types": 0.12, "origin_country": 0.01,
                       "origin_region": 0.01, "gender": 0.15, "municipality": 0.08, "licensed_terms_found": 0.01,
                       "licensed_work": 0.01}
DEV_FLOORS = {"age": 0.975, "price_per_hour_eur": 0.97, "work_types": 0.99, "origin_country": 0.99,
              "origin_region": 0.99, "gender": 0.91, "municipality": 0.98, "gm_code": 0.98,
              "licensed_terms_found": 0.95, "licensed_work": 0.99}
DEV_FALSE_CEILINGS = {"age": 0.02, "work_types": 0.05, "origin_country": 0.01, "gender": 0.03,
                      "licensed_terms_found": 0.015, "licensed_work": 0.015}
# the hand-written examples of each failure class of issue 8 (development examples, tuned on)
# (gender 98.3%: "Emi" is in no first-name list)
CLASS_FLOOR, CLASS_CEILING = 0.98, 0.05
CLASS_FLOORS = {"gender": 0.98}
DEV_CLASSES = Path(__file__).parent / "fixtures" / "dev_failure_classes.jsonl"
# development texts for gender's failure classes (plurals, compounds, adjectives, clients, couples, agencies,
# first names, trans terms, negations, relatives, demonym nouns, the reader; Dutch, English, mixed; tuned on)
DEV_GENDER = Path(__file__).parent / "fixtures" / "dev_gender.jsonl"
GENDER_FLOOR, GENDER_CEILING = 0.98, 0.06


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "sekswerk_assets.extraction", *args], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=600)


def evaluate_json(path: Path) -> dict:
    res = run("evaluate", "--year", "2020", str(path), "--json")
    assert res.returncode == 0, res.stderr
    return {r["variable"]: r for r in json.loads(res.stdout)["variables"]}


@pytest.fixture(scope="module")
def dev_path(tmp_path_factory):
    m = matcher_for(2020, os.environ["SEKSWERK_REFERENCE_DIR"])
    p = tmp_path_factory.mktemp("dev") / "dev.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in dev_records(m)), encoding="utf-8")
    return p


def test_predict_output_fields(tmp_path):
    inp = tmp_path / "in.jsonl"
    recs = [
        {"id": "a", "text": "Poolse dame van 28 uit Tilburg-Reeshof. Ik ontvang thuis. 150 per uur. Geen club."},
        {"id": "b", "text": "Kom langs.", "site": "kinky", "fields": {"Leeftijd": "31", "Plaats": "Den Bosch"}},
        {"id": "c", "text": "Escort in provincie Utrecht, maat 38, open 11-23."},
    ]
    inp.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    res = run("predict", "--year", "2020", str(inp))
    assert res.returncode == 0, res.stderr
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c"]
    keys = ["id", "age", "price_per_hour_eur", "work_types", "origin_country", "origin_region", "gender",
            "municipality", "gm_code", "licensed_terms_found", "licensed_work"]
    assert all(list(o) == keys for o in out)
    a, b, c = out
    assert (a["age"], a["price_per_hour_eur"], a["work_types"]) == (28, 150.0, ["home"])
    assert (a["origin_country"], a["origin_region"], a["gender"]) == ("PL", "Eastern Europe", "woman")
    assert (a["municipality"], a["gm_code"]) == ("Tilburg", "GM0855")
    assert (a["licensed_terms_found"], a["licensed_work"]) == (["club"], False)
    assert (b["age"], b["municipality"], b["gm_code"]) == (31, "'s-Hertogenbosch", "GM0796")
    assert c["age"] is None and c["price_per_hour_eur"] is None and c["municipality"] is None
    assert c["licensed_terms_found"] == [] and c["licensed_work"] is None


def test_bad_input_names_line_not_text(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"id": 1, "text": "geheime tekst"}\n{"id": 1, "text": "geheime tekst"}\n', encoding="utf-8")
    res = run("predict", "--year", "2020", str(p))
    assert res.returncode == 2 and "line 2" in res.stderr and "duplicated id" in res.stderr
    assert "geheime" not in res.stderr
    p.write_text('{"id": 1, "text": "x", "labels": {"gender": "female"}}\n', encoding="utf-8")
    res = run("evaluate", "--year", "2020", str(p))
    assert res.returncode == 2 and "labels.gender" in res.stderr


def test_wilson_interval():
    lo, hi = wilson(96, 100)
    assert 0.90 < lo < 0.91 and 0.98 < hi < 0.99  # 96/100: 90.1-98.4
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == pytest.approx(1.0)
    from scipy.stats import norm

    z = norm.ppf(0.975)  # the textbook Wilson interval with scipy's normal quantile
    for k, n in ((96, 100), (3, 27), (250, 260)):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
        assert wilson(k, n) == pytest.approx((centre - half, centre + half), abs=1e-9)


def _check(table: dict, floors: dict, ceilings: dict, label: str):
    low = {v: round(table[v]["accuracy"], 3) for v, f in floors.items() if table[v]["accuracy"] < f}
    assert not low, f"{label}: under the documented floor: {low}"
    high = {v: round(table[v]["false_rate"], 3) for v, c in ceilings.items() if table[v]["false_rate"] > c}
    assert not high, f"{label}: too many false extractions: {high}"


def test_evaluate_frozen_test_set(capsys):
    table = evaluate_json(TEST_SET)
    res = run("evaluate", "--year", "2020", str(TEST_SET))
    with capsys.disabled():
        print("\n" + res.stdout)
    _check(table, TEST_FLOORS, TEST_FALSE_CEILINGS, "frozen test set")


def test_evaluate_dev_set(dev_path, capsys):
    table = evaluate_json(dev_path)
    res = run("evaluate", "--year", "2020", str(dev_path))
    with capsys.disabled():
        print("\n" + res.stdout)
    _check(table, DEV_FLOORS, DEV_FALSE_CEILINGS, "development set")


def test_evaluate_failure_class_examples(capsys):
    table = evaluate_json(DEV_CLASSES)
    with capsys.disabled():
        print("\n" + run("evaluate", "--year", "2020", str(DEV_CLASSES)).stdout)
    _check(table, {v: CLASS_FLOORS.get(v, CLASS_FLOOR) for v in table}, {v: CLASS_CEILING for v in table},
           "failure-class examples")


def test_evaluate_gender_class_texts(capsys):
    table = evaluate_json(DEV_GENDER)
    with capsys.disabled():
        g = table["gender"]
        print(f"\ngender on {DEV_GENDER.name}: {g['correct']}/{g['stated']} correct, {g['false']}/{g['not_stated']} false")
    _check(table, {"gender": GENDER_FLOOR}, {"gender": GENDER_CEILING}, "gender class texts")
