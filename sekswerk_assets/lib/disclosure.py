"""Disclosure control of published tables: primary and complementary (secondary) cell suppression.

The method statistical offices use for frequency and magnitude tables, at the scale of these tables:

1. **Primary suppression.** A count of 1..``MIN_CELL``-1 (municipalities, or units such as licences or measures
   resting on 1..``MIN_CELL``-1 municipalities) is suppressed, unless the report printed that very cell for the
   year (then it is public already).
2. **Complementary suppression.** The attacker knows every published cell and the table's structure: each
   column's rows add up to the column total, the size classes add up to the overall count, unit counts are at
   least the number of municipalities behind them, and every count lies between 0 and its base; cells that
   another table on the same population publishes are known too (``public``, e.g. a parent row equal to a child
   table's N). For each suppressed cell the feasible range [lo, hi] under those relations is computed with two
   linear programs (:func:`scipy.optimize.linprog`, HiGHS). While a cell's range is narrower than the protection
   interval, one more cell is suppressed: the candidate that widens the range most, ties broken by the smaller
   value, then by table order (a rectangle of neighbours when no single cell helps; surplus pruned afterwards).
3. **Audit.** Every suppressed cell is then checked again by LP; while one is narrower than required, further
   cells are suppressed one at a time, cheapest first (the cell's own relations first, smallest value first,
   margins last), so that every suppressed cell's range is at least ``PROTECTION_INTERVAL`` units, or, when
   that is more than it can ever get, its whole a-priori range: the range it has with every cell hidden that is
   not public regardless (printed by the report, or a total equal to the published N). Such cells are counted as
   ``capped`` (only beside the 2020 report's printed cells: e.g. three size classes of a printed count of 1).
4. A primary cell pinned by public cells alone is published (it discloses nothing they do not) and counted as
   ``released``.

Percentages follow their counts (a percentage with a published base gives the count back).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import dagster as dg
import pandas as pd

MIN_CELL = 5  # counts 1..MIN_CELL-1 are suppressed (the one definition of the threshold)
PROTECTION_INTERVAL = 3  # a suppressed cell's feasible range must span at least this many units
SIZES = ("small", "medium", "large")
BIG = 1e7
#: counts of one disclosure-control run, for the metadata
STAT_KEYS = ("primary", "secondary", "released", "audited", "audit_added", "margins", "capped")


@dataclass
class Problem:
    """One table as cells with linear relations an attacker knows."""

    values: np.ndarray  # true values
    upper: np.ndarray  # a-priori upper bounds (lower bounds are 0)
    fixed: np.ndarray  # bool: public regardless (printed by the report, or margins equal to the published base)
    eq: list[tuple[list[int], list[float]]] = field(default_factory=list)  # sum(coef * x) == 0
    le: list[tuple[list[int], list[float]]] = field(default_factory=list)  # sum(coef * x) <= 0
    margin: np.ndarray | None = None  # bool: a margin (total row, or the overall cell of a size breakdown)
    _apriori: dict = field(default_factory=dict, repr=False)

    def neighbours(self, i: int) -> set[int]:
        out = set()
        for idx, _ in self.eq + self.le:
            if i in idx:
                out.update(idx)
        out.discard(i)
        return out


def feasible_range(p: Problem, hidden: set[int], i: int) -> tuple[float, float]:
    """Smallest and largest value cell ``i`` can take given every cell outside ``hidden`` (``i`` in hidden)."""
    var = sorted(hidden)
    pos = {c: k for k, c in enumerate(var)}

    def rows(cons):
        a, b = [], []
        for idx, coef in cons:
            if not any(c in pos for c in idx):
                continue
            row = np.zeros(len(var))
            rhs = 0.0
            for c, w in zip(idx, coef):
                if c in pos:
                    row[pos[c]] += w
                else:
                    rhs -= w * p.values[c]
            a.append(row)
            b.append(rhs)
        return (np.array(a), np.array(b)) if a else (None, None)

    a_eq, b_eq = rows(p.eq)
    a_ub, b_ub = rows(p.le)
    bounds = [(0.0, float(p.upper[c])) for c in var]
    from scipy.optimize import linprog  # imported here: scipy takes seconds to import and few runs need it

    out = []
    for sign in (1.0, -1.0):
        c = np.zeros(len(var))
        c[pos[i]] = sign
        res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if res.status != 0:  # infeasible or unbounded: cannot happen with true values; treat as pinned
            return float(p.values[i]), float(p.values[i])
        out.append(sign * res.fun)
    return out[0], out[1]


def a_priori_width(p: Problem, i: int) -> float:
    """Width of cell ``i``'s feasible range when every cell that is not public regardless (printed by the report,
    or a total equal to the published base) is hidden: the most any suppression pattern can give it."""
    if i not in p._apriori:
        lo, hi = feasible_range(p, {c for c in range(len(p.values)) if not p.fixed[c]} | {i}, i)
        p._apriori[i] = hi - lo
    return p._apriori[i]


def required_width(p: Problem, i: int, protection: float) -> float:
    """The protection interval, or the cell's whole a-priori width when that is smaller (a cell of at most
    ``protection`` municipalities beside the report's own printed figures cannot get a wider range)."""
    return min(float(protection), float(p.upper[i]), a_priori_width(p, i))


