"""Assembling the report document from the inputs: chapters, method notes, data quality, appendices."""

from __future__ import annotations

import pandas as pd

from sekswerk_assets.lib.disclosure import MIN_CELL
from sekswerk_assets.partitions import weeks_of_year
from sekswerk_assets.report.accuracy import accuracy_extra, accuracy_notes
from sekswerk_assets.report.content import (
    Item,
    build_items,
    licence_estimate_item,
    published_chapter2,
    published_list,
    survey_item,
    text_items,
)
from sekswerk_assets.report.render import Document, Extra

CHAPTERS = {2: "Chapter 2 Size and nature of the sex work sector", 3: "Chapter 3 Municipal policy",
            4: "Chapter 4 Supervision and enforcement"}
FILL_VARIABLES = ["measurement week", "gender", "type of work", "origin", "age", "price", "municipality"]


ADS_TEXT = {
    "sandbox": "ads: SANDBOX (the embedded simulated ad sites, invented advertisers)",
    "real": "ads: real (collected from the public ad sites)",
    "none": "ads: none (no ads collected for this year)",
}
SURVEY_TEXT = {
    "synthetic": "survey: SYNTHETIC export (invented answers)",
    "delivered": "survey: delivered municipal export",
    "none": "survey: none (no municipal survey export for this year)",
}


def first_line(year: str, *, ads: str, survey: str) -> str:
    """The report's first line: the nature of each input on its own (ads: sandbox/real/none; survey:
    synthetic/delivered/none), and a SYNTHETIC DATA warning when either input is invented."""
    if ads not in ADS_TEXT or survey not in SURVEY_TEXT:
        raise ValueError(f"unknown input nature: ads={ads!r}, survey={survey!r}")
    inputs = f"{ADS_TEXT[ads]}; {SURVEY_TEXT[survey]}"
    if ads == "sandbox" or survey == "synthetic":
        invented = " and ".join(n for n, s in (("ads", ads == "sandbox"), ("survey", survey == "synthetic")) if s)
        return (f"SYNTHETIC DATA: measurement year {year}, {inputs}. The numbers resting on the invented {invented} "
                "are not real measurements.")
    return f"Nulmeting sex work sector, measurement year {year}: {inputs}."


def _units(inputs: dict, year: str) -> pd.DataFrame:
    u = inputs.get("units")
    if u is None or u.empty:
        return pd.DataFrame(columns=["measurement year", "method", "units", "published 2020"])
    facts = published_chapter2()["facts"]
    out = u.rename(columns={"measurement_year": "measurement year"})[["measurement year", "method", "units"]].copy()
    out["units"] = out["units"].astype(int)
    out["published 2020"] = [facts["unique_ads"] if m == "report" else None for m in out["method"]]
    out["published 2020"] = out["published 2020"].astype("Int64").astype(str).replace("<NA>", "–")
    return out


KEY_FIGURES = [  # (label, table, table_id, row, column, stat)
    ("female (%)", "ads.gender_table", "2.6", "female", "gender", "percent"),
    ("offers (also) home reception (%)", "ads.work_type_table", "2.7", "(also) home", "offers", "percent"),
    ("mean hourly price, all (EUR)", "ads.price_table", "2.2", "mean", "all", "mean"),
    ("mean stated age, all", "ads.age_table", "2.3", "mean", "all", "mean"),
    ("Dutch origin (%)", "ads.origin_table", "2.10", "netherlands", "all", "percent"),
    ("terms indicating licensed work (%)", "ads.licensed_signals", "2.6t", "total", "indicates licensed work", "percent"),
]


def _methods(inputs: dict, year: str) -> pd.DataFrame:
    rows = []
    for label, table, tid, row, col, stat in KEY_FIGURES:
        f = inputs.get(table)
        if f is None or f.empty:
            continue
        f = f[(f["measurement_year"] == year) & (f["table_id"] == tid) & (f["row"] == row) & (f["column"] == col)
              & (f["stat"] == stat)].set_index("method")["value"]
        rows.append({"figure": label, "report method": f.get("report"), "linked advertisers": f.get("linked")})
    return pd.DataFrame(rows, columns=["figure", "report method", "linked advertisers"])


