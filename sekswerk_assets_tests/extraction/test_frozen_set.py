"""The independent frozen test set: written before the extractor was run on it, never tuned on.

``fixtures/test_set.jsonl`` holds 320 labelled ad texts (Dutch, English, mixed; form-like lines,
numbers that are neither age nor price, number words, price lists, agencies, couples, negations,
provinces/regions/districts/hyphenated places, emoji, capitals, typos). Its checksum is fixed here:
editing the set (for instance to make the extractor look better) fails this test.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
TEST_SET = FIXTURES / "test_set.jsonl"
TEST_SET_SHA256 = "d7118dc33df123b6eb6427547b35f8944882c3be00f73c3ce9006181f231faa6"
LABEL_FIELDS = {"age", "price_per_hour_eur", "work_types", "origin_country", "origin_region", "gender",
                "municipality", "gm_code", "licensed_terms_found", "licensed_work"}


def test_frozen_set_checksum():
    assert hashlib.sha256(TEST_SET.read_bytes()).hexdigest() == TEST_SET_SHA256, "the frozen test set was edited"


def test_frozen_set_shape():
    rows = [json.loads(line) for line in TEST_SET.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 300 and len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r["labels"]) == LABEL_FIELDS, r["id"]
        for num in re.findall(r"(?:\+31\s?6|\b06)[\s-]?(\d)", r["text"]):
            assert num == "9", r["id"]  # invented numbers only: the unassigned 069 range
