"""Accuracy of the extraction on the coded sample: per variable, false extractions, confusion, corrected shares.

Accuracy is the share of coded ads stating a variable whose extracted value is right; the false-extraction
rate is the share of coded ads stating none that got a value anyway. Both are plain shares of the coded ads
with Wilson 95% intervals. For binary variables the year's share is also corrected for misclassification
(Rogan-Gladen, sensitivity and specificity from the sample), with a bootstrap 95% interval over the coded ads,
where the sample holds at least ``MIN_CLASS`` coded ads on each side and the classifier is informative.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sekswerk_assets.lib.stats import rogan_gladen, wilson
from sekswerk_assets.schemas.validation import VARIABLES
from sekswerk_assets.validation.values import ALWAYS_DECIDED, CATEGORICAL, NOT_STATED, extracted_values, same

ACCURACY_VERSION = "1"
#: binary shares corrected for misclassification: name -> (variable, value test)
BINARY = {
    "licensed_work": ("licensed_work", lambda v: v == "yes"),
    "offers home reception": ("work_types", lambda v: "home" in v.split(", ")),
    "offers escort": ("work_types", lambda v: "escort" in v.split(", ")),
}
MIN_CLASS = 10
BOOTSTRAP = 2000
COLUMNS = ["measurement_year", "variable", "measure", "truth", "extracted", "k", "n", "estimate", "ci_low",
           "ci_high", "coded_ads"]


def pairs(sample: pd.DataFrame, coded: pd.DataFrame) -> pd.DataFrame:
    """One row per coded ad: ``<var>_extracted`` (from the sample table) and ``<var>_coded``."""
    ext = pd.DataFrame([extracted_values(r) for r in sample.to_dict("records")], index=sample["sample_id"])
    merged = coded.set_index("sample_id")[VARIABLES].join(ext, lsuffix="_coded", rsuffix="_extracted", how="inner")
    return merged.reset_index()


def _row(year, variable, measure, k, n, coded_ads, truth=None, extracted=None, estimate=None, ci=None) -> dict:
    if estimate is None and n:
        estimate = k / n
    lo, hi = ci if ci is not None else (wilson(k, n) if n else (math.nan, math.nan))
    return {"measurement_year": year, "variable": variable, "measure": measure, "truth": truth,
            "extracted": extracted, "k": int(k), "n": int(n), "estimate": estimate,
            "ci_low": None if math.isnan(lo) else lo, "ci_high": None if math.isnan(hi) else hi,
            "coded_ads": int(coded_ads)}


def accuracy_table(year: str, sample: pd.DataFrame, coded: pd.DataFrame, frame: pd.DataFrame | None = None,
                   seed: int | None = None) -> pd.DataFrame:
    """The long accuracy table (see :class:`~sekswerk_assets.schemas.validation.ExtractionAccuracyModel`)."""
    p = pairs(sample, coded)
    n_coded = len(p)
    rows = []
    for v in VARIABLES:
        ext, tru = p[f"{v}_extracted"], p[f"{v}_coded"]
        correct = np.array([same(v, e, t) for e, t in zip(ext, tru)], dtype=bool)
        if v in ALWAYS_DECIDED:
            rows.append(_row(year, v, "accuracy", correct.sum(), n_coded, n_coded))
            negative = (tru == "no").to_numpy()
            rows.append(_row(year, v, "false_extraction", int(((ext == "yes").to_numpy() & negative).sum()),
                             int(negative.sum()), n_coded))
        else:
            stated = (tru != NOT_STATED).to_numpy()
            rows.append(_row(year, v, "accuracy", int((correct & stated).sum()), int(stated.sum()), n_coded))
            rows.append(_row(year, v, "false_extraction", int(((ext != NOT_STATED).to_numpy() & ~stated).sum()),
                             int((~stated).sum()), n_coded))
        if v in CATEGORICAL:
            counts = pd.crosstab(tru, ext)
            for t in counts.index:
                total = int(counts.loc[t].sum())
                for e in counts.columns:
                    if counts.loc[t, e]:
                        rows.append(_row(year, v, "confusion", int(counts.loc[t, e]), total, n_coded, truth=t,
                                         extracted=e))
    if frame is not None and len(frame) and n_coded:
        rows += corrected_shares(year, p, frame, seed if seed is not None else int(year))
    return pd.DataFrame(rows, columns=COLUMNS)


def corrected_shares(year: str, p: pd.DataFrame, frame: pd.DataFrame, seed: int) -> list[dict]:
    """Rogan-Gladen shares of the year's unique ads for the binary variables the sample supports."""
    ext_all = pd.DataFrame([extracted_values(r) for r in frame.to_dict("records")])
    n_coded = len(p)
    rng = np.random.default_rng(seed)
    out = []
    for name, (v, test) in BINARY.items():
        observed = ext_all[v].map(test).to_numpy(dtype=bool)
        q_k, q_n = int(observed.sum()), len(observed)
        q = q_k / q_n
        e = p[f"{v}_extracted"].map(test).to_numpy(dtype=bool)
        t = p[f"{v}_coded"].map(test).to_numpy(dtype=bool)
        pos, neg = int(t.sum()), int((~t).sum())
        out.append(_row(year, name, "observed_share", q_k, q_n, n_coded))
        out.append(_row(year, name, "sensitivity", int((e & t).sum()), pos, n_coded))
        out.append(_row(year, name, "specificity", int((~e & ~t).sum()), neg, n_coded))
        if pos < MIN_CLASS or neg < MIN_CLASS:
            continue
        se, sp = (e & t).sum() / pos, (~e & ~t).sum() / neg
        point = rogan_gladen(q, se, sp)
        if math.isnan(point) or se + sp - 1 < 0.5:
            continue
        boot = []
        for _ in range(BOOTSTRAP):
            i = rng.integers(0, n_coded, n_coded)
            bt, be = t[i], e[i]
            bp, bn = bt.sum(), (~bt).sum()
            if bp == 0 or bn == 0:
                continue
            # the observed share is resampled too (binomial over the year's unique ads)
            bq = rng.binomial(q_n, q) / q_n
            r = rogan_gladen(bq, (be & bt).sum() / bp, (~be & ~bt).sum() / bn)
            if not math.isnan(r):
                boot.append(r)
        lo, hi = (float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975))) if boot else (math.nan, math.nan)
        lo, hi = min(lo, point), max(hi, point)
        out.append(_row(year, name, "corrected_share", q_k, q_n, n_coded, estimate=point, ci=(lo, hi)))
    return out


