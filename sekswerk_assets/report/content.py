"""The report's content: every table and figure of chapters 2-4 as items built from warehouse frames.

Pure functions over DataFrames read by ``inputs.read_inputs``: no Dagster, no I/O. An item holds its
cells in long form (``row, row_label, column, stat, value, suppressed, published`` and one
``year:<Y>`` column per earlier measurement year) plus an optional PNG and notes. Chapter 2 uses the
``report`` method values of the ad tables (the published method); ``linked`` appears only in method notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from sekswerk_assets.published import load as load_published
from sekswerk_assets.report.rounding import number

PUBLISHED_YEAR = "2020"
PUBLISHED_LABEL = "published 2020"

# report item id -> (warehouse table, table_id in it) for the long-form ad tables (method "report")
AD_TABLES = {
    "Figure 2.6": ("ads.gender_table", "2.6"),
    "Figure 2.7": ("ads.work_type_table", "2.7"),
    "Table 2.2": ("ads.price_table", "2.2"),
    "Figure 2.10": ("ads.origin_table", "2.10"),
    "Table 2.3": ("ads.age_table", "2.3"),
    "Table 2.5a": ("ads.age_table", "2.5a"),
    "Table 2.4": ("ads.municipality_table", "2.4"),
    "Table 2.5b": ("ads.municipality_table", "2.5b"),
    "Figure 2.12": ("ads.work_type_by_municipality", "2.12"),
    "Table 2.6": ("ads.licensed_signals", "2.6t"),
}
# weekly lifecycle figures: item id -> columns of ads.ad_lifecycle_year
LIFECYCLE = {
    "Figure 2.2": ["new_vs_previous", "new_vs_previous_five", "new_vs_all_previous"],
    "Figure 2.3": ["seen_once"],
    "Figure 2.4": ["closed"],
    "Figure 2.5": ["active"],
}
#: ad tables whose rows are municipalities: the only place municipality names may appear


@cache
def published_chapter2() -> dict:
    return load_published("report", "2020")


def published_list() -> list[dict]:
    """Every table and figure id of chapters 2-4 in the report's order."""
    return list(published_chapter2()["published_list"])


@dataclass
class Item:
    id: str
    chapter: int
    section: str
    title: str
    kind: str  # table | figure | note
    source_kind: str = ""  # long | survey | weekly | derived | "" (no cells)
    source_table: str = ""
    source_id: str = ""
    cells: pd.DataFrame | None = None
    figure: str | None = None  # PNG, base64
    notes: list[str] = field(default_factory=list)
    base_n: int | None = None
    published_n: int | None = None
    available: bool = True

    @property
    def n_cells(self) -> int:
        return 0 if self.cells is None else int((~self.cells["absent"]).sum())

    @property
    def n_published(self) -> int:
        return 0 if self.cells is None else int(self.cells["published"].notna().sum())

    @property
    def n_suppressed(self) -> int:
        return 0 if self.cells is None else int(self.cells["suppressed"].sum())


# ----------------------------------------------------------------------------- cells


def cells_with_comparisons(current: pd.DataFrame, earlier: dict[str, pd.DataFrame], published: dict | None) -> pd.DataFrame:
    """Current cells with the published 2020 value and earlier years beside them (same row/column/stat keys).

    Published cells whose row is not in the current table (e.g. another top-ten municipality) are added
    as ``absent`` rows carrying only the published value.
    """
    cur = current[["row", "row_label", "column", "stat", "value", "suppressed"]].copy()
    cur["absent"] = False
    cur["reason"] = current["reason"].to_numpy() if "reason" in current else ""
    pub = {}
    for row, cells in (published or {}).items():
        for key, v in cells.items():
            column, stat = key.rsplit(":", 1)
            pub[(str(row), column, stat)] = None if v is None else float(v)
    keys = list(zip(cur["row"], cur["column"], cur["stat"]))
    cur["published"] = [pub.get(k) for k in keys]
    have = set(keys)
    extra = [dict(row=r, row_label=r, column=c, stat=s, value=None, suppressed=False, absent=True, reason="",
                  published=v) for (r, c, s), v in pub.items() if (r, c, s) not in have]
    if extra:
        add = pd.DataFrame(extra)
        # an all-missing column (no value for any published-only row) takes the current table's type
        add = add.astype({c: cur[c].dtype for c in add.columns if c in cur.columns and add[c].isna().all()})
        cur = add if cur.empty else pd.concat([cur, add], ignore_index=True)
    for year, frame in sorted(earlier.items()):
        values = {(r, c, s): (None if sup else v) for r, c, s, v, sup in
                  frame[["row", "column", "stat", "value", "suppressed"]].itertuples(index=False)}
        cur[f"year:{year}"] = [values.get(k) for k in zip(cur["row"], cur["column"], cur["stat"])]
    cur["published"] = cur["published"].astype(object).where(cur["published"].notna(), None)
    return cur


