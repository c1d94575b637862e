"""Accuracy of extracted variables against coded labels, with Wilson 95% intervals.

For each variable: among records whose label states it, the share extracted correctly; among
records whose label says "not stated" (null / empty), the share where a value was extracted anyway
(the false-extraction rate). Prices count as correct within 0.51 euro.
"""

from __future__ import annotations

from sekswerk_assets.lib.stats import wilson  # the one Wilson interval of the project

VARIABLES = ("age", "price_per_hour_eur", "work_types", "origin_country", "origin_region", "gender", "municipality",
             "gm_code", "licensed_terms_found", "licensed_work")


def stated(var: str, value) -> bool:
    if var == "licensed_terms_found":
        return bool(value)
    return value is not None


def same(var: str, pred, label) -> bool:
    if not stated(var, label) or not stated(var, pred):
        return stated(var, label) == stated(var, pred)
    if var == "price_per_hour_eur":
        return abs(float(pred) - float(label)) < 0.51
    if var in ("work_types", "licensed_terms_found"):
        return set(pred) == set(label)
    if var == "age":
        return int(pred) == int(label)
    return pred == label


def evaluate(labels: dict[str, dict], predictions: dict[str, dict]) -> list[dict]:
    """Per variable: n stated, correct share + CI, n not stated, false-extraction share + CI."""
    missing = set(labels) - set(predictions)
    if missing:
        raise ValueError(f"{len(missing)} labelled id(s) have no prediction")
    rows = []
    for var in VARIABLES:
        st = [i for i, lab in labels.items() if stated(var, lab.get(var))]
        ns = [i for i, lab in labels.items() if not stated(var, lab.get(var))]
        k = sum(same(var, predictions[i].get(var), labels[i][var]) for i in st)
        f = sum(stated(var, predictions[i].get(var)) for i in ns)
        lo, hi = wilson(k, len(st))
        flo, fhi = wilson(f, len(ns))
        rows.append({"variable": var, "stated": len(st), "correct": k, "accuracy": k / len(st) if st else None,
                     "accuracy_ci": [lo, hi] if st else None, "not_stated": len(ns), "false": f,
                     "false_rate": f / len(ns) if ns else None, "false_ci": [flo, fhi] if ns else None})
    return rows


def format_table(rows: list[dict]) -> str:
    def pct(v):
        return "   -  " if v is None else f"{100 * v:5.1f}%"

    def ci(v):
        return "      -      " if v is None else f"{100 * v[0]:5.1f}-{100 * v[1]:5.1f}"

    lines = [f"{'variable':<22}{'stated':>7}{'correct':>9}  {'95% CI':<13}{'not st.':>8}{'false':>8}  {'95% CI':<13}"]
    for r in rows:
        lines.append(f"{r['variable']:<22}{r['stated']:>7}{pct(r['accuracy']):>9}  {ci(r['accuracy_ci']):<13}"
                     f"{r['not_stated']:>8}{pct(r['false_rate']):>8}  {ci(r['false_ci']):<13}")
    return "\n".join(lines)
