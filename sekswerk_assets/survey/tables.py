"""The survey tables of chapters 2-4 and Bijlage 2, computed from validated responses.

Output is one long table: ``table_id, title, row_key, row, column, value, base_n, multiple_answers``.
``row_key`` is the codebook option/row number (or ``total``/``no_answer``); ``column`` is ``count``,
``percent``, ``municipalities``, ``<size class>:count|percent`` or ``<group>:count|municipalities``.
Denominators (``base_n``) follow from the routing: the number of respondents asked the question.
"""

from __future__ import annotations


import pandas as pd

from sekswerk_assets.published import load as load_published
from sekswerk_assets.codebook.codebook import Codebook
from sekswerk_assets.lib.disclosure import MIN_CELL, PROTECTION_INTERVAL, suppress_long
from sekswerk_assets.lib.numbers import percent as pct  # the one percentage helper (half up, 5/16 -> 31.3)

SIZES = ("small", "medium", "large")
OVERVIEW_TABLES = {"B2.1", "B2.2", "text:followup", "text:response"}
TABLE_COLUMNS = ["table_id", "title", "row_key", "row", "column", "value", "base_n", "multiple_answers"]


def published(year: str) -> dict | None:
    """The survey figures published for ``year`` (only 2020 so far), from the one loader."""
    return load_published("survey", year)