def _ad_cells(frame: pd.DataFrame, table_id: str) -> pd.DataFrame:
    t = frame[(frame["method"] == "report") & (frame["table_id"] == table_id)]
    return pd.DataFrame({"row": t["row"].astype(str), "row_label": t["row"].astype(str), "column": t["column"].astype(str),
                         "stat": t["stat"].astype(str), "value": t["value"].astype(float), "suppressed": False})


#: why a survey cell has no value: printed in the cell itself, never as 0 or a bare dash
NOT_ANSWERED = "not answered"  # asked (routed to at least one municipality), but every one asked left it empty
NOT_ASKED = "not asked"  # the year's questionnaire has no such question, or its routing asked no municipality
SURVEY_EMPTY_NOTE = ("not answered: the question was asked, but every municipality asked left it empty (item "
                     "non-response; counted in the 'no answer' row, never as 0). not asked: the {year} questionnaire "
                     "has no such question or period, or its routing asked no municipality.")


def survey_reasons(t: pd.DataFrame) -> list[str]:
    """Per row of a survey table (long layout): why it has no value ("not asked", "not answered") or "".

    A cell without a value is "not asked" when nobody was routed to the question (base 0) and "not answered" when
    the municipalities asked all left it empty; a percentage without a value beside a count that has one (a share
    of 0) is neither."""
    values = dict(zip(zip(t["row_key"].astype(str), t["column"].astype(str)), t["value"]))
    out = []
    for rk, col, v, base, sup in zip(t["row_key"].astype(str), t["column"].astype(str), t["value"], t["base_n"],
                                     t["suppressed"].astype(bool)):
        if sup or not pd.isna(v):
            out.append("")
        elif not base:
            out.append(NOT_ASKED)
        elif col.endswith("percent") and not pd.isna(values.get((rk, col[: -len("percent")] + "count"))):
            out.append("")
        else:
            out.append(NOT_ANSWERED)
    return out


def _survey_cells(frame: pd.DataFrame, table_id: str) -> pd.DataFrame:
    t = frame[frame["table_id"] == table_id]
    suppressed = t["suppressed"].astype(bool)
    return pd.DataFrame({
        "row": t["row_key"].astype(str), "row_label": t["row"].astype(str), "column": t["column"].astype(str),
        "stat": t["column"].astype(str).str.rsplit(":", n=1).str[-1],
        # suppressed cells stay suppressed: only value_published is ever read
        "value": t["value_published"].astype(float).where(~suppressed), "suppressed": suppressed,
        "reason": survey_reasons(t),
    })


def _weekly_cells(frame: pd.DataFrame, columns: list[str], stat: str = "count") -> pd.DataFrame:
    rows = []
    for r in frame.sort_values("measurement_week").itertuples(index=False):
        for c in columns:
            v = getattr(r, c)
            rows.append(dict(row=r.measurement_week, row_label=r.measurement_week, column=c, stat=stat,
                             value=None if pd.isna(v) else float(v), suppressed=False))
    return pd.DataFrame(rows, columns=["row", "row_label", "column", "stat", "value", "suppressed"])


def _series_cells(frame: pd.DataFrame) -> pd.DataFrame:
    f = frame.sort_values(["measurement_week", "series"])
    return pd.DataFrame({"row": f["measurement_week"].astype(str), "row_label": f["measurement_week"].astype(str),
                         "column": f["series"].astype(str), "stat": "mean", "value": f["value"].astype(float),
                         "suppressed": False})


def _by_year(frame: pd.DataFrame, year: str) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    if frame is None or frame.empty:
        return pd.DataFrame(), {}
    years = frame["measurement_year"].astype(str)
    earlier = {y: frame[years == y] for y in sorted(set(years)) if y < year}
    return frame[years == year], earlier


def _published_cells(item_id: str, year: str) -> dict | None:
    pub = published_chapter2()
    return pub["items"].get(item_id) or pub["figure_cells"].get(item_id)