def _fill(inputs: dict) -> pd.DataFrame:
    f = inputs.get("fill_rates")
    pub = published_chapter2()["fill_rates"]
    rows = []
    for v in FILL_VARIABLES:
        ours = None if f is None or f.empty or pd.isna(f[v].iloc[0]) else float(f[v].iloc[0])
        rows.append({"variable": v, "filled (% of ads collected)": ours, "published 2020 (%)": float(pub[v])})
    return pd.DataFrame(rows)


def _sites(inputs: dict) -> pd.DataFrame:
    s = inputs.get("sites")
    pub = published_chapter2()["facts"]["source_share_percent"]
    if s is None or s.empty:
        return pd.DataFrame(columns=["site", "ads collected", "share (%)", "published 2020 (%)"])
    total = s["ads"].sum()
    return pd.DataFrame({"site": s["site"], "ads collected": s["ads"].astype(int),
                         "share (%)": 100 * s["ads"] / total,
                         "published 2020 (%)": [float(pub.get(x, float("nan"))) for x in s["site"]]})




def _policy_counts(inputs: dict, year: str) -> pd.DataFrame | None:
    p = inputs.get("policy_typology")
    if p is None or p.empty:
        return None
    p = p[p["measurement_year"] == year]
    counts = p.groupby("typology", as_index=False)["municipalities"].sum().sort_values("municipalities", ascending=False)
    # disclosure control as for the survey tables: 1..MIN_CELL-1 municipalities are not shown
    small = counts["municipalities"].between(1, MIN_CELL - 1)
    counts["municipalities"] = counts["municipalities"].astype(object).where(~small, "[s]")
    return counts


ENFORCEMENT_COLUMNS = {  # column of survey.enforcement_trends -> printed heading
    "item": "item", "period": "period", "total": "total", "municipalities": "municipalities", "base_n": "N",
    "percent": "%", "largest_share": "largest municipality (% of total)",
    "total_without_largest": "total without the largest", "total_without_dominant": "total without a dominant one",
}


def enforcement_tables(enf: pd.DataFrame | None, year: str) -> list[Extra]:
    """Appendix C's enforcement trends: one narrow table per survey table (4.16, 4.17, ...), not one raw dump.

    Rows that rest on a few unprinted municipalities stay hidden ([s]); columns without any value in a table are
    left out; the largest municipality's share is printed as a percentage.
    """
    if enf is None or enf.empty:
        return []
    e = enf[enf["measurement_year"] == year]
    out = []
    for table_id, t in e.groupby("table_id", sort=False):
        cols = [c for c in ENFORCEMENT_COLUMNS if c in t and (c in ("item", "period") or t[c].notna().any())]
        f = t[cols].copy()
        if "largest_share" in f:
            f["largest_share"] = 100 * f["largest_share"].astype(float)
        if "suppressed" in t and t["suppressed"].any():
            numbers = [c for c in cols if c not in ("item", "period")]
            f = f.astype({c: object for c in numbers})
            f.loc[t["suppressed"].astype(bool).to_numpy(), numbers] = "[s]"
        f = f.rename(columns=ENFORCEMENT_COLUMNS).reset_index(drop=True)
        label = str(table_id)
        out.append(Extra(f"Enforcement trends {label}", f"Enforcement per year (survey table {label}), with and without "
                         "the largest municipality", f, text_columns=("item",),
                         missing_note="– not stated: the survey has no value for this row and column "
                                      "(the question does not ask it, or no municipality answered it)."))
    return out


def year_comparison_frame(yc: pd.DataFrame) -> pd.DataFrame:
    """The year comparison as printed: a value without a number says why in its own cell ('[s]' when suppressed,
    'not asked / not answered' otherwise), never 0 or a bare dash."""
    f = yc.drop(columns=["synthetic"], errors="ignore").reset_index(drop=True)
    if "status" not in f or "value" not in f:
        return f
    f["value"] = f["value"].astype(object)
    empty = f["value"].isna() | (f["status"] != "value")
    f.loc[empty, "value"] = ["[s]" if s == "suppressed" else ("not asked / not answered" if s == "value" else s)
                               for s in f.loc[empty, "status"]]
    return f


