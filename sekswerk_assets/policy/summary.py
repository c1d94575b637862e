"""Aggregates of the policy typology (counts per type and size class) and the policy-by-size plot.

The aggregates use the long layout of ``survey/tables`` (``table_id, title, row_key, row, column, value,
base_n, multiple_answers``) so that disclosure control and Markdown previews are shared. Ids that the report
prints keep the report's id and codebook keys (3.1, 3.4, 3.6, text:q11); the rest are ``typology:*``.
"""

import pandas as pd  # noqa: E402

from sekswerk_assets.codebook.codebook import Codebook  # noqa: E402
from sekswerk_assets.lib.lazy import pyplot as plt  # matplotlib (Agg) is imported at the first figure
from sekswerk_assets.lib.metadata import png_metadata  # noqa: E402
from sekswerk_assets.policy.typology import (  # noqa: E402
    POLICY_TYPES,
    REGIMES,
    SEX_WORK_TYPES,
    TYPOLOGIES,
)
from sekswerk_assets.lib.numbers import percent as pct  # noqa: E402
from sekswerk_assets.survey.tables import SIZES, TABLE_COLUMNS  # noqa: E402

HAS_POLICY_KEY = {"yes": 1, "in_development": 2, "no": 3}


def typology_counts(typ: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Counts per policy status, policy type, licence requirement, regime and typology, with size classes."""
    rows: list[dict] = []

    def add(tid, title, rk, row, col, value, base, multi):
        rows.append(dict(table_id=tid, title=title, row_key=str(rk), row=row, column=col,
                         value=None if value is None else float(value), base_n=int(base), multiple_answers=multi))

    def block(tid, title, frame, indicators, multi, total=True, unanswered=()):
        """``unanswered``: row keys of questions nobody answered (empty cells, never 0)."""
        base = len(frame)
        for rk, label, ind in indicators:
            n = None if rk in unanswered else int(ind(frame).sum())
            add(tid, title, rk, label, "count", n, base, multi)
            add(tid, title, rk, label, "percent", None if n is None else pct(n, base), base, multi)
        if total:
            add(tid, title, "total", "Total", "count", base, base, multi)
            add(tid, title, "total", "Total", "percent", 100.0 if base else None, base, multi)
        for s in SIZES:
            part = frame[frame["size_class"] == s]
            base_s = len(part)
            for rk, label, ind in indicators:
                n = None if rk in unanswered else int(ind(part).sum())
                add(tid, title, rk, label, f"{s}:count", n, base_s, multi)
                add(tid, title, rk, label, f"{s}:percent", None if n is None else pct(n, base_s), base_s, multi)
            if total:
                add(tid, title, "total", "Total", f"{s}:count", base_s, base_s, multi)

    q5 = cb.question("q5")
    status = [(k, q5.option_label(k), (lambda d, v=v: d["has_policy"] == v)) for v, k in HAS_POLICY_KEY.items()]
    if (typ["has_policy"] == "unknown").any():
        status.append(("no_answer", "no answer", lambda d: d["has_policy"] == "unknown"))
    block("3.1", "Has the municipality a sex work policy (survey and follow-up)", typ, status, False)

    with_policy = typ[typ["has_policy"] == "yes"]
    q9 = cb.question("q9")
    types = [(k, q9.option_label(k), (lambda d, c=c: d[c])) for k, c in POLICY_TYPES.items()]
    block("3.4", "Type of policy (survey and follow-up)", with_policy, types, True, total=False)

    full_policy = with_policy[with_policy["differs_per_type"].isin(["yes", "no", "no_answer"])]
    q11 = cb.question("q11")
    block("text:q11", "Policy differs per type of sex work", full_policy,
          [(1, q11.option_label(1), lambda d: d["differs_per_type"] == "yes"),
           (2, q11.option_label(2), lambda d: d["differs_per_type"] == "no")], False)

    asked27 = typ[typ["licence_required_window"] != "not_asked"]
    q27 = cb.question("q27")
    nobody = {r for r, t in enumerate(SEX_WORK_TYPES, 1)
              if len(asked27) and (asked27[f"licence_required_{t}"] == "no_answer").all()}
    block("3.6", "Licence obligation per type of sex business", asked27,
          [(r, q27.rows[r - 1], (lambda d, t=t: d[f"licence_required_{t}"] == "yes"))
           for r, t in enumerate(SEX_WORK_TYPES, 1)], True, total=False, unanswered=nobody)
    lic = asked27[[f"licence_required_{t}" for t in SEX_WORK_TYPES]]
    for r, t in enumerate(SEX_WORK_TYPES, 1):  # item non-response per row, as in survey/tables
        na = int((lic[f"licence_required_{t}"] == "no_answer").sum())
        if na and r not in nobody:
            add("3.6", "Licence obligation per type of sex business", r, q27.rows[r - 1], "no_answer:count", na,
                len(asked27), True)
    na_all = int((lic == "no_answer").all(axis=1).sum()) if len(lic) else 0
    if na_all:
        add("3.6", "Licence obligation per type of sex business", "no_answer", "no answer (no row answered)", "count",
            na_all, len(asked27), True)

    block("typology:summary", "Policy typology (survey and follow-up)", typ,
          [(t, t.replace("_", " "), (lambda d, t=t: d["typology"] == t)) for t in TYPOLOGIES
           if (typ["typology"] == t).any()], False)

    known = typ[typ["has_policy"] != "unknown"]
    t_reg = "Regime per type of sex work (municipalities with known policy status)"
    for reg in REGIMES:
        if not any((known[f"regime_{t}"] == reg).any() for t in SEX_WORK_TYPES):
            continue
        for t in SEX_WORK_TYPES:
            n = int((known[f"regime_{t}"] == reg).sum())
            add("typology:regimes", t_reg, reg, reg.replace("_", " "), f"{t}:count", n, len(known), False)
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def policy_by_size_figure(counts: pd.DataFrame) -> dict:
    """Stacked bars: share with policy / in development / without, per size class (Table 3.1 by size).

    A size class with a suppressed cell is left out (marked [s]) so the plot shows no more than the previews."""
    t = counts[counts["table_id"] == "3.1"]
    labels = {"1": "policy", "2": "in development", "3": "no policy"}
    data = {}
    for s in (*SIZES, "all"):
        col = "percent" if s == "all" else f"{s}:percent"
        cells = t[(t["column"] == col) & t["row_key"].isin(list(labels))]
        base = int(cells["base_n"].max()) if len(cells) else 0
        if cells["suppressed"].any():
            data[f"{s} [s]"] = [0.0, 0.0, 0.0]
            continue
        vals = cells.set_index("row_key")["value"]
        data[f"{s} (N={base})"] = [float(vals.get(k, 0) or 0) for k in labels]
    wide = pd.DataFrame(data, index=list(labels.values())).T
    fig, ax = plt.subplots(figsize=(7, 2.8))
    wide.plot.barh(stacked=True, ax=ax, color=["#2b8cbe", "#a6bddb", "#d9d9d9"])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of municipalities (survey and follow-up)")
    ax.set_title("Sex work policy by size class (Table 3.1)", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    return {"policy_by_size_class": png_metadata(fig)}