def protected(p: Problem, i: int, width: float, protection: float) -> bool:
    """Is a feasible range of ``width`` enough for cell ``i`` (``required_width``, the LP for the a-priori width
    only when the range is narrower than the interval)?"""
    if width >= min(float(protection), float(p.upper[i])) - 1e-9:
        return True
    return width >= a_priori_width(p, i) - 1e-9


def audit(p: Problem, hidden: set[int], protection: float, close, exclude: set[int] = frozenset()
          ) -> tuple[set[int], set[int], int]:
    """Check every hidden cell's feasible range by linear programming and, while one is narrower than required,
    suppress one more cell: cheapest first (the cell's own relations before others, smallest value first), a
    margin only after the cells it adds up. Returns (hidden, cells added, cells audited)."""
    added: set[int] = set()
    audited = 0
    done: set[int] = set()
    while True:
        todo = [i for i in sorted(hidden) if i not in done]
        if not todo:
            return hidden, added, audited
        i = todo[0]
        audited += 1
        lo, hi = feasible_range(p, hidden, i)
        if protected(p, i, hi - lo, protection):
            done.add(i)
            continue
        near = p.neighbours(i)
        margin = p.margin if p.margin is not None else np.zeros(len(p.values), bool)
        order = sorted((c for c in range(len(p.values)) if c not in hidden and c not in exclude and not p.fixed[c]),
                       key=lambda c: (c not in near, bool(margin[c]), p.values[c], c))
        for c in order:
            trial = close(hidden | {c})
            added |= trial - hidden
            hidden = trial
            lo, hi = feasible_range(p, hidden, i)
            if protected(p, i, hi - lo, protection):
                break
        done.clear()  # a newly hidden cell is audited too, and earlier ones again (their relations changed)
        done.add(i)


def protect(p: Problem, primary: set[int], protection: float = PROTECTION_INTERVAL,
            linked: dict[int, set[int]] | None = None) -> tuple[set[int], set[int], dict]:
    """Choose the complementary cells. Returns (suppressed, released, audit): ``released`` are primary cells
    pinned by public cells alone (published, see module doc); ``audit`` counts the final LP audit (``audited``
    cells, ``audit_added`` cells it suppressed, ``margins`` suppressed margins, ``capped`` cells whose whole
    a-priori range is narrower than the interval)."""
    linked = linked or {}

    def close(cells: set[int]) -> set[int]:
        out = set(cells)
        for c in cells:
            out |= {m for m in linked.get(c, set()) if not p.fixed[m]}  # a printed partner stays published
        return out

    # a primary cell pinned by public (printed) cells alone: hiding it protects nothing, it is published
    released: set[int] = {i for i in primary if a_priori_width(p, i) < 1e-9}
    hidden = close(primary - released)
    bulk: set[int] = set()
    settled: set[int] = set()
    for _ in range(500):
        todo = [i for i in sorted(hidden) if i not in settled and i not in released]
        if not todo:
            break
        i = todo[0]
        lo, hi = feasible_range(p, hidden, i)
        if protected(p, i, hi - lo, protection):
            settled.add(i)
            continue
        candidates = [c for c in range(len(p.values)) if c not in hidden and c not in released and not p.fixed[c]]
        near = [c for c in candidates if c in p.neighbours(i)]
        best, best_key = None, None
        for c in near or candidates:
            trial = close(hidden | {c})
            lo2, hi2 = feasible_range(p, trial, i)
            key = (-(hi2 - lo2), p.values[c], c)
            if hi2 - lo2 > hi - lo + 1e-9 and (best_key is None or key < best_key):
                best, best_key = c, key
        if best is None:
            # no single cell helps (a rectangle of four cells is the smallest pattern in a two-way table):
            # add the cell's neighbours, then their neighbours; the surplus is pruned below
            one = {c for c in near}
            two = {d for c in one for d in p.neighbours(c) if d in candidates}
            grown = None
            for extra in (one, one | two):
                trial = close(hidden | extra)
                lo2, hi2 = feasible_range(p, trial, i)
                if extra and hi2 - lo2 > hi - lo + 1e-9:
                    grown = trial
                    break
            if grown is not None:
                bulk |= grown - hidden
                hidden = grown
                settled.clear()
                continue
            everything = close(hidden | set(candidates))
            lo3, hi3 = feasible_range(p, everything, i)
            if hi3 - lo3 < 1e-9:
                released.add(i)  # derivable from public (printed) cells only: hiding it protects nothing
                hidden.discard(i)
                settled.clear()
            else:
                settled.add(i)  # no cheap pattern found here: the audit below suppresses cells one by one
            continue
        hidden = close(hidden | {best})
        settled.clear()
    hidden = _prune(p, hidden, bulk - primary, protection, linked, close)
    hidden, added, audited = audit(p, hidden, protection, close, exclude=released)
    margin = p.margin if p.margin is not None else np.zeros(len(p.values), bool)
    capped = {i for i in hidden if i in p._apriori and p._apriori[i] < min(float(protection), float(p.upper[i])) - 1e-9}
    return hidden, released, {"audited": audited, "audit_added": len(added),
                              "margins": sum(bool(margin[i]) for i in hidden), "capped": len(capped)}