def _survey_published(table_id: str) -> dict | None:
    from sekswerk_assets.survey.tables import published

    pub = published(PUBLISHED_YEAR)
    if not pub or table_id not in pub["tables"]:
        return None
    return {str(rk): {_survey_key(c): v for c, v in cells.items()}
            for rk, cells in pub["tables"][table_id]["rows"].items()}


def _survey_key(column: str) -> str:
    """Survey columns are ``count`` or ``<group>:count``: as ``column:stat`` keys (stat = last part)."""
    return f"{column}:{column.rsplit(':', 1)[-1]}"


# ----------------------------------------------------------------------------- items


def ad_table_item(spec: dict, inputs: dict, year: str, figures) -> Item:
    table, table_id = AD_TABLES[spec["id"]]
    frame = inputs.get(table)
    cur, earlier = _by_year(frame, year)
    kind = "figure" if spec["id"].startswith("Figure") else "table"
    item = Item(spec["id"], 2, spec["section"], spec["title"], kind, "long", table, table_id,
                published_n=published_chapter2()["ns"].get(spec["id"]))
    if cur.empty or cur[(cur["method"] == "report") & (cur["table_id"] == table_id)].empty:
        item.available = False
        item.notes.append(f"Not available: {table} has no rows for {year} (materialise the yearly ad tables).")
        return item
    cells = _ad_cells(cur, table_id)
    earlier_cells = {y: _ad_cells(f, table_id) for y, f in earlier.items()}
    published = _published_cells(spec["id"], year)
    item.cells = cells_with_comparisons(cells, earlier_cells, published)
    item.base_n = int(cur[(cur["method"] == "report") & (cur["table_id"] == table_id)]["base_n"].max())
    if kind == "figure":
        item.figure = figures.bar(cells, f"{spec['id']} {spec['title']}")
    return item


def lifecycle_item(spec: dict, inputs: dict, year: str, figures) -> Item:
    frame = inputs.get("ads.ad_lifecycle_year")
    cur, earlier = _by_year(frame, year)
    cols = LIFECYCLE[spec["id"]]
    facts = published_chapter2()["facts"]
    item = Item(spec["id"], 2, spec["section"], spec["title"], "figure", "weekly", "ads.ad_lifecycle_year",
                ",".join(cols), published_n=published_chapter2()["ns"].get(spec["id"]))
    if cur.empty:
        item.available = False
        item.notes.append(f"Not available: ads.ad_lifecycle_year has no rows for {year}.")
        return item
    cur = cur.sort_values("measurement_week")
    collected = cur[cur["collected"].astype(bool)]
    item.cells = cells_with_comparisons(_weekly_cells(collected, cols), {}, None)
    # every week of the year: a week not collected is a shaded gap in the line, never a drop to 0
    item.figure = figures.weekly(cur, cols, f"{spec['id']} {spec['title']}")
    certain = collected[~collected["uncertain_new"].astype(bool) & ~collected["uncertain_closed"].astype(bool)]
    summary = {
        "Figure 2.2": lambda: (f"new vs previous week per week: {_range(certain['new_vs_previous'])} "
                               f"(published about {facts['new_vs_previous_per_week']['min']:,}-{facts['new_vs_previous_per_week']['max']:,}); "
                               f"vs previous five weeks: {_range(certain['new_vs_previous_five'])} "
                               f"(published {facts['new_vs_previous_five_per_week']['min']:,}-{facts['new_vs_previous_five_per_week']['max']:,})."),
        "Figure 2.3": lambda: (f"ads seen in one week only, total {int(collected['seen_once'].sum()):,} "
                               f"(published {facts['seen_once']:,})."),
        "Figure 2.4": lambda: (f"closed ads per week, mean {_mean(certain['closed'])} "
                               f"(published about {facts['closed_per_week_mean']:,})."),
        "Figure 2.5": lambda: (f"unique (active) ads per week: {_range(collected['active'])} "
                               f"(published about {facts['active_per_week']['min']:,}-{facts['active_per_week']['max']:,})."),
    }[spec["id"]]
    item.notes.append(f"{year}: {len(collected)} of {len(cur)} weeks collected; " + summary()
                      + " Weeks at the edges of the year are provisional (new: first five weeks; closed/seen once: last weeks).")
    for y, f in earlier.items():
        f = f[f["collected"].astype(bool)]
        item.notes.append(f"{y}: {len(f)} weeks collected; " + ", ".join(f"{c} {_range(f[c])}" for c in cols) + ".")
    return item