class TableBuilder:
    def __init__(self, codebook: Codebook, full: pd.DataFrame, followup: pd.DataFrame | None):
        self.cb = codebook
        self.full = full
        self.asked = codebook.asked(full, "full")
        fu = followup if followup is not None and len(followup) else None
        if fu is not None:
            cols = [c for c in full.columns if c in fu.columns]
            self.combined = pd.concat([full[cols], fu[cols]], ignore_index=True)
            self.asked_combined = pd.concat([self.asked[codebook.followup_questions],
                                             codebook.asked(fu, "followup")], ignore_index=True)
        else:
            self.combined = full
            self.asked_combined = self.asked[codebook.followup_questions]
        self.rows: list[dict] = []

    # ----------------------------------------------------------------- helpers
    def add(self, tid, title, row_key, row, column, value, base_n, multi):
        self.rows.append(dict(table_id=tid, title=title, row_key=str(row_key), row=row, column=column,
                              value=None if value is None else float(value), base_n=int(base_n), multiple_answers=multi))

    def _frame(self, q, combined):
        return (self.combined, self.asked_combined) if combined else (self.full, self.asked)

    def single(self, tid, title, q, *, combined=False, by_size=True, options=None):
        df, asked = self._frame(q, combined)
        mask = asked[q]
        base = int(mask.sum())
        qq = self.cb.question(q)
        vals = df.loc[mask, q]
        nobody = base > 0 and bool(vals.isna().all())  # asked but not answered by anyone: no 0s
        for k in options or range(1, len(qq.options) + 1):
            n = None if nobody else int((vals == k).sum())
            self.add(tid, title, k, qq.option_label(k), "count", n, base, False)
            self.add(tid, title, k, qq.option_label(k), "percent", None if nobody else pct(n, base), base, False)
        na = int(vals.isna().sum())
        if na:
            self.add(tid, title, "no_answer", "no answer", "count", na, base, False)
        self.add(tid, title, "total", "Total", "count", base, base, False)
        self.add(tid, title, "total", "Total", "percent", 100.0 if base else None, base, False)
        if by_size:
            self._by_size(tid, title, df, mask, lambda d: [(k, qq.option_label(k), d[q] == k)
                                                           for k in options or range(1, len(qq.options) + 1)], False,
                          nobody)

    def _by_size(self, tid, title, df, mask, indicator, multi, nobody=False):
        for s in SIZES:
            m = mask & (df["size_class"] == s)
            base_s = int(m.sum())
            for key, label, ind in indicator(df):
                n = None if nobody else int((ind & m).sum())  # nobody answered: no 0s by size either
                self.add(tid, title, key, label, f"{s}:count", n, base_s, multi)
                self.add(tid, title, key, label, f"{s}:percent", None if nobody else pct(n, base_s), base_s, multi)
            if not multi:
                self.add(tid, title, "total", "Total", f"{s}:count", base_s, base_s, multi)

    def multi(self, tid, title, q, *, combined=False, by_size=True, base_mask=None):
        df, asked = self._frame(q, combined)
        mask = asked[q] if base_mask is None else base_mask
        base = int(mask.sum())
        qq = self.cb.question(q)
        cols = [f"{q}_{k}" for k in range(1, len(qq.options) + 1)]
        na = int(df.loc[mask, cols].isna().all(axis=1).sum())
        nobody = base > 0 and na == base
        for k, c in enumerate(cols, 1):
            n = None if nobody else int((df.loc[mask, c] == 1).sum())
            self.add(tid, title, k, qq.option_label(k), "count", n, base, True)
            self.add(tid, title, k, qq.option_label(k), "percent", None if nobody else pct(n, base), base, True)
        if na:
            self.add(tid, title, "no_answer", "no answer", "count", na, base, True)
        if by_size:
            self._by_size(tid, title, df, mask, lambda d: [(k, qq.option_label(k), d[c] == 1)
                                                           for k, c in enumerate(cols, 1)], True, nobody)

    def grid_yes(self, tid, title, q):
        mask = self.asked[q]
        base = int(mask.sum())
        qq = self.cb.question(q)
        cells = self.full.loc[mask, [f"{q}_r{r}" for r in range(1, len(qq.rows) + 1)]]
        for r, label in enumerate(qq.rows, 1):
            col = cells[f"{q}_r{r}"]
            nobody = base > 0 and bool(col.isna().all())
            n = None if nobody else int((col == 1).sum())
            self.add(tid, title, r, label, "count", n, base, True)
            self.add(tid, title, r, label, "percent", None if nobody else pct(n, base), base, True)
            if not nobody and col.isna().any():
                self.add(tid, title, r, label, "no_answer:count", int(col.isna().sum()), base, True)
        na = int(cells.isna().all(axis=1).sum())
        if na:
            self.add(tid, title, "no_answer", "no answer (no row answered)", "count", na, base, True)

    def numeric_rows(self, tid, title, groups: dict[str, str], *, col=1, rows=None, labels=None):
        """Sum and number of municipalities (> 0) per grid row, per group (question); total = unique municipalities."""
        first = next(iter(groups.values()))
        mask = self.asked[first]
        base = int(mask.sum())
        qq = self.cb.question(first)
        rows = rows or list(range(1, len(qq.rows) + 1))
        single_group = len(groups) == 1 and next(iter(groups)) == ""
        for g, q in groups.items():
            prefix = "" if single_group else f"{g}:"
            qcols = [f"{q}_r{r}_c{col}" for r in rows]
            # answered = at least one cell of the question filled in; blanks beside filled cells count as 0
            answered = mask & self.full[qcols].notna().any(axis=1)
            nobody = base > 0 and not answered.any()
            any_pos = pd.Series(False, index=self.full.index)
            total = 0
            for r in rows:
                v = self.full.loc[answered, f"{q}_r{r}_c{col}"].fillna(0)
                label = (labels or qq.rows)[r - 1]
                self.add(tid, title, r, label, f"{prefix}count", None if nobody else int(v.sum()), base, False)
                self.add(tid, title, r, label, f"{prefix}municipalities", None if nobody else int((v > 0).sum()),
                         base, False)
                any_pos = any_pos | (self.full[f"{q}_r{r}_c{col}"].fillna(0) > 0) & answered
                total += int(v.sum())
            self.add(tid, title, "total", "Total", f"{prefix}count", None if nobody else total, base, False)
            self.add(tid, title, "total", "Total (unique municipalities)", f"{prefix}municipalities",
                     None if nobody else int(any_pos.sum()), base, False)
            na = int((mask & ~answered).sum())
            if na:
                self.add(tid, title, "no_answer", "no answer", f"{prefix}municipalities", na, base, False)

    # ----------------------------------------------------------------- the tables
    def build(self) -> pd.DataFrame:
        self.numeric_rows("2.1", "Licences per type of sex business (1 January of the year after)", {"": "q28"})
        self.single("3.1", "Has the municipality a sex work policy (survey and follow-up)", "q5", combined=True)
        self.single("3.2", "Reasons for having no policy (survey and follow-up)", "q6", combined=True)
        self.single("3.3", "Period in which the current policy was adopted", "q7")
        self.multi("3.4", "Type of policy (survey and follow-up)", "q9", combined=True)
        self.multi("3.5", "Aspects included in the policy", "q8")
        self.grid_yes("3.6", "Licence obligation per type of sex business", "q27")
        self.multi("3.7", "Licences needed to establish a sex business", "q29")
        self.numeric_rows("3.8", "Licence applications requested and granted in the year",
                          {"requested": "q30", "granted": "q31"})
        self.numeric_rows("3.9", f"Licences refused (in the year) and withdrawn (q34 asks since 1 January "
                                 f"{self.cb.period[0]})",
                          {"refused": "q32", "withdrawn": "q34"})
        self._two_singles("3.10", "APV rules on operating sex businesses (q22) and on sex work (q24)", ["q22", "q24"])
        self.single("3.11", "Use of the VNG model APV", "q26")
        self.multi("3.12", "Measures to stimulate compliance in the licensed sector", "q50")
        self.single("3.13", "Council attention to sex work in the last two years", "q19")
        self.multi("3.14", "Form of council attention", "q20")
        self.multi("4.1", "Organisations in supervision and enforcement, licensed sector", "q38")
        self.multi("4.2", "Municipal departments involved, licensed sector", "q39")
        self.multi("4.3", "Who receives signals of abuses, licensed sector", "q35")
        self.multi("4.4", "Who inspects licensed businesses", "q57")
        self.multi("4.5", "When licensed businesses are inspected", "q58")
        self.multi("4.6", "Organisations in supervision and enforcement, unlicensed sector", "q40")
        self.multi("4.7", "Municipal departments involved, unlicensed sector", "q41")
        self.multi("4.8", "Who receives signals of abuses, unlicensed sector", "q36")
        self.multi("4.9", "Abuses signalled", "q37")
        self.multi("4.10", "Who inspects unlicensed businesses", "q59")
        self.multi("4.11", "When unlicensed businesses are inspected", "q60")
        self.single("4.12", "Transfer of supervision tasks from police to municipality", "q61")
        self.single("4.13", "Cooperation between public order and care", "q48")
        self.single("4.14", "Compliance of operators and sex workers", "q51")
        self.single("4.15", "Enforcement arrangement, by size class", "q62")
        self._year_grid("4.16", "Administrative reports and measures per year")
        self._counts_by_kind("4.17", "Administrative measures by kind (number of measures)", "q56")
        self.numeric_rows("4.18", "Licensed businesses warned or sanctioned", {"warnings": "q65", "sanctions": "q66"})
        self.numeric_rows("4.19", "Unlicensed businesses sanctioned", {"sanctions": "q67"})
        self.multi("4.20", "Reasons for sanctions", "q68")
        self.single("4.21", "Attention to operators' duties towards opting-in sex workers", "q44")
        for q, title in (("q3", "Licensed sex businesses in the municipality"), ("q4", "Other forms of sex work"),
                         ("q10", "Maximum policy: existing versus allowed number"), ("q11", "Policy differs per type"),
                         ("q42", "Who directs enforcement, licensed sector"), ("q43", "Who directs enforcement, unlicensed sector"),
                         ("q46", "Cooperation with other municipalities"), ("q52", f"Administrative reports received {self.cb.period_label}"),
                         ("q53", f"Administrative measures taken {self.cb.period_label}"), ("q69", "Administrative powers sufficient")):
            self.single(f"text:{q}", title, q)
        out = pd.DataFrame(self.rows, columns=TABLE_COLUMNS)
        return out

    def _two_singles(self, tid, title, qs):
        for q in qs:
            mask = self.asked[q]
            base = int(mask.sum())
            qq = self.cb.question(q)
            vals = self.full.loc[mask, q]
            nobody = base > 0 and bool(vals.isna().all())
            for k in range(1, len(qq.options) + 1):
                n = None if nobody else int((vals == k).sum())
                self.add(tid, title, k, qq.option_label(k), f"{q}:count", n, base, False)
                self.add(tid, title, k, qq.option_label(k), f"{q}:percent", None if nobody else pct(n, base), base, False)
            if vals.isna().any():
                self.add(tid, title, "no_answer", "no answer", f"{q}:count", int(vals.isna().sum()), base, False)
            self.add(tid, title, "total", "Total", f"{q}:count", base, base, False)

    def _year_grid(self, tid, title):
        for key, label, q in (("reports", "Administrative reports", "q55a"), ("measures", "Administrative measures", "q55b")):
            mask = self.asked[q]
            base = int(mask.sum())
            qq = self.cb.question(q)
            qcols = [f"{q}_r1_c{c}" for c in range(1, len(qq.columns_) + 1)]
            answered = mask & self.full[qcols].notna().any(axis=1)
            nobody = base > 0 and not answered.any()
            for c, year in enumerate(qq.columns_, 1):
                v = self.full.loc[answered, f"{q}_r1_c{c}"].fillna(0)
                self.add(tid, title, key, label, f"{year}:count", None if nobody else int(v.sum()), base, False)
                self.add(tid, title, key, label, f"{year}:municipalities", None if nobody else int((v > 0).sum()),
                         base, False)
            self.add(tid, title, key, label, "respondents", base, base, False)
            if (mask & ~answered).any():
                self.add(tid, title, key, label, "no_answer", int((mask & ~answered).sum()), base, False)

    def _counts_by_kind(self, tid, title, q):
        mask = self.asked[q]
        qq = self.cb.question(q)
        qcols = [f"{q}_r{r}_c1" for r in range(1, len(qq.rows) + 1)]
        answered = mask & self.full[qcols].notna().any(axis=1)
        base = int(mask.sum())
        nobody = base > 0 and not answered.any()
        sums = {r: int(self.full.loc[answered, f"{q}_r{r}_c1"].fillna(0).sum()) for r in range(1, len(qq.rows) + 1)}
        total = sum(sums.values())
        for r, n in sums.items():
            self.add(tid, title, r, qq.rows[r - 1], "count", None if nobody else n, base, True)
            self.add(tid, title, r, qq.rows[r - 1], "percent", None if nobody else pct(n, total), base, True)
            self.add(tid, title, r, qq.rows[r - 1], "municipalities",
                     None if nobody else int((self.full.loc[answered, f"{q}_r{r}_c1"].fillna(0) > 0).sum()), base, True)
        self.add(tid, title, "total", "Total measures", "count", None if nobody else total, base, True)
        self.add(tid, title, "total", "Total measures", "percent", 100.0 if total else None, base, True)
        if (mask & ~answered).any():
            self.add(tid, title, "no_answer", "no answer", "municipalities", int((mask & ~answered).sum()), base, True)