def build_document(inputs: dict, year: str, *, ads: str, survey: str, figures, quality: pd.DataFrame,
                   municipalities=None, boundaries=None, code_version: str = "", generated: str = "",
                   questionnaire: str | None = None) -> tuple[Document, list[Item]]:
    items = build_items(inputs, year, figures, municipalities, boundaries)
    for item in items:  # the validation sample's accuracy beside every table that rests on text mining
        if item.chapter == 2:
            item.notes.extend(accuracy_notes(inputs, year, item.source_table))
    estimate = licence_estimate_item(inputs, year)
    chapters = []
    for ch, title in CHAPTERS.items():
        its = [i for i in items if i.chapter == ch]
        if ch == 2:  # the national estimate follows Table 2.1 (section 2.2)
            pos = next((k for k, i in enumerate(its) if i.id == "Table 2.1"), 0) + 1
            its = its[:pos] + [estimate] + its[pos:]
        chapters.append((title, its))
    weeks = weeks_of_year(year)
    earlier = sorted({str(y) for f in inputs.values() if isinstance(f, pd.DataFrame) and "measurement_year" in f
                      for y in f["measurement_year"].unique() if str(y) < year})
    intro = [
        f"Measurement year {year}: weekly measurements from {weeks[0]} to {weeks[-1]}; municipal survey of {int(year) + 1}.",
        f"Every table and figure of chapters 2-4 of the nulmeting in the report's order and numbering. Each cell shows "
        f"the {year} value, the value published for 2020 where there is one, and earlier measurement years present in "
        f"the warehouse ({', '.join(earlier) if earlier else 'none'}).",
        "Chapter 2 uses the report's own method (unique ads); the improved linkage (advertisers) is given in the method "
        "notes. Survey cells marked [s] are suppressed (small counts).",
        f"Code version {code_version}; generated {generated}.",
    ]
    units = _units(inputs, year)
    dedup = inputs.get("dedup")
    fill = inputs.get("fill_rates")
    n_collected = int(fill["ads"].iloc[0]) if fill is not None and len(fill) else 0
    n_unique_week = int(dedup["unique_ads"].iloc[0]) if dedup is not None and len(dedup) else 0
    facts = published_chapter2()["facts"]
    method_notes = [
        "Sources: the ads of three public ad sites (kinky, sexjobs, topescortbabes), collected every week (Tuesday) of "
        "the measurement year, and the municipal survey (full questionnaire plus a short follow-up on policy).",
        *([f"Questionnaire of {year}: {questionnaire}."] if questionnaire else []),
        "Survey cells without a value say why in the cell: 'not answered' (the question was asked, but every "
        "municipality asked left it empty; item non-response has its own 'no answer' row) or 'not asked' (the year's "
        "questionnaire has no such question or period, or its routing asked no municipality); neither is ever "
        "counted as 0. The year comparison marks the same as 'not asked / not answered'.",
        f"Ads collected in {year}: {n_collected:,} ad observations (published 2020: {facts['ads_collected']:,}); after "
        f"deduplication between sites within each week: {n_unique_week:,} weekly unique ads.",
        "Deduplication between sites: within a week, ads with the same phone number and municipality are one ad "
        "(the kinky ad is kept). Within a site over the year (the report's method): the same ad code and name are one "
        "unique ad. Improved linkage (method 'linked') joins ads of the same advertiser across codes, names and sites "
        "with a probabilistic model (splink: phone, name, near-identical text, municipality, age, origin); it is shown here as a method note, not in the published comparison.",
        "Linkage accuracy: the report method counts unique ads, the linked method advertisers; the difference shows how "
        "far the report's count overstates the number of sex workers advertising (table below).",
        "Extrapolation (section 2.2): the report divides the licences counted by responding municipalities by their "
        "share of all municipalities; the stratified estimators weight each size class by its own response (see "
        "'Estimate 2.2').",
        "Privacy: aggregates only. No names, phone numbers or ad codes are stored in the tables read here (keyed "
        "pseudonyms only); municipalities are named only in the top-ten tables (2.4, 2.5b, Figure 2.12); the map of "
        "Figure 2.11 is an image; no survey answer of a single municipality is shown.",
    ]
    method_tables = [
        Extra("Method: units", "Linkage: unique ads (report method) versus linked advertisers", units),
        Extra("Method: key figures by method", "Key figures under both methods", _methods(inputs, year)),
        Extra("Method: sites", "Ads collected per site (before deduplication)", _sites(inputs),
              ["Published 2020: shares of the 365,140 ads collected (Bijlage 5, Figure 6.1)."]),
    ]
    q = quality[~quality["asset"].str.startswith("report/")] if len(quality) else quality
    n_pass = int((q["status"] == "passed").sum()) if len(q) else 0
    n_fail = int((q["status"] == "failed").sum()) if len(q) else 0
    n_none = int((q["status"] == "no result").sum()) if len(q) else 0
    quality_notes = [
        f"Asset checks of the code location for {year} (yearly checks: the year's partition; weekly checks: the weeks of "
        f"the year; latest evaluation each): {n_pass} passed, {n_fail} failed, {n_none} without a result, "
        f"{len(q) - n_pass - n_fail - n_none} incomplete.",
        "Fill rates are shares of all ads collected before deduplication, as in Bijlage 5 of the nulmeting.",
    ]
    quality_tables = [
        Extra("Quality: fill rates", "Fill rates of the extracted variables", _fill(inputs)),
        accuracy_extra(inputs, year),
        Extra("Quality: checks", "Asset check results", q.reset_index(drop=True)),
    ]
    appendices = []
    texts = text_items(inputs, year)
    if texts:
        appendices.append(("Appendix A Survey figures quoted in the text", texts))
    response = [survey_item(t, f"Table {t}", 0, "B2", inputs, year, source="survey.response_overview")
                for t in ("B2.1", "B2.2")]
    response += [survey_item(t, f"Text {t.split(':', 1)[1]}", 0, "B2", inputs, year, source="survey.response_overview")
                 for t in ("text:response", "text:followup")]
    appendices.append(("Appendix B Response to the survey (Bijlage 2)", response))
    extra = []
    extra += enforcement_tables(inputs.get("survey.enforcement_trends"), year)
    pol = _policy_counts(inputs, year)
    if pol is not None:
        extra.append(Extra("Policy typology", "Policy typology (number of municipalities per type)", pol))
    yc = inputs.get("year_comparison")
    if yc is not None and len(yc):
        extra.append(Extra("Year comparison", "Key indicators over measurement years", year_comparison_frame(yc)))
    wrs = inputs.get("ads.wrs_indicators")
    if wrs is not None and len(wrs) and (wrs["measurement_year"] == year).any():
        w = wrs[wrs["measurement_year"] == year]
        summary = w.groupby("series")["value"].agg(["min", "mean", "max"]).reset_index()
        extra.append(Extra("Wrs indicators", "Weekly indicators the Wrs is expected to change (min / mean / max over the weeks)",
                           summary))
    missing = [n for n, key in (("enforcement trends", "survey.enforcement_trends"),
                                ("policy typology", "policy_typology"), ("year comparison", "year_comparison"))
               if inputs.get(key) is None or inputs.get(key).empty]
    if missing:
        extra.append(Extra("Not yet available", "Survey outputs not yet available",
                           pd.DataFrame({"output": missing, "status": "not materialised"})))
    appendices.append(("Appendix C Policy, enforcement and indicators", extra))
    doc = Document(year=year, title=f"Sex work in the Netherlands: measurement year {year}",
                   first_line=first_line(year, ads=ads, survey=survey), intro=intro, chapters=chapters, method_notes=method_notes,
                   method_tables=method_tables, quality_notes=quality_notes, quality_tables=quality_tables,
                   appendices=appendices)
    all_items = [i for _, its in chapters for i in its] + [e for _, es in appendices for e in es if isinstance(e, Item)]
    return doc, all_items


def index_frame(items: list[Item], year: str, synthetic: bool) -> pd.DataFrame:
    listed = {s["id"] for s in published_list()}
    return pd.DataFrame([dict(measurement_year=year, position=k, item_id=i.id, kind=i.kind, chapter=i.chapter,
                              title=i.title, in_published_list=i.id in listed, source_table=i.source_table,
                              source_id=i.source_id, cells=i.n_cells, published_cells=i.n_published,
                              suppressed_cells=i.n_suppressed, available=i.available, synthetic=synthetic)
                         for k, i in enumerate(items)])
