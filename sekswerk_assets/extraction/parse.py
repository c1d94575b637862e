"""Parse one week of raw snapshots into pseudonymised ad observations (one row per ad page).

A page that fails to parse never loses the week: it becomes a row with ``parse_ok=False``
and a content-free ``parse_error`` (and is counted in the stats). Clear identifiers and
texts live only in memory while a page is processed.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sekswerk_assets.collection.adapters import SITES
from sekswerk_assets.extraction import textmining as tm
from sekswerk_assets.extraction.municipality import MunicipalityMatcher, norm, region_context
from sekswerk_assets.extraction.sites import PARSER_VERSION, ParseError, RawAd, parse_page
from sekswerk_assets.partitions import year_of_week

COLUMNS = [
    "measurement_week", "measurement_year", "site", "ad_pseudo", "url_pseudo", "phone_pseudo", "name_pseudo",
    "text_hash", "text_simhash", "gender", "transgender", "type_stated", "work_home", "work_escort", "work_massage",
    "origin_country", "origin_region", "age", "age_under_18", "price_hour", "price_home", "price_escort", "gm_code",
    "municipality_match", "licensed_terms", "licensed_indicated", "licence_number", "kvk_number", "parse_ok",
    "parse_error", "name_bloom",
]
STR_COLS = ["measurement_week", "measurement_year", "site", "ad_pseudo", "url_pseudo", "phone_pseudo", "name_pseudo",
            "text_hash", "gender", "origin_country", "origin_region", "gm_code", "municipality_match",
            "licensed_terms", "parse_error"]
BOOL_COLS = ["transgender", "type_stated", "work_home", "work_escort", "work_massage", "age_under_18",
             "licensed_indicated", "licence_number", "kvk_number", "parse_ok"]
FLOAT_COLS = ["price_hour", "price_home", "price_escort"]
INT_COLS = ["text_simhash", "age", "name_bloom"]
_PHONE_IN_TEXT = re.compile(r"(?:\+|00)\s?31\s?(?:\(0\))?[\s-]?\d(?:[\s-]?\d){8}|\b0\d(?:[\s-]?\d){8}\b")


@dataclass
class WeekStats:
    """Counts only: nothing identifying."""

    week: str
    pages: Counter = field(default_factory=Counter)  # site -> ad pages seen in the manifest
    parsed: Counter = field(default_factory=Counter)  # site -> parsed ok
    unparsed: Counter = field(default_factory=Counter)  # site -> parse failures + unfetched
    reasons: Counter = field(default_factory=Counter)  # reason -> count
    missing_sites: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total_unparsed(self) -> int:
        return int(sum(self.unparsed.values()))


def _empty_row(week: str, site: str, year: str | None = None) -> dict:
    row = dict.fromkeys(COLUMNS)
    row.update(measurement_week=week, measurement_year=year or year_of_week(week), site=site, municipality_match="none",
               licensed_terms="")
    for c in BOOL_COLS:
        row[c] = False
    return row


def _price_from_rates(rates: dict[str, str]) -> tm.PriceResult:
    """TEB rates table: Incall / Outcall per duration row ('1 hour', '30 min', ...)."""
    res = tm.PriceResult()
    home, escort = {}, {}
    for key, val in rates.items():
        col, duration = key.split("|", 1)
        m = re.search(r"\d{2,4}", val.replace(".", ""))
        if not m:
            continue
        d = tm._duration(tm.fold(duration)) if duration else ""
        hours = 1.0 if d in ("", None) else d
        if d is None:
            continue
        hourly = int(m.group(0)) / hours
        target = home if "in" in col else escort if "out" in col else None
        if target is not None:
            target[hours] = hourly
    for src, attr in ((home, "home"), (escort, "escort")):
        for pref in (1.0, 0.5, 2.0, 1.5, 3.0):
            if pref in src:
                setattr(res, attr, float(src[pref]))
                break
    typed = [v for v in (res.home, res.escort) if v is not None]
    res.hour = min(typed) if typed else None
    return res


def extract(site: str, raw: RawAd, matcher: MunicipalityMatcher) -> dict:
    """Clear field values -> the extracted variables (no pseudonyms; no identifiers)."""
    f = raw.fields
    text = raw.text or ""
    out: dict = {}
    # gender and transgender
    out["gender"] = tm.gender_from_field(f.get("gender")) or (
        (tm.gender_from_text(text) or tm.gender_from_name(text, raw.name, lambda w: norm_place(w) in matcher.index))
        if "gender" not in f else None)
    out["transgender"] = tm.transgender(text) or ("trans" in tm.fold(f.get("gender", "")))
    # work types
    types = tm.work_types_from_field(f.get("type")) or tm.work_types_from_text(text)
    out["type_stated"] = types is not None
    h, e, m = types or (False, False, False)
    out["work_home"], out["work_escort"], out["work_massage"] = h, e, m
    # origin
    country = tm.country_from_field(f.get("origin")) or tm.country_from_text(text)
    out["origin_country"] = country
    # a region named without a country ("Oost-Europese dame") gives the region only
    out["origin_region"] = tm.region_of(country) if country else tm.region_from_text(text)
    # age
    age = tm.age_from_field(f.get("age"))
    if age is None:
        age = tm.age_from_text(text)
    out["age"] = age
    out["age_under_18"] = age is not None and age < 18
    # prices: site field / rates table first, then the free text
    pr = None
    if raw.rates:
        pr = _price_from_rates(raw.rates)
    if (pr is None or not pr.found) and f.get("price"):
        pr = tm.parse_prices(f["price"])
    if pr is None or not pr.found:
        pr = tm.parse_prices(text)
    home, escort = pr.home, pr.escort
    if pr.hour is not None and home is None and escort is None and pr.massage is None and types is not None:
        # one price for every offered type (the ground truth's convention)
        home = pr.hour if h else None
        escort = pr.hour if e else None
    out["price_hour"], out["price_home"], out["price_escort"] = pr.hour, home, escort
    # municipality
    code, method = None, "none"
    if f.get("place"):
        code, method = matcher.match(f["place"])
    if code is None:
        code, method = match_place_in_text(text, matcher)
    if code is None:
        code, method = scan_place_names(text, matcher, exclude=raw.name)
    out["gm_code"], out["municipality_match"] = code, method
    # licensed-work terms
    lic = tm.licensed_terms(text)
    out["licensed_terms"] = ",".join(lic.terms)
    out["licensed_indicated"] = lic.indicated
    out["licence_number"] = lic.licence_number
    out["kvk_number"] = lic.kvk_number
    out["vergunning_term"] = lic.vergunning  # not a parsed_ads column: the report's Table 2.6 has four terms
    return out


def match_place_in_text(text: str, matcher: MunicipalityMatcher) -> tuple[str | None, str]:
    """The first place after a location cue that the matcher knows (no fuzzy matching in free text).

    Base cues (where the advertiser lives or receives) come before service areas; provinces and
    regions ("provincie Utrecht", "Groningen en Drenthe", "Zeeland") are skipped.
    """
    for cand in tm.place_candidates(text):
        words = cand.split()
        if words and norm_place(words[0]) in ("provincie", "province", "prov"):
            continue
        for n in range(len(words), 0, -1):
            sub = " ".join(words[:n])
            # a misspelled capitalised name after a cue ("in Utreht"): fuzzy, single words of 6+ letters
            fuzzy = n == 1 and sub[:1].isupper() and len(sub) >= 6
            code, method = matcher.match(sub, fuzzy)
            if method == "fuzzy" and not _fuzzy_ok(sub, matcher):
                code, method = None, "none"
            if code is None:
                continue
            if region_context("", norm_place(sub), " " + " ".join(words[n:])):
                break
            # lower-case words after 'in' are ordinary words unless they are a municipality's own name
            if not sub[:1].isupper() and method not in ("exact", "alias"):
                continue
            return code, method
    return None, "none"


def _fuzzy_ok(word: str, matcher: MunicipalityMatcher) -> bool:
    """Fuzzy matches in free text need a stricter score than fields (90) and a shared first letter."""
    from rapidfuzz import fuzz, process

    key = norm_place(word)
    best = process.extractOne(key, matcher._long_keys, scorer=fuzz.ratio, score_cutoff=90)
    return bool(best) and best[0][:1] == key[:1]


_WORD = re.compile(r"[A-Za-zÀ-ÿ'’][\w'’.-]*")
_NAME_CUE = re.compile(r"(?:ik ben|i am|i'm|my name is|mijn naam is|naam:?|hier|name:?)\s*$", re.I)


def scan_place_names(text: str, matcher: MunicipalityMatcher, exclude: str | None = None) -> tuple[str | None, str]:
    """Fallback: a capitalised municipality name or alias anywhere in the text ('Amsterdam, 25, incall').

    Only exact names and aliases count here (not woonplaatsen, which are often ordinary words or
    first names), never right after 'ik ben' / 'my name is', never the advertiser's own name.
    """
    words = list(_WORD.finditer(text))
    ends = [w.end() for w in words]
    skip = {exclude.casefold()} if exclude else set()
    index = matcher.index
    for i, w in enumerate(words):
        g = w.group(0)
        if not g[:1].isupper() and not g.startswith(("'s", "’s")):
            continue
        start = w.start()
        if _NAME_CUE.search(text[max(0, start - 14) : start]):
            continue
        for n in range(min(4, len(words) - i), 0, -1):
            span = text[start : ends[i + n - 1]].rstrip(".")
            if skip and span.casefold() in skip:
                continue
            key = norm(span)
            hit = index.get(key)
            if hit is None and n == 1 and "-" in span:
                # "Rotterdam-based", "Tilburg-Reeshof", "Utrecht-Oost": the city before the hyphen
                key = norm(span.split("-", 1)[0])
                hit = index.get(key) if len(key) >= 3 else None
            if hit and hit[1] in ("exact", "alias") and len(span) >= 3:
                before = text[max(0, start - 40) : start]
                after = text[ends[i + n - 1] : ends[i + n - 1] + 40]
                if region_context(before, key, after):
                    break
                return hit
    return None, "none"


norm_place = norm  # the matcher's comparison key of a place as written


def phone_of(raw: RawAd) -> str | None:
    if raw.phone:
        return raw.phone
    m = _PHONE_IN_TEXT.search(raw.text or "")
    return m.group(0) if m else None


def parse_ad(site: str, body: bytes, matcher: MunicipalityMatcher, pseudonyms) -> tuple[dict, RawAd]:
    """Parse and extract one page; raises ParseError. Returns (extracted + pseudonyms, raw)."""
    raw = parse_page(site, body)
    out = extract(site, raw, matcher)
    out["phone_pseudo"] = pseudonyms.phone(phone_of(raw)) if site != "topescortbabes" or raw.phone else None
    out["name_pseudo"] = pseudonyms.name(raw.name)
    out["name_bloom"] = pseudonyms.name_bloom(raw.name)
    out["text_hash"], out["text_simhash"] = pseudonyms.text_pseudonyms(raw.text or None)
    return out, raw


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while a week is parsed (its objects are short-lived and acyclic: the
    collector would only walk the matcher's tables again and again); the previous state comes back after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_week(store, week: str, pseudonyms, matcher: MunicipalityMatcher, sites=SITES) -> tuple[pd.DataFrame, WeekStats]:
    """All ad pages of ``week`` on every site with a snapshot -> (typed DataFrame, counts)."""
    with _gc_paused():
        return _parse_week(store, week, pseudonyms, matcher, sites)


def _parse_week(store, week: str, pseudonyms, matcher: MunicipalityMatcher, sites) -> tuple[pd.DataFrame, WeekStats]:
    t0 = time.perf_counter()
    stats = WeekStats(week=week)
    rows: list[dict] = []
    year = year_of_week(week)
    for site in sites:
        if not store.exists(site, week):
            stats.missing_sites.append(site)
            continue
        template = _empty_row(week, site, year)
        ads = store.manifest_records(site, week, page_type="ad")  # read once, iterated as dicts
        previous = _previous_pages(matcher, pseudonyms, site)
        current: dict[bytes, tuple[dict, RawAd]] = {}
        seen: set[str] = set()
        for mrow, body in store.pages(site, week, page_type="ad", records=ads):
            code = mrow["ad_code"]
            key = str(code) if code is not None else f"url:{mrow['url']}"
            if key in seen:
                continue
            row = template.copy()
            row["url_pseudo"] = pseudonyms.url(mrow["url"], site)
            stats.pages[site] += 1
            try:
                if not bool(mrow["ok"]):
                    raise ParseError(f"fetch failed (status {int(mrow['status'])})")
                digest = hashlib.sha256(body).digest()
                hit = previous.get(digest) or current.get(digest)
                if hit is None:
                    hit = current[digest] = parse_ad(site, body, matcher, pseudonyms)
                else:
                    current[digest] = hit
                out, raw = hit
                code = code if code is not None else raw.ad_code
                row.update(out)
                row["parse_ok"] = True
                stats.parsed[site] += 1
            except Exception as exc:  # one bad page never fails the week
                reason = str(exc) if isinstance(exc, ParseError) else f"{type(exc).__name__} in parser"
                row["parse_error"] = reason
                stats.unparsed[site] += 1
                stats.reasons[reason] += 1
            row["ad_pseudo"] = pseudonyms.code(site, code) if code is not None else row["url_pseudo"]
            seen.add(key)
            rows.append(row)
        # listed ads whose page was never stored (fetch failed after retries)
        for mrow in ads:
            code = mrow["ad_code"]
            key = str(code) if code is not None else f"url:{mrow['url']}"
            if key in seen:
                continue
            seen.add(key)
            row = template.copy()
            row["url_pseudo"] = pseudonyms.url(mrow["url"], site)
            row["ad_pseudo"] = pseudonyms.code(site, code) if code is not None else row["url_pseudo"]
            reason = f"not fetched (status {int(mrow['status'])})"
            row["parse_error"] = reason
            stats.pages[site] += 1
            stats.unparsed[site] += 1
            stats.reasons[reason] += 1
            rows.append(row)
        _keep_pages(matcher, pseudonyms, site, current)
    df = to_frame(rows)
    stats.seconds = time.perf_counter() - t0
    return df, stats


# Most ad pages are byte for byte the same as the week before (81% in the scale-1 sandbox): a page whose
# bytes were parsed in the previous week, with the same matcher and pseudonymiser, gives the same result
# (``parse_ad`` is a pure function of them), so a run over consecutive weeks reuses it. Only the previous
# week's pages are kept (one week's results in memory), on the matcher, for that pseudonymiser object.
def _previous_pages(matcher, pseudonyms, site: str) -> dict:
    kept = getattr(matcher, "_parsed_pages", None)
    if not kept or kept[0] is not pseudonyms:
        return {}
    return kept[1].get(site, {})


def _keep_pages(matcher, pseudonyms, site: str, pages: dict) -> None:
    kept = getattr(matcher, "_parsed_pages", None)
    if not kept or kept[0] is not pseudonyms:
        kept = (pseudonyms, {})
        try:
            matcher._parsed_pages = kept
        except AttributeError:  # a matcher that takes no attributes: no reuse
            return
    kept[1][site] = pages


def to_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows -> DataFrame with the column contract's dtypes, sorted by site and ad pseudonym."""
    df = pd.DataFrame(rows, columns=COLUMNS)
    for c in STR_COLS:
        df[c] = df[c].astype("object").where(df[c].notna(), None)
    for c in BOOL_COLS:
        df[c] = df[c].fillna(False).astype(bool)
    for c in FLOAT_COLS:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    for c in INT_COLS:
        # from the row values themselves: a frame column mixing None and 64-bit hashes is float64, which would
        # drop the low bits of every simhash / name Bloom filter of the week
        df[c] = pd.array([None if (v := row.get(c)) is None or (isinstance(v, float) and np.isnan(v)) else int(v)
                          for row in rows], dtype="Int64")
    df["licensed_terms"] = df["licensed_terms"].fillna("")
    df["municipality_match"] = df["municipality_match"].fillna("none")
    return df.sort_values(["site", "ad_pseudo"], kind="stable").reset_index(drop=True)


__all__ = ["COLUMNS", "PARSER_VERSION", "WeekStats", "extract", "parse_ad", "parse_week", "to_frame"]