def build_tables(codebook: Codebook, full: pd.DataFrame, followup: pd.DataFrame | None) -> pd.DataFrame:
    return TableBuilder(codebook, full, followup).build()


# ----------------------------------------------------------------- disclosure control


def printed_cells(year: str) -> set[tuple[str, str, str]]:
    pub = published(str(year))
    if not pub:
        return set()
    out = set()
    for tid, t in pub["tables"].items():
        for rk, cells in t["rows"].items():
            for col in cells:
                out.add((tid, str(rk), col))
    return out


#: tables on the same population: the child table's respondents are exactly the parent's row(s), by the routing.
#: (child, parent, parent rows, child has a total row)
LINKS = (
    ("3.2", "3.1", ("3",), True),  # q6 asked if q5 == 3 (both with the follow-up)
    ("3.4", "3.1", ("1",), False),  # q9 asked if q5 == 1 (both with the follow-up)
    ("text:q4", "text:q3", ("2", "3"), True),  # q4 asked if q3 in (2, 3)
    ("3.14", "3.13", ("1",), False),  # q20 asked if q19 == 1
    ("4.2", "4.1", ("2",), False),  # q39 asked if q38_2 == 1
    ("4.7", "4.6", ("2",), False),  # q41 asked if q40_2 == 1
    ("3.7", "3.5", ("1",), False),  # q29 asked to LICSYS = POLICY and q8_1 == 1
)