def _mean(values: pd.Series) -> str:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return "n/a" if v.empty else number(v.mean())


def _range(values: pd.Series) -> str:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return "n/a" if v.empty else f"{number(v.min())}-{number(v.max())}"


def price_trend_item(spec: dict, inputs: dict, year: str, figures) -> Item:
    frame = inputs.get("ads.price_trend")
    cur, earlier = _by_year(frame, year)
    item = Item(spec["id"], 2, spec["section"], spec["title"], "figure", "weekly", "ads.price_trend", "",
                published_n=published_chapter2()["ns"].get(spec["id"]))
    if cur.empty:
        item.available = False
        item.notes.append(f"Not available: ads.price_trend has no rows for {year}.")
        return item
    item.cells = cells_with_comparisons(_series_cells(cur), {}, None)
    wide = cur.pivot_table(index="measurement_week", columns="series", values="value").reset_index()
    item.figure = figures.weekly(wide, [c for c in wide.columns if c != "measurement_week"], f"{spec['id']} {spec['title']}")
    t = published_chapter2()["facts"]["price_trend"]
    first, last = (cur[cur["measurement_week"] == w].set_index("series")["value"] for w in
                   (cur["measurement_week"].min(), cur["measurement_week"].max()))
    item.notes.append(
        f"{year}: first week all {number(first.get('all'), missing='n/a')}, escort {number(first.get('escort'), missing='n/a')}, "
        f"home {number(first.get('home'), missing='n/a')} EUR/h; last week all {number(last.get('all'), missing='n/a')}, "
        f"escort {number(last.get('escort'), missing='n/a')}, home {number(last.get('home'), missing='n/a')} EUR/h. "
        f"Published (text): all about {t['all_start']}->{t['all_end']}, escort about {t['escort_start']}->{t['escort_end']}, "
        f"home about {t['home']} EUR/h.")
    return item


def map_item(spec: dict, inputs: dict, year: str, figures, municipalities: pd.DataFrame | None, boundaries) -> Item:
    """Figure 2.11: the map only; its per-municipality values are never printed as numbers."""
    frame = inputs.get("ads.municipality_table")
    cur, _ = _by_year(frame, year)
    item = Item(spec["id"], 2, spec["section"], spec["title"], "figure", "", "ads.municipality_table", "2.11",
                published_n=published_chapter2()["ns"].get(spec["id"]))
    rates = cur[(cur["method"] == "report") & (cur["table_id"] == "2.11") & (cur["stat"] == "per_100k")] if len(cur) else cur
    if rates is None or len(rates) == 0:
        item.available = False
        item.notes.append(f"Not available: ads.municipality_table has no map rows for {year}.")
        return item
    counts = cur[(cur["method"] == "report") & (cur["table_id"] == "2.11") & (cur["stat"] == "count")]
    item.base_n = int(counts["base_n"].max()) if len(counts) else None
    if municipalities is not None:
        by_name = municipalities.set_index("name")["gm_code"]
        per_code = pd.Series(rates["value"].to_numpy(), index=rates["row"].map(by_name))
        item.figure = figures.choropleth(per_code, boundaries, f"{spec['id']} {spec['title']}")
    n_with = int((counts["value"] > 0).sum())
    item.notes.append(f"{n_with} of {len(counts)} municipalities named in at least one ad. Values per municipality are "
                      "shown only as the map (no municipality outside the top-ten tables is named).")
    if item.figure is None:
        item.notes.append("Map not drawn: no municipality boundaries available for this year.")
    return item