def summary_lines(table: pd.DataFrame) -> list[str]:
    """One line per variable: 'price per hour: 96.1% correct (95% CI 94.0-97.5), 400 coded ads; ...'."""
    from sekswerk_assets.validation.values import LABELS

    lines = []
    for v in VARIABLES:
        acc = table[(table["variable"] == v) & (table["measure"] == "accuracy")]
        if acc.empty:
            continue
        lines.append(accuracy_sentence(LABELS[v], acc.iloc[0],
                                       table[(table["variable"] == v) & (table["measure"] == "false_extraction")]))
    return lines


def pct(x) -> str:
    return "–" if x is None or pd.isna(x) else f"{100 * float(x):.1f}"


def accuracy_sentence(label: str, acc, false_rows: pd.DataFrame | None = None) -> str:
    coded = int(acc["coded_ads"])
    if int(acc["n"]) == 0:
        return f"{label}: no coded ad states it ({coded} coded ads)"
    text = (f"{label}: {pct(acc['estimate'])}% correct (95% CI {pct(acc['ci_low'])}-{pct(acc['ci_high'])}), "
            f"{coded} coded ads")
    if int(acc["n"]) != coded:
        text += f" ({int(acc['n'])} stating it)"
    if false_rows is not None and len(false_rows) and int(false_rows.iloc[0]["n"]):
        f = false_rows.iloc[0]
        text += (f"; value extracted from {pct(f['estimate'])}% (95% CI {pct(f['ci_low'])}-{pct(f['ci_high'])}) "
                 f"of the {int(f['n'])} that state none" if label != "licensed work indicated" else
                 f"; indicated in {pct(f['estimate'])}% (95% CI {pct(f['ci_low'])}-{pct(f['ci_high'])}) "
                 f"of the {int(f['n'])} that do not")
    return text
