"""The embedded synthetic export of the 2020 survey (SYNTHETIC: invented answers on real municipality names).

Generated deterministically (fixed seed) from the CBS list of 1 January 2021. The joint allocation
below is this project's construction: it respects the routing of the codebook and reproduces
every printed count of Tables 2.1, 3.1-3.14, 4.1-4.21, B2.1 and B2.2 and the size-class figures
in the text (see ``published/survey_2020.yaml``). Answers the report does not print are invented.

Run ``python -m sekswerk_assets.survey.synthetic OUT_DIR`` to write ``full.csv`` and
``followup.csv`` (UTF-8, comma-separated) into ``OUT_DIR``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sekswerk_assets.codebook import load_codebook

SEED = 20210
SIZES = ("large", "medium", "small")
RESPONDERS = {"large": 17, "medium": 47, "small": 93}
FOLLOWUP = {"large": 7, "medium": 22, "small": 46}

# (status, q5) cells per size class. status: L = licensed businesses (q3 Ja), J = no licensed
# businesses but sex work (q4 Ja), K = q4 'Niet bekend', N = q4 Nee. q5: 1 Ja, 2 in development, 3 Nee.
JOINT = {
    "large": {("L", 1): 13, ("L", 3): 3, ("J", 3): 1},
    "medium": {
        ("L", 1): 18, ("L", 3): 1, ("J", 1): 9, ("J", 3): 2, ("J", 2): 1, ("K", 1): 3, ("K", 3): 5, ("K", 2): 3,
        ("N", 1): 2, ("N", 3): 1, ("N", 2): 2,
    },
    "small": {
        ("L", 1): 16, ("L", 3): 1, ("L", 2): 1, ("J", 1): 14, ("J", 3): 8, ("J", 2): 4, ("K", 1): 4, ("K", 3): 16,
        ("K", 2): 2, ("N", 1): 4, ("N", 3): 18, ("N", 2): 5,
    },
}
FOLLOWUP_Q5 = {"large": {1: 7}, "medium": {1: 14, 3: 6, 2: 2}, "small": {1: 20, 3: 20, 2: 6}}


class _Gen:
    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def shuffled(self, ids):
        ids = list(ids)
        self.rng.shuffle(ids)
        return ids

    def single(self, ans, ids, q, counts):
        """Give option k to counts[k] of ``ids`` (rest: no answer)."""
        ids = self.shuffled(ids)
        labels = [k for k, n in counts.items() for _ in range(n)]
        assert len(labels) <= len(ids), (q, len(labels), len(ids))
        for i, k in zip(ids, labels):
            ans[i][q] = k

    def multi(self, ans, ids, q, n_options, counts, fixed=None, pools=None):
        """0/1 per option; option k ticked by exactly counts[k] of ``ids``; everyone ticks >= 1 when possible."""
        ids = list(ids)
        chosen = {k: set() for k in range(1, n_options + 1)}
        for k, members in (fixed or {}).items():
            chosen[k] = set(members)
        free = {k: n for k, n in counts.items() if k not in (fixed or {})}
        covered = set().union(*chosen.values()) if chosen else set()
        remaining = dict(free)
        for i in self.shuffled([i for i in ids if i not in covered]):
            options = [k for k, n in remaining.items() if n > 0 and (pools is None or k not in pools or i in pools[k])]
            if not options:
                break
            best = max(remaining[k] for k in options)
            k = self.rng.choice([k for k in options if remaining[k] == best])
            chosen[k].add(i)
            remaining[k] -= 1
        for k, n in remaining.items():
            pool = [i for i in ids if i not in chosen[k] and (pools is None or k not in pools or i in pools[k])]
            chosen[k] |= set(self.shuffled(pool)[:n])
        for i in ids:
            for k in range(1, n_options + 1):
                ans[i][f"{q}_{k}"] = int(i in chosen[k])
        return chosen

    def split(self, total, parts, first=None):
        """``total`` split into ``parts`` positive integers (the first fixed when given)."""
        if parts == 0:
            return []
        if first is not None:
            return [first] + self.split(total - first, parts - 1)
        cuts = sorted(self.rng.choice(np.arange(1, total), size=parts - 1, replace=False)) if parts > 1 else []
        bounds = [0, *cuts, total]
        return [int(b - a) for a, b in zip(bounds[:-1], bounds[1:])]

    def grid_counts(self, ans, ids, q, row, members_values: dict, col=1):
        for i in ids:
            ans[i][f"{q}_r{row}_c{col}"] = int(members_values.get(i, 0))

    def spread(self, members, total, first_member=None, first=None):
        members = list(members)
        if first_member is not None:
            members.remove(first_member)
            members = [first_member] + members
        return dict(zip(members, self.split(total, len(members), first=first)))


def generate(municipalities: pd.DataFrame, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The synthetic full and follow-up exports (DataFrames with the codebook's columns)."""
    cb = load_codebook()
    g = _Gen(seed)
    munis = municipalities.sort_values("gm_code").reset_index(drop=True)
    size_of = dict(zip(munis["name"], munis["size_class"]))
    resp, fu = [], []
    for s in SIZES:
        names = g.shuffled(munis.loc[munis["size_class"] == s, "name"])
        resp += names[: RESPONDERS[s]]
        fu += names[RESPONDERS[s] : RESPONDERS[s] + FOLLOWUP[s]]
    A = {n: {"q1": n} for n in resp}
    F = {n: {"q1": n} for n in fu}
    by_size = {s: [n for n in resp if size_of[n] == s] for s in SIZES}
    status = {}
    for s in SIZES:
        ids = g.shuffled(by_size[s])
        cells = [c for c, n in JOINT[s].items() for _ in range(n)]
        assert len(cells) == len(ids), s
        for n, (st, q5) in zip(ids, cells):
            status[n] = st
            A[n]["q5"] = q5
            A[n]["q3"] = 1 if st == "L" else 2
            if st != "L":
                A[n]["q4"] = {"J": 1, "K": 3, "N": 2}[st]
    for s in SIZES:
        g.single(F, [n for n in fu if size_of[n] == s], "q5", FOLLOWUP_Q5[s])

    def where(cond, pool=None):
        return [n for n in (pool or resp) if cond(A[n])]

    lic = where(lambda a: a["q3"] == 1)
    pol = where(lambda a: a["q5"] == 1)
    p125 = where(lambda a: a["q3"] == 1 or a.get("q4") in (1, 3))
    p138 = where(lambda a: a["q3"] == 1 or a.get("q4") in (1, 3) or a["q5"] in (1, 2))

    g.single(A, resp, "q2", {1: 96, 4: 11, 5: 3, 3: 2, 2: 1, 6: 44})
    nee = [("A", n) for n in where(lambda a: a["q5"] == 3)] + [("F", n) for n in fu if F[n]["q5"] == 3]
    both = {**{("A", n): A[n] for n in A}, **{("F", n): F[n] for n in F}}
    g.single(both, nee, "q6", {3: 46, 2: 15, 1: 7, 4: 14})
    g.single(A, pol, "q7", {1: 38, 2: 12, 3: 6, 4: 27})
    # q8: the licensing system (option 1) fixes the populations of 78 and 67
    lj = [n for n in pol if status[n] in "LJ"]
    kn = [n for n in pol if status[n] in "KN"]
    licsys = set(g.shuffled(lj)[:67]) | set(g.shuffled(kn)[:11])
    q8_counts = {2: 63, 5: 56, 4: 54, 12: 49, 9: 37, 8: 35, 3: 33, 7: 31, 6: 25, 15: 5, 16: 8}
    by_size_counts = {13: (7, 5, 2), 11: (5, 0, 0), 10: (9, 3, 1), 14: (7, 0, 0)}
    fixed = {1: licsys}
    for k, per in by_size_counts.items():
        fixed[k] = set()
        for s, c in zip(SIZES, per):
            fixed[k] |= set(g.shuffled([n for n in pol if size_of[n] == s])[:c])
    g.multi(A, pol, "q8", 16, q8_counts, fixed=fixed)
    # q9 (survey part of Table 3.4; the follow-up adds the rest)
    g.multi(A, pol, "q9", 6, {1: 61, 5: 32, 3: 9, 2: 6, 4: 0, 6: 5})
    fu_pol = [n for n in fu if F[n]["q5"] == 1]
    g.multi(F, fu_pol, "q9", 6, {1: 30, 5: 16, 3: 4, 2: 3, 4: 0, 6: 2})
    for d, ids in ((A, pol), (F, fu_pol)):
        for n in ids:
            if d[n]["q9_6"] == 1:
                d[n]["q9_other"] = "anders (synthetisch)"
    g.single(A, where(lambda a: a.get("q9_1") == 1), "q10", {1: 46, 3: 15})
    g.single(A, pol, "q11", {1: 47, 2: 36})
    differ = where(lambda a: a.get("q11") == 1)
    regimes = {"q12": [3, 2, 5, 1], "q13": [2, 2, 2, 3, 6], "q14": [2, 5, 3, 1], "q15": [2, 1, 3, 5],
               "q16": [1, 2, 3, 5], "q17": [3, 3, 3, 1, 5]}
    for q, opts in regimes.items():
        n_opt = len(cb.question(q).options)
        for n in differ:
            pick = int(g.rng.choice(opts))
            for k in range(1, n_opt + 1):
                A[n][f"{q}_{k}"] = int(k == pick)
    g.single(A, p138, "q19", {1: 32, 2: 106})
    q20 = g.multi(A, where(lambda a: a.get("q19") == 1), "q20", 6, {1: 9, 3: 7, 5: 7, 2: 2, 4: 2, 6: 13})
    for n in q20[6]:
        A[n]["q20_other"] = "anders (synthetisch)"
    g.single(A, pol, "q22", {1: 82, 2: 1})
    g.single(A, pol, "q24", {1: 77, 2: 6})
    g.single(A, pol, "q26", {1: 29, 2: 42, 3: 4, 4: 4, 5: 3, 6: 1})
    p67 = [n for n in pol if n in licsys and status[n] in "LJ"]
    for r, c in {1: 30, 2: 66, 3: 58, 4: 26, 5: 33, 6: 48, 7: 21, 8: 51}.items():
        yes = set(g.shuffled(p67)[:c])
        for n in p67:
            A[n][f"q27_r{r}"] = 1 if n in yes else 2
    # q28: licences per type (Table 2.1); street and window licences in large municipalities
    large_lic = [n for n in lic if size_of[n] == "large"]
    t21 = {7: (43, 2), 2: (38, 26), 3: (26, 18), 1: (18, 5), 6: (16, 13), 5: (7, 6), 4: (1, 1), 8: (19, 16)}
    holders = g.multi({n: {} for n in lic}, lic, "x", 8, {k: v[1] for k, v in t21.items()},
                      pools={7: set(large_lic), 1: set(large_lic)})
    for r, (total, _k) in t21.items():
        values = g.spread(sorted(holders[r]), total)
        g.grid_counts(A, lic, "q28", r, values)
    licsys_l = sorted(licsys)
    g.multi(A, licsys_l, "q29", 7, {1: 71, 3: 31, 5: 25, 4: 16, 2: 8, 6: 3, 7: 16})
    u = g.shuffled(licsys_l)[:18]
    req = {1: u[0:9], 2: u[8:18], 3: u[0:4]}
    gra = {1: u[0:5], 2: u[9:17], 3: u[0:3]}
    for q, sets, totals in (("q30", req, {1: 14, 2: 10, 3: 6}), ("q31", gra, {1: 8, 2: 8, 3: 6})):
        for r in (1, 2, 3):
            g.grid_counts(A, licsys_l, q, r, g.spread(sets[r], totals[r]))
    v = g.shuffled(licsys_l)
    g.grid_counts(A, licsys_l, "q32", 1, g.spread(v[0:4], 5))
    g.grid_counts(A, licsys_l, "q32", 2, g.spread(v[4:5], 1))
    g.grid_counts(A, licsys_l, "q32", 3, {})
    g.grid_counts(A, licsys_l, "q34", 1, g.spread(v[5:9], 5))
    g.grid_counts(A, licsys_l, "q34", 2, {})
    g.grid_counts(A, licsys_l, "q34", 3, {})
    g.multi(A, licsys_l, "q33", 13, {1: 4, 2: 2, 3: 2, 7: 2, 8: 2})
    g.multi(A, lic, "q35", 10, {3: 21, 2: 13, 5: 10, 7: 10, 6: 9, 4: 9, 9: 3, 1: 1, 8: 0, 10: 36})
    g.multi(A, p125, "q36", 10, {7: 49, 2: 34, 3: 33, 5: 15, 4: 13, 6: 12, 9: 11, 1: 10, 8: 4, 10: 89})
    g.multi(A, p125, "q37", 12, {3: 54, 9: 42, 2: 40, 8: 25, 5: 22, 4: 18, 7: 17, 1: 15, 6: 15, 10: 5, 11: 0, 12: 32})
    gem_lic = set(g.shuffled(lic)[:48])
    g.multi(A, lic, "q38", 11, {1: 50, 3: 36, 4: 21, 5: 12, 6: 15, 7: 8, 9: 3, 8: 0, 10: 0, 11: 9}, fixed={2: gem_lic})
    g.multi(A, sorted(gem_lic), "q39", 12, {7: 47, 1: 11, 3: 10, 4: 9, 9: 6, 11: 6, 8: 5, 10: 3, 2: 1, 5: 1, 6: 1, 12: 11})
    gem_unl = set(g.shuffled(p125)[:104])
    g.multi(A, p125, "q40", 11, {1: 121, 7: 40, 3: 35, 6: 27, 5: 25, 9: 8, 4: 8, 8: 1, 10: 0, 11: 14}, fixed={2: gem_unl})
    g.multi(A, sorted(gem_unl), "q41", 12, {7: 100, 1: 33, 8: 32, 4: 23, 9: 22, 11: 19, 3: 13, 5: 4, 2: 2, 10: 1, 6: 0, 12: 21})
    g.single(A, lic, "q42", {2: 38, 1: 9, 8: 6})
    g.single(A, p125, "q43", {1: 54, 2: 62, 8: 9})
    g.single(A, p125, "q44", {1: 13, 2: 47, 3: 65})
    for n in where(lambda a: a.get("q44") == 1):
        A[n]["q45"] = "synthetische toelichting"
    coop = where(lambda a: a.get("q38_2") == 1 or a.get("q40_2") == 1)
    n_yes = round(0.46 * len(coop))
    g.single(A, coop, "q46", {1: n_yes, 2: len(coop) - n_yes})
    g.single(A, p125, "q48", {1: 70, 2: 42, 3: 4, 4: 0, 5: 9})
    g.multi(A, lic, "q50", 9, {1: 43, 5: 37, 3: 8, 4: 6, 2: 3, 6: 2, 8: 2, 7: 1, 9: 8})
    g.single(A, lic, "q51", {1: 25, 2: 21, 3: 1, 4: 0, 5: 6})
    # enforcement: one large licensed municipality dominates (45 reports, 70 measures in 2020)
    big = sorted(large_lic)[0]
    rest = [n for n in p125 if n != big]
    rep = [big] + g.shuffled(rest)[:51]
    mea = [big] + g.shuffled([n for n in rep if n != big])[:40] + g.shuffled([n for n in rest if n not in rep])[:7]
    for n in p125:
        A[n]["q52"] = 1 if n in rep else None
        A[n]["q53"] = 1 if n in mea else None
    g.single(A, [n for n in p125 if n not in rep], "q52", {2: 55, 3: 18})
    g.single(A, [n for n in p125 if n not in mea], "q53", {2: 60, 3: 17})
    for q, members, per_year, big_values in (
        ("q55a", rep, {2017: (61, 22), 2018: (89, 24), 2019: (102, 27), 2020: (104, 26)}, (8, 12, 15, 45)),
        ("q55b", mea, {2017: (56, 16), 2018: (82, 20), 2019: (96, 26), 2020: (150, 22)}, (6, 10, 14, 70)),
    ):
        years = list(per_year)
        sets = g.multi({n: {} for n in members}, members, "y", 4, {i + 1: per_year[y][1] - 1 for i, y in enumerate(years)},
                       fixed=None, pools={i + 1: set(members) - {big} for i in range(4)})
        for i, y in enumerate(years):
            total, _k = per_year[y]
            vals = g.spread(sorted(sets[i + 1]), total - big_values[i])
            vals[big] = big_values[i]
            g.grid_counts(A, members, q, 1, vals, col=i + 1)
    kinds = {5: (220, 35), 1: (148, 30), 4: (59, 15), 3: (4, 3), 2: (1, 1), 6: (1, 1)}
    kind_sets = g.multi({n: {} for n in mea}, mea, "k", 6, {k: v[1] for k, v in kinds.items()})
    for k, (total, _m) in kinds.items():
        g.grid_counts(A, mea, "q56", k, g.spread(sorted(kind_sets[k]), total))
    for n in kind_sets[6]:
        A[n]["q56_other"] = "anders (synthetisch)"
    g.multi(A, lic, "q57", 4, {2: 38, 1: 31, 3: 22, 4: 10})
    g.multi(A, lic, "q58", 7, {5: 24, 3: 20, 4: 11, 1: 8, 6: 6, 2: 5, 7: 10})
    g.multi(A, p125, "q59", 6, {1: 101, 2: 66, 3: 9, 4: 8, 5: 7, 6: 29})
    g.multi(A, p125, "q60", 5, {1: 95, 2: 40, 3: 8, 4: 2, 5: 28})
    g.single(A, p125, "q61", {1: 19, 2: 32, 3: 74})
    for s, counts in {"small": {1: 8, 2: 48, 3: 10}, "medium": {1: 15, 2: 22, 3: 5}, "large": {1: 8, 2: 6, 3: 3}}.items():
        g.single(A, [n for n in p125 if size_of[n] == s], "q62", counts)
    g.single(A, p125, "q63", {1: 70, 2: 45, 3: 10})
    g.single(A, lic, "q64", {1: 20, 2: 25, 3: 8})
    w = g.shuffled(p67)
    for q, rows in (("q65", {1: (w[0:6], 8), 2: (w[6:8], 2), 3: ([], 0)}),
                    ("q66", {1: (w[10:16], 10), 2: (w[16:18], 3), 3: (w[18:19], 1)})):
        for r, (members, total) in rows.items():
            g.grid_counts(A, p67, q, r, g.spread(members, total))
    x = g.shuffled(p125)
    for r, (members, total) in {1: (x[0:30], 297), 2: (x[30:39], 38), 3: (x[39:40], 1)}.items():
        g.grid_counts(A, p125, "q67", r, g.spread(members, total))
    g.multi(A, p125, "q68", 15, {2: 38, 4: 19, 9: 19, 10: 16, 8: 11, 6: 6, 13: 5, 14: 5, 11: 2, 7: 2, 3: 2, 12: 1, 15: 24, 1: 0, 5: 0})
    g.single(A, p125, "q69", {1: 115, 2: 10})
    g.single(A, resp, "q71b", {1: 60, 2: 97})
    for n in resp:
        if A[n].get("q71b") == 1:
            A[n]["q72"] = "contact@example.invalid"
    for n in g.shuffled(resp)[:10]:
        A[n]["q71a"] = "synthetische opmerking"
    for qd in (A,):
        for n, a in qd.items():
            for q, o in (("q35", 10), ("q36", 10), ("q37", 12), ("q38", 11), ("q39", 12), ("q40", 11), ("q41", 12),
                         ("q50", 9), ("q57", 4), ("q58", 7), ("q59", 6), ("q60", 5), ("q68", 15), ("q8", 16), ("q29", 7)):
                if a.get(f"{q}_{o}") == 1:
                    a[f"{q}_other"] = "anders (synthetisch)"
    full = _frame(A.values(), [c.name for c in cb.columns("full")])
    follow = _frame(F.values(), [c.name for c in cb.columns("followup")])
    return full, follow


def _frame(records, columns) -> pd.DataFrame:
    df = pd.DataFrame(list(records))
    df = df.reindex(columns=columns)
    for c in df.columns:
        if c != "q1" and pd.api.types.is_numeric_dtype(df[c]):
            df[c] = df[c].astype("Int64")
    return df.sort_values("q1").reset_index(drop=True)


def write(out_dir: Path, municipalities: pd.DataFrame, seed: int = SEED) -> tuple[Path, Path]:
    """Write the synthetic exports as ``full.csv`` and ``followup.csv`` into ``out_dir``."""
    full, follow = generate(municipalities, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = out_dir / "full.csv", out_dir / "followup.csv"
    full.to_csv(paths[0], index=False)
    follow.to_csv(paths[1], index=False)
    return paths


if __name__ == "__main__":  # pragma: no cover
    from sekswerk_assets import settings
    from sekswerk_assets.reference.loader import MunicipalityReference

    ref = MunicipalityReference(directory=settings.get("SEKSWERK_REFERENCE_DIR"))
    for p in write(Path(sys.argv[1]), ref.municipalities(2021)):
        print(p)