def linked_cells(tables: pd.DataFrame, min_cell: int = MIN_CELL) -> tuple[set, set, list]:
    """Cells another table on the same population makes public, cells it forces to be suppressed, and the links
    whose child follows the parent's pattern.

    A child table prints its N (= the parent row's overall count: public, so never a complementary cell; a count of
    1..min_cell-1 stays suppressed although the child's N equals it, a documented limitation). A child with a total row prints its
    total per size class (= the parent row's size-class count): public in both tables when 0 or at least
    ``min_cell``, suppressed in both (primary) when 1..min_cell-1. A child without a total row (multiple answers)
    reveals its size-class base through its counts and percentages: where the parent's size-class cell is
    suppressed, that size class of the child is suppressed too (``follow``, applied in table order). Every rule
    reads the tables' own values and patterns, so a table computed in two assets gets the same pattern."""
    public, forced = set(), set()
    have = set(tables["table_id"])
    values = {(t, r, c): v for t, r, c, v in tables[["table_id", "row_key", "column", "value"]].itertuples(index=False)}
    follow = []
    for child, parent, rows, has_total in LINKS:
        if parent in have and len(rows) == 1:
            v = values.get((parent, rows[0], "count"))
            if v is not None and not pd.isna(v) and not 1 <= v < min_cell:  # (1..4: stays primary, see README)
                public.add((parent, rows[0], "count"))
        if has_total:  # each side by its own values, whether or not the other table is in this frame
            for z in SIZES:
                for key in [(child, "total", f"{z}:count")] + ([(parent, rows[0], f"{z}:count")] if len(rows) == 1 else []):
                    v = values.get(key)
                    if key[0] in have and v is not None and not pd.isna(v):
                        (forced if 1 <= v < min_cell else public).add(key)
        elif child in have and parent in have and len(rows) == 1:
            follow.append((child, parent, rows[0]))
    return public, forced, follow


