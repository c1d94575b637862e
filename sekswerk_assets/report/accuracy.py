"""The extraction accuracy of the year's validation sample beside each chapter-2 table (from ads.extraction_accuracy)."""

from __future__ import annotations

import pandas as pd

from sekswerk_assets.report.render import Extra
from sekswerk_assets.validation.accuracy import accuracy_sentence, pct
from sekswerk_assets.validation.values import LABELS

#: the variables each table rests on
TABLE_VARIABLES = {
    "ads.gender_table": ["gender"],
    "ads.work_type_table": ["work_types"],
    "ads.price_table": ["price_hour"],
    "ads.price_trend": ["price_hour"],
    "ads.origin_table": ["origin_country", "origin_region"],
    "ads.age_table": ["age"],
    "ads.municipality_table": ["municipality"],
    "ads.work_type_by_municipality": ["work_types", "municipality"],
    "ads.licensed_signals": ["licensed_work"],
}
#: misclassification-corrected shares shown beside a table
TABLE_CORRECTED = {
    "ads.work_type_table": ["offers home reception", "offers escort"],
    "ads.licensed_signals": ["licensed_work"],
}


def _year(inputs: dict, year: str) -> pd.DataFrame:
    t = inputs.get("accuracy")
    if t is None or t.empty:
        return pd.DataFrame()
    return t[t["measurement_year"].astype(str) == str(year)]


def corrected_sentence(name: str, rows: pd.DataFrame) -> str | None:
    got = rows[rows["variable"] == name].set_index("measure")
    if "corrected_share" not in got.index:
        return None
    c, se, sp = got.loc["corrected_share"], got.loc["sensitivity"], got.loc["specificity"]
    label = LABELS.get(name, name)
    return (f"{label}: {pct(c['k'] / c['n'])}% of the unique ads as extracted, {pct(c['estimate'])}% corrected for "
            f"misclassification (Rogan-Gladen, sensitivity {pct(se['estimate'])}%, specificity {pct(sp['estimate'])}%; "
            f"bootstrap 95% CI {pct(c['ci_low'])}-{pct(c['ci_high'])})")


def accuracy_notes(inputs: dict, year: str, source_table: str) -> list[str]:
    """Lines for one table: accuracy per variable it rests on, and corrected shares where the sample supports them."""
    variables = TABLE_VARIABLES.get(source_table)
    if not variables:
        return []
    t = _year(inputs, year)
    if t.empty:
        return [f"Extraction accuracy: the validation sample of {year} has not been coded yet."]
    lines = []
    for v in variables:
        acc = t[(t["variable"] == v) & (t["measure"] == "accuracy")]
        if len(acc):
            lines.append("Extraction accuracy (validation sample): " + accuracy_sentence(
                LABELS[v], acc.iloc[0], t[(t["variable"] == v) & (t["measure"] == "false_extraction")]) + ".")
    for name in TABLE_CORRECTED.get(source_table, []):
        s = corrected_sentence(name, t)
        if s:
            lines.append("Corrected share: " + s + ".")
    return lines


def accuracy_extra(inputs: dict, year: str) -> Extra:
    """The data-quality table: accuracy and false-extraction rate of every variable with Wilson 95% intervals."""
    t = _year(inputs, year)
    cols = ["variable", "coded ads", "stating it", "correct (%)", "95% CI", "stating none", "value extracted (%)",
            "95% CI (false)"]
    if t.empty:
        return Extra("Quality: extraction accuracy", "Extraction accuracy on the validation sample",
                     pd.DataFrame(columns=cols), [f"The validation sample of {year} has not been coded yet."])
    rows = []
    for v, label in LABELS.items():
        acc = t[(t["variable"] == v) & (t["measure"] == "accuracy")]
        fal = t[(t["variable"] == v) & (t["measure"] == "false_extraction")]
        if acc.empty:
            continue
        a, f = acc.iloc[0], (fal.iloc[0] if len(fal) else None)
        rows.append({"variable": label, "coded ads": int(a["coded_ads"]), "stating it": int(a["n"]),
                     "correct (%)": pct(a["estimate"]), "95% CI": f"{pct(a['ci_low'])}-{pct(a['ci_high'])}",
                     "stating none": int(f["n"]) if f is not None else 0,
                     "value extracted (%)": pct(f["estimate"]) if f is not None else "–",
                     "95% CI (false)": f"{pct(f['ci_low'])}-{pct(f['ci_high'])}" if f is not None and f["n"] else "–"})
    notes = ["A stratified random sample of the year's unique ads (by site and by stated / not stated) coded by hand; "
             "correct = extracted value equals the coded one among the ads stating the variable; value extracted = "
             "share of the ads stating none that got a value anyway (for licensed work: indicated although the ad "
             "does not). Wilson 95% intervals; shares of the coded ads (unweighted)."]
    return Extra("Quality: extraction accuracy", "Extraction accuracy on the validation sample",
                 pd.DataFrame(rows, columns=cols), notes, text_columns=("variable", "95% CI", "95% CI (false)",
                                                                        "correct (%)", "value extracted (%)"))