def survey_item(table_id: str, item_id: str, chapter: int, section: str, inputs: dict, year: str, title: str = "",
                source: str = "survey.tables") -> Item:
    frame = inputs.get(source)
    cur, earlier = _by_year(frame, year)
    t = cur[cur["table_id"] == table_id] if len(cur) else cur
    item = Item(item_id, chapter, section, title, "table", "survey", source, table_id)
    if t is None or len(t) == 0:
        item.available = False
        if len(cur):  # the year's survey is there, without this table: its questionnaire has no such question
            item.notes.append(f"Not available: not asked in {year} (the {year} questionnaire has no question for "
                              f"table {table_id}).")
        else:
            item.notes.append(f"Not available: {source} has no table {table_id} for {year} (materialise the survey "
                              "assets).")
        return item
    item.title = title or str(t["title"].iloc[0])
    from sekswerk_assets.survey.tables import published

    pub = published(PUBLISHED_YEAR)
    item.published_n = (pub or {}).get("tables", {}).get(table_id, {}).get("base_n")
    item.base_n = int(t["base_n"].max())
    earlier_cells = {y: _survey_cells(f, table_id) for y, f in earlier.items() if (f["table_id"] == table_id).any()}
    item.cells = cells_with_comparisons(_survey_cells(t, table_id), earlier_cells, _survey_published(table_id))
    if year != PUBLISHED_YEAR:  # a printed 2020 column this year's questionnaire does not ask (e.g. 4.16's 2017)
        asked_columns = set(t["column"].astype(str))
        absent_column = item.cells["absent"] & ~item.cells["column"].isin(asked_columns)
        item.cells.loc[absent_column, "reason"] = NOT_ASKED
    if (item.cells["reason"] != "").any():
        item.notes.append(SURVEY_EMPTY_NOTE.format(year=year))
    if bool(t["multiple_answers"].any()):
        item.notes.append("Multiple answers possible: percentages do not add up to 100.")
    if item.n_suppressed:
        item.notes.append(f"{item.n_suppressed} cell(s) suppressed ([s]): small counts not printed in the 2020 report.")
    return item


def figure_2_1() -> Item:
    return Item("Figure 2.1", 2, "2.1", published_chapter2()["published_list"][0]["title"], "note",
                notes=["A diagram of definitions (licensed / unlicensed, legal / illegal sex work); it holds no data and "
                       "is not recomputed."])


def build_items(inputs: dict, year: str, figures, municipalities=None, boundaries=None) -> list[Item]:
    """Every item of the published list, in order."""
    items = []
    for spec in published_list():
        pid = spec["id"]
        if pid == "Figure 2.1":
            items.append(figure_2_1())
        elif pid in AD_TABLES:
            items.append(ad_table_item(spec, inputs, year, figures))
        elif pid in LIFECYCLE:
            items.append(lifecycle_item(spec, inputs, year, figures))
        elif pid == "Figure 2.9":
            items.append(price_trend_item(spec, inputs, year, figures))
        elif pid == "Figure 2.11":
            items.append(map_item(spec, inputs, year, figures, municipalities, boundaries))
        else:  # survey tables 2.1, 3.x, 4.x
            tid = pid.split(" ", 1)[1]
            items.append(survey_item(tid, pid, spec["chapter"], spec.get("section", tid.split(".")[0]), inputs, year,
                                     spec.get("title", "")))
    return items


def text_items(inputs: dict, year: str) -> list[Item]:
    """Survey figures quoted in the running text (``text:q..`` tables)."""
    frame = inputs.get("survey.tables")
    if frame is None or frame.empty:
        return []
    ids = [t for t in dict.fromkeys(frame.loc[frame["measurement_year"] == year, "table_id"]) if str(t).startswith("text:")]
    return [survey_item(t, f"Text {t.split(':', 1)[1]}", 0, "text", inputs, year) for t in ids]


def licence_estimate_item(inputs: dict, year: str) -> Item:
    """Section 2.2: the national estimate of licensed businesses (report method and stratified estimators)."""
    frame = inputs.get("survey.licence_extrapolation")
    cur, earlier = _by_year(frame, year)
    item = Item("Estimate 2.2", 2, "2.2", "National estimate of licensed sex businesses", "table", "derived",
                "survey.licence_extrapolation", "all types")
    if cur.empty:
        item.available = False
        item.notes.append("Not available: survey.licence_extrapolation has no rows for this year.")
        return item

    def cells(f):
        f = f[f["business_type"] == "all types"]
        rows = []
        for r in f.itertuples(index=False):
            for stat in ("estimate", "ci_low", "ci_high"):
                v = getattr(r, stat)
                rows.append(dict(row=r.method, row_label=r.method.replace("_", " "), column="all types", stat=stat,
                                 value=None if pd.isna(v) else float(v), suppressed=False))
        return pd.DataFrame(rows)

    pub = {"report": {"all types:estimate": published_chapter2()["facts"]["licence_estimate"]}}
    item.cells = cells_with_comparisons(cells(cur), {y: cells(f) for y, f in earlier.items()}, pub)
    item.notes.append("Report method: licences counted by the responding municipalities / response share x 100 "
                      "(every respondent weighted equally). Stratified: expansion per size class (N_h / n_h) and a ratio "
                      "estimator on population, with bootstrap 95% intervals.")
    return item


# ----------------------------------------------------------------------------- privacy helpers

_WORD = re.compile(r"[\w'-]+")