def apply_disclosure(tables: pd.DataFrame, year: str, min_cell: int = MIN_CELL,
                     protection: float = PROTECTION_INTERVAL) -> pd.DataFrame:
    """Add ``suppressed`` and ``value_published``: primary suppression of counts 1..min_cell-1 not printed by the
    report, complementary suppression so that no hidden cell can be worked back out (``lib/disclosure.py``);
    percentages follow their counts. ``df.attrs["disclosure"]`` holds the counts for the metadata."""
    df = tables.copy()
    public, forced, follow = linked_cells(df, min_cell)
    flags, stats = suppress_long(df, printed_cells(year), min_cell, protection, public=public, forced=forced,
                                 follow=follow)
    df["suppressed"] = flags.astype(bool)
    df["value_published"] = df["value"].where(~df["suppressed"])
    df.attrs["disclosure"] = stats
    return df


def apply_disclosure_primary_only(tables: pd.DataFrame, year: str, min_cell: int) -> pd.DataFrame:
    """The former rule (primary suppression only), kept to show in tests what complementary suppression adds."""
    printed = printed_cells(year)
    df = tables.copy()
    is_count = df["column"].str.endswith("count") & ~df["row_key"].isin(["total"])
    small = is_count & df["value"].between(1, min_cell - 1)
    keys = list(zip(df["table_id"], df["row_key"], df["column"]))
    not_printed = pd.Series([k not in printed for k in keys], index=df.index)
    hide = small & not_printed
    hidden = set(zip(df.loc[hide, "table_id"], df.loc[hide, "row_key"], df.loc[hide, "column"].str.replace("count", "")))
    partner = pd.Series(
        [(t, r, c.replace("percent", "").replace("municipalities", "")) in hidden and (t, r, c) not in printed
         for t, r, c in keys], index=df.index)
    df["suppressed"] = hide | (partner & ~is_count)
    df["value_published"] = df["value"].where(~df["suppressed"])
    return df