def _prune(p: Problem, hidden: set[int], surplus: set[int], protection: float, linked, close) -> set[int]:
    """Drop cells added in bulk (largest value first) while every hidden cell keeps the protection it has."""
    if not surplus:
        return hidden

    def widths(h):
        out = {}
        for c in h:
            lo, hi = feasible_range(p, h, c)
            out[c] = hi - lo
        return out

    base = widths(hidden)
    for c in sorted(surplus, key=lambda c: (-p.values[c], c)):
        if c not in hidden:
            continue
        drop = {c} | {m for m in linked.get(c, ()) if m in surplus}
        trial = hidden - drop
        w = widths(trial)
        if all(w[k] >= min(required_width(p, k, protection), base[k]) - 1e-9 for k in trial):
            hidden = trial
    return hidden


# ----------------------------------------------------------------------------- the long table layout

COUNT_SUFFIX = ("count", "municipalities")


def _prefix(column: str) -> str:
    return column.rsplit(":", 1)[0] + ":" if ":" in column else ""


def _partner_percent(column: str) -> str:
    return column[: -len("count")] + "percent" if column.endswith("count") else ""


def table_problem(t: pd.DataFrame, printed: set[tuple[str, str, str]], public: set = frozenset()
                  ) -> tuple[Problem, list[int], dict]:
    """The cells of one table (rows of the long layout with count-like columns and a value) as a Problem.

    ``public``: cells another table on the same population publishes (fixed, like printed cells)."""
    cells = t[t["column"].str.endswith(COUNT_SUFFIX) & t["value"].notna()]
    idx = list(cells.index)
    key = {(r.row_key, r.column): k for k, r in enumerate(cells.itertuples())}
    vals = cells["value"].to_numpy(dtype=float)
    base = cells["base_n"].to_numpy(dtype=float)
    cols = cells["column"].tolist()
    rks = cells["row_key"].tolist()
    tid = str(t["table_id"].iloc[0])
    multi = bool(t["multiple_answers"].iloc[0])
    is_units = {}
    for k, (rk, c) in enumerate(zip(rks, cols)):
        munis_col = _prefix(c) + "municipalities" if c.endswith("count") else None
        is_units[k] = munis_col is not None and (rk, munis_col) in key
    upper = np.array([BIG if is_units[k] else max(base[k], vals[k]) for k in range(len(vals))])
    totals = {c: vals[key[("total", c)]] for (rk, c) in key if rk == "total"}
    for k, c in enumerate(cols):
        if is_units[k] and c in totals:
            upper[k] = totals[c]
    fixed = np.array([(tid, rks[k], cols[k]) in printed or (tid, rks[k], cols[k]) in public
                      or (rks[k] == "total" and vals[k] == base[k])
                      for k in range(len(vals))])
    margin = np.array([rks[k] == "total" or (":" not in cols[k] and all((rks[k], f"{z}:{cols[k]}") in key
                                                                          for z in SIZES)) for k in range(len(vals))])
    p = Problem(vals, upper, fixed, margin=margin)
    # columns add up over rows to the total (single-answer and numeric tables; checked on the values)
    by_col: dict[str, list[int]] = {}
    for (rk, c), k in key.items():
        if rk != "total" and not (c.endswith("municipalities") or (multi and not is_units[k])):
            by_col.setdefault(c, []).append(k)
    for c, members in by_col.items():
        if c in totals and len(members) > 1:
            cons = (members + [key[("total", c)]], [1.0] * len(members) + [-1.0])
            if abs(vals[members].sum() - totals[c]) < 1e-9:
                p.eq.append(cons)
            elif vals[members].sum() < totals[c]:  # e.g. size columns without a no-answer row
                p.le.append(cons)
    # size classes add up to the overall count, per row
    for (rk, c), k in key.items():
        if ":" in c:
            continue
        parts = [key.get((rk, f"{s}:{c}")) for s in SIZES]
        if all(x is not None for x in parts) and abs(vals[parts].sum() - vals[k]) < 1e-9:
            p.eq.append((parts + [k], [1.0, 1.0, 1.0, -1.0]))
    # units >= municipalities behind them
    for (rk, c), k in key.items():
        if is_units[k]:
            m = key[(rk, _prefix(c) + "municipalities")]
            p.le.append(([m, k], [1.0, -1.0]))
    linked: dict[int, set[int]] = {}
    for (rk, c), k in key.items():
        if is_units[k]:
            m = key[(rk, _prefix(c) + "municipalities")]
            linked.setdefault(k, set()).add(m)
            linked.setdefault(m, set()).add(k)
    return p, idx, {"linked": linked, "rows": rks, "cols": cols, "is_units": is_units}