def markdown_preview(tables: pd.DataFrame, table_id: str) -> str:
    """A table as Markdown, rows x columns, with suppressed cells marked '[s]'."""
    t = tables[tables["table_id"] == table_id]
    if t.empty:
        return ""
    cells = t.assign(shown=[("[s]" if s else ("" if pd.isna(v) else (f"{v:.1f}" if c.endswith("percent") else f"{v:.0f}")))
                            for s, v, c in zip(t["suppressed"], t["value"], t["column"])])
    order = list(dict.fromkeys(t["row_key"]))
    wide = cells.pivot_table(index=["row_key", "row"], columns="column", values="shown", aggfunc="first", sort=False)
    wide = wide.reset_index().set_index("row_key").loc[order].reset_index(drop=True)
    cols = ["row"] + [c for c in dict.fromkeys(t["column"]) if c in wide.columns]
    wide = wide[cols].fillna("")
    wide["row"] = wide["row"].str.slice(0, 60)
    base = int(t["base_n"].iloc[0])
    head = f"**{table_id}** {t['title'].iloc[0]} (N={base}; multiple answers: {bool(t['multiple_answers'].iloc[0])})\n\n"
    return head + wide.to_markdown(index=False)


def compare_with_published(tables: pd.DataFrame, year: str, overview: bool = False) -> list[str]:
    """Differences between computed tables and the published copy, after the documented readings."""
    pub = published(str(year))
    if not pub:
        return []
    readings = {(r["table"], None if r["row"] is None else str(r["row"]), r["column"]): r["expected"]
                for r in pub.get("readings", [])}
    have = {(t, r, c): v for t, r, c, v in tables[["table_id", "row_key", "column", "value"]].itertuples(index=False)}
    base = tables.groupby("table_id")["base_n"].first().to_dict()
    diffs = []
    for tid, t in pub["tables"].items():
        if (tid in OVERVIEW_TABLES) != overview:
            continue  # B2.1, B2.2 and response figures live in survey/response_overview
        exp_base = readings.get((tid, None, "base_n"), t.get("base_n"))
        if exp_base is not None and tid in base and tid not in ("3.8", "3.9", "4.16", "4.17", "B2.1") and not tid.startswith("text:") and base[tid] != exp_base:
            diffs.append(f"{tid}: base_n {base.get(tid)} != {exp_base}")
        for rk, cells in t["rows"].items():
            for col, printed_value in cells.items():
                key = (tid, str(rk), col)
                expected = readings.get(key, printed_value)
                got = have.get(key)
                if expected is None:
                    if got is not None:
                        diffs.append(f"{tid} {rk} {col}: expected no cell, got {got}")
                    continue
                if got is None:
                    diffs.append(f"{tid} {rk} {col}: missing (expected {expected})")
                    continue
                if col.endswith("percent"):
                    tol = 0.051 if float(expected) != int(expected) else 1.0
                    if abs(got - expected) > tol:
                        diffs.append(f"{tid} {rk} {col}: {got} != {expected}")
                elif got != expected:
                    diffs.append(f"{tid} {rk} {col}: {got} != {expected}")
    return diffs