def suppress_table(t: pd.DataFrame, printed: set[tuple[str, str, str]], min_cell: int = MIN_CELL,
                   protection: float = PROTECTION_INTERVAL, public: set = frozenset(),
                   forced: set = frozenset()) -> tuple[pd.Series, dict]:
    """``suppressed`` flags for the rows of one table in the long layout, and counts for the metadata.

    ``public``/``forced``: cells that another table on the same population publishes / hides (primary here)."""
    flags = pd.Series(False, index=t.index)
    p, idx, info = table_problem(t, printed, public)
    if not idx:
        return flags, dict.fromkeys(STAT_KEYS, 0)
    tid = str(t["table_id"].iloc[0])
    known = set(printed) | set(public)
    primary = {k for k in range(len(idx)) if info["rows"][k] != "total" and 1 <= p.values[k] < min_cell
               and (tid, info["rows"][k], info["cols"][k]) not in known}
    primary |= {k for k in range(len(idx)) if (tid, info["rows"][k], info["cols"][k]) in forced
                and (tid, info["rows"][k], info["cols"][k]) not in printed}
    # units resting on 1..min_cell-1 municipalities are primary too (dominance: a few respondents' own figures)
    for k in list(primary):
        for m in info["linked"].get(k, ()):
            if (tid, info["rows"][m], info["cols"][m]) not in printed:
                primary.add(m)
    primary = {k for k in primary if not p.fixed[k]}
    hidden, released, checked = protect(p, primary, protection, info["linked"])
    hidden -= released
    keys = set()
    for k in hidden:
        flags.loc[idx[k]] = True
        keys.add((info["rows"][k], info["cols"][k]))
    # percentages (and municipality shares) follow their counts
    for i, r in t.iterrows():
        if not r["column"].endswith("percent") or (tid, r["row_key"], r["column"]) in printed:
            continue
        count_col = r["column"][: -len("percent")] + "count"
        if (r["row_key"], count_col) in keys:
            flags.loc[i] = True
    return flags, {"primary": len(primary - released), "secondary": len(hidden - primary),
                   "released": len(released), **checked}


def suppress_long(tables: pd.DataFrame, printed: set[tuple[str, str, str]], min_cell: int = MIN_CELL,
                  protection: float = PROTECTION_INTERVAL, public: set = frozenset(),
                  forced: set = frozenset(), follow: list = ()) -> tuple[pd.Series, dict]:
    """Primary and complementary suppression for every table of a long table frame, in table order.

    ``follow``: (child, parent, parent row) links: a size class suppressed in the parent row is suppressed in every
    row of the child (its size-class base is that cell)."""
    flags = pd.Series(False, index=tables.index)
    stats = dict.fromkeys(STAT_KEYS, 0)
    forced = set(forced)
    for tid, t in tables.groupby("table_id", sort=False):
        for child, parent, row in follow:
            if child != tid:
                continue
            p_rows = tables[(tables["table_id"] == parent) & (tables["row_key"] == row)]
            for z in SIZES:
                hit = p_rows[(p_rows["column"] == f"{z}:count")]
                if len(hit) and bool(flags.loc[hit.index].any()):
                    forced |= {(tid, r, c) for r, c in zip(t["row_key"], t["column"]) if c == f"{z}:count"}
        f, s = suppress_table(t, printed, min_cell, protection, public, forced)
        flags.loc[f.index] = f
        for k in stats:
            stats[k] += s[k]
    return flags, stats


class DisclosureConfig(dg.Config):
    """Disclosure control of published tables (run config of every asset that publishes counts)."""

    min_cell: int = MIN_CELL  # counts 1..min_cell-1 that the report did not print itself are suppressed
