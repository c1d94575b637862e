"""ads/parsed_ads on a sandbox week collected through the real server: accuracy, checks, privacy, re-runs."""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from sekswerk_assets.extraction.parse import COLUMNS

from .accuracy import join_truth, score
from .conftest import WEEK

MIN_CORRECT = 0.99
MAX_FALSE = 0.01


def test_one_row_per_observed_ad(extracted, population):
    df = extracted["df"]
    obs = population.observations
    obs = obs[obs["week"].astype(str) == WEEK]
    assert list(df.columns) == COLUMNS
    assert len(df) == len(obs)
    for site, n in obs.groupby("site").size().items():
        assert (df["site"] == site).sum() == n
    assert df["parse_ok"].all()
    assert (df["measurement_week"] == WEEK).all() and (df["measurement_year"] == "2020").all()


def test_rematerialising_gives_identical_table(extracted):
    df = extracted["df"]
    assert not df.duplicated(["site", "ad_pseudo"]).any()  # second run replaced the partition


def test_accuracy_against_ground_truth(extracted, population, capsys):
    j = join_truth(extracted["df"], population.ads, extracted["pseudonyms"])
    assert j["advertiser_id"].notna().all(), "every parsed row maps to a ground-truth ad"
    table = score(j, extracted["pseudonyms"])
    with capsys.disabled():
        print("\nextraction accuracy vs sandbox ground truth (scale 0.05, week %s):" % WEEK)
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    bad = table[(table["stated"] > 0) & (table["correct"] < MIN_CORRECT)]
    assert bad.empty, f"variables under {MIN_CORRECT:.0%} correct:\n{bad}"
    false = table[(table["not_stated"] > 0) & (table["false_wrong"] > MAX_FALSE)]
    assert false.empty, f"variables with more than {MAX_FALSE:.0%} false extractions:\n{false}"


def test_checks_pass_with_metadata(extracted, capsys):
    result = extracted["result"]
    with capsys.disabled():
        md = result.asset_materializations_for_node("ads__parsed_ads")[0].metadata
        print("\nfill rates per observation (week %s, scale 0.05):\n%s" % (WEEK, md["fill_rates"].value))
    evals = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evals) == {"parsed_ads_expectations", "unparsed_pages", "ParsedAdsModel_schema"}
    assert all(e.passed for e in evals.values()), {k: e.metadata for k, e in evals.items() if not e.passed}
    mat = result.asset_materializations_for_node("ads__parsed_ads")[0]
    md = mat.metadata
    assert md["unparsed"].value == 0
    assert md["parser_version"].value
    for var in ("type", "origin", "age", "price", "municipality"):
        assert 0 < md[f"fill/{var}"].value <= 1
    # per-observation fill rates near Bijlage 5 (98/72/96/71/98); small sample, wide band
    assert md["fill/type"].value > 0.95 and md["fill/municipality"].value > 0.95 and md["fill/age"].value > 0.92
    assert 0.55 < md["fill/origin"].value < 0.85 and 0.55 < md["fill/price"].value < 0.85


def _secrets(population, week_only=True):
    ads = population.ads
    from sekswerk_assets.sandbox.text import format_phone

    phones = set()
    for p in ads["phone"].astype(str):
        phones.add(p)
        phones.add("+31" + p[1:])
        for style in range(6):
            phones.add(format_phone(p, style))
    names = {n for n in ads["name"].astype(str) if len(n) >= 4}
    codes = set(ads["ad_code"].astype(str))
    return phones, names, codes


def test_no_clear_identifiers_in_table_logs_or_metadata(extracted, population):
    phones, names, codes = _secrets(population)
    con = duckdb.connect(extracted["db"], read_only=True)
    texts: list[str] = []
    for schema, table in extracted["tables"]:
        cols = con.execute(
            "select column_name from information_schema.columns where table_schema=? and table_name=? "
            "and data_type='VARCHAR'", [schema, table]
        ).fetchall()
        for (col,) in cols:
            texts += [v for (v,) in con.execute(f'select distinct "{col}" from "{schema}"."{table}"').fetchall() if v]
    con.close()
    table_texts = list(texts)
    texts += extracted["logs"]
    for res in (extracted["result"], extracted["again"]):
        for mat in res.get_asset_materialization_events():
            texts += [str(v.value) for v in mat.materialization.metadata.values()]
        for e in res.get_asset_check_evaluations():
            texts += [str(v.value) for v in e.metadata.values()]
    blob = "\n".join(texts)
    assert len(re.findall(r"\b[0-9a-f]{32}\b", blob)) > 1000  # the pseudonyms are there ...
    blob = re.sub(r"\b[0-9a-f]{32}\b", " ", blob)  # ... and their hex digits are not clear numbers
    for p in phones:
        assert p not in blob
    # a phone number in any spacing: digit groups joined over separators, then a run of phone length
    # (9 digits after 0, 31 or 0031) ending in a sandbox number; longer runs (timestamps) are not phones
    runs = re.findall(r"\d+", re.sub(r"(?<=\d)[ \-.()/]+(?=\d)", "", blob))
    suffixes = {p[-9:] for p in phones if p.startswith("0")}
    assert not [r for r in runs if 9 <= len(r) <= 13 and r[-9:] in suffixes], "phone digits found"
    words = set(re.findall(r"[\w'-]+", blob))
    leaked_names = names & words
    # names can coincide with ordinary words or place names used in metadata; none should appear at all here
    assert not leaked_names, f"clear names found: {len(leaked_names)}"
    # event records carry float timestamps (1764276094.3104017): their fraction digits are not codes
    # ... and digit runs inside hex strings (commit hashes in metadata) are not codes either
    tokens = set(re.findall(r"(?<![0-9A-Za-z])\d+(?![0-9A-Za-z])", re.sub(r"\d+\.\d+", " ", blob)))
    # topescortbabes codes have 5 digits, like process ids and byte counts in the logs: in logs and
    # metadata only codes of 7+ digits are distinctive; table values are checked for every code
    hits = {c for c in codes if len(c) >= 7} & tokens
    assert not hits, "clear ad codes found in logs or metadata: " + "; ".join(
        blob[max(0, m.start() - 60) : m.end() + 20] for c in sorted(hits)[:3] for m in [re.search(c, blob)]
    )
    table_blob = re.sub(r"\b[0-9a-f]{32}\b", " ", "\n".join(table_texts))
    assert not (codes & set(re.findall(r"\d+", table_blob))), "clear ad codes found in a table"
    assert "/advertentie/" not in blob and "/escort/" not in blob


def test_malformed_pages_are_counted_not_fatal(tmp_path, extracted):
    """A truncated page and a page without the ad container become unparsed rows with their reason."""
    from sekswerk_assets.lib.snapshots import PageRecord, SnapshotStore
    from sekswerk_assets.extraction.municipality import MunicipalityMatcher
    from sekswerk_assets.extraction.parse import parse_week
    from sekswerk_assets.lib.crypto import Cipher, new_key
    from sekswerk_assets.reference.loader import MunicipalityReference
    import os

    src = extracted["store"]
    store = SnapshotStore(tmp_path, Cipher(new_key()))
    pages = list(src.pages("kinky", WEEK, page_type="ad"))[:5]
    w = store.writer("kinky", WEEK)
    for i, (row, body) in enumerate(pages):
        if i == 0:
            body = body[: len(body) // 2]  # truncated
        elif i == 1:
            body = body.replace(b'class="ad-detail"', b'class="something-else"')  # layout change
        elif i == 2:
            body = b"\x00\xff garbage"
        w.add(PageRecord(page_type="ad", url=row["url"], status=200, body=body, attempts=1, ad_code=row["ad_code"]))
    w.add(PageRecord(page_type="ad", url="/advertentie/999", status=503, body=None, attempts=3, ad_code="999",
                     error="HTTP 503"))
    w.commit({"synthetic": True})
    ref = MunicipalityReference(directory=os.environ["SEKSWERK_REFERENCE_DIR"], allow_online=False)
    df, stats = parse_week(store, WEEK, extracted["pseudonyms"], MunicipalityMatcher.from_reference(ref, 2020))
    assert len(df) == 6
    assert stats.unparsed["kinky"] == 4 and stats.parsed["kinky"] == 2
    assert df["parse_ok"].sum() == 2
    reasons = set(df.loc[~df["parse_ok"], "parse_error"])
    assert any("truncated" in r for r in reasons) and any("ad-detail" in r for r in reasons)
    assert any("not fetched" in r for r in reasons)
    assert stats.missing_sites == ["sexjobs", "topescortbabes"]
    from sekswerk_assets.schemas.ads_parsed import ParsedAdsModel

    ParsedAdsModel.validate(df)


def test_pages_of_the_previous_week_are_reused_only_when_identical(tmp_path, extracted):
    """parse_week over two weeks with one matcher and pseudonymiser equals fresh runs; an edited page is re-parsed."""
    import os

    from sekswerk_assets.extraction.municipality import MunicipalityMatcher
    from sekswerk_assets.extraction.parse import parse_week
    from sekswerk_assets.lib.crypto import Cipher, new_key
    from sekswerk_assets.lib.snapshots import PageRecord, SnapshotStore
    from sekswerk_assets.reference.loader import MunicipalityReference

    src = extracted["store"]
    store = SnapshotStore(tmp_path, Cipher(new_key()))
    pages = list(src.pages("kinky", WEEK, page_type="ad"))[:40]
    weeks = [WEEK, "2020-09-08"]
    for week in weeks:
        w = store.writer("kinky", week)
        for i, (row, body) in enumerate(pages):
            if week != WEEK and i < 5:
                body = body.replace(b'class="ad-text">', b'class="ad-text"><p>Escort in Utrecht, 35 jaar.</p>', 1)
            w.add(PageRecord(page_type="ad", url=row["url"], status=200, body=body, attempts=1, ad_code=row["ad_code"]))
        w.commit({"synthetic": True})
    ref = MunicipalityReference(directory=os.environ["SEKSWERK_REFERENCE_DIR"], allow_online=False)
    ps = extracted["pseudonyms"]
    shared = MunicipalityMatcher.from_reference(ref, 2020)
    chained = [parse_week(store, week, ps, shared)[0] for week in weeks]
    fresh = [parse_week(store, week, ps, MunicipalityMatcher.from_reference(ref, 2020))[0] for week in weeks]
    for a, b in zip(chained, fresh):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    # the five edited pages changed their text hash (re-parsed), the other 35 kept theirs
    first, second = (df.set_index("ad_pseudo")["text_hash"] for df in fresh)
    assert (first != second.reindex(first.index)).sum() == 5


def test_layout_change_of_ad_pages_fails_fill_rate_check(extracted):
    """If a site's ad pages lose their fields, the per-site fill-rate expectations fail."""
    from sekswerk_assets.defs.extraction.assets import expectations_result

    df = extracted["df"].copy()
    kinky = df["site"] == "kinky"
    df.loc[kinky, ["age"]] = pd.NA
    df.loc[kinky, "age_under_18"] = False
    res = expectations_result(df)
    assert not res.passed
    assert "kinky" in res.metadata["failed_suites"].value


def test_accuracy_on_every_sandbox_ad_rendered(capsys):
    """Every ad page of a scale-0.3 population (rendered in-process, same bytes the server sends).

    The collected week above has too few ads for the rare variables (licensed terms, licence
    numbers, transgender mentions); this covers all of them.
    """
    import os

    from sekswerk_assets.extraction.municipality import MunicipalityMatcher
    from sekswerk_assets.extraction.parse import _empty_row, parse_ad, to_frame
    from sekswerk_assets.lib.crypto import new_key
    from sekswerk_assets.lib.pseudonym import Pseudonymizer
    from sekswerk_assets.reference.loader import MunicipalityReference
    from sekswerk_assets.sandbox import load_config, simulate
    from sekswerk_assets.sandbox.render import Renderer

    pop = simulate(load_config(scale=0.3))
    ref = MunicipalityReference(directory=os.environ["SEKSWERK_REFERENCE_DIR"], allow_online=False)
    matcher = MunicipalityMatcher.from_reference(ref, 2020)
    ps = Pseudonymizer(new_key())
    rows = []
    for site in ("kinky", "sexjobs", "topescortbabes"):
        r = Renderer(pop, site)
        render = {"kinky": r.kinky_ad, "sexjobs": r.sexjobs_ad, "topescortbabes": r.teb_ad}[site]
        for i, rec in enumerate(r.records):
            row = _empty_row(WEEK, site)
            out, _ = parse_ad(site, render(i), matcher, ps)
            row.update(out, parse_ok=True, ad_pseudo=ps.code(site, rec["ad_code"]), url_pseudo=ps.url(r.ad_url(i), site))
            rows.append(row)
    df = to_frame(rows)
    table = score(join_truth(df, pop.ads, ps), ps)
    with capsys.disabled():
        print(f"\nextraction accuracy on all {len(df)} sandbox ads (scale 0.3, rendered):")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    assert (table.loc[table["stated"] > 0, "correct"] >= MIN_CORRECT).all()
    assert (table.loc[table["not_stated"] > 0, "false_wrong"] <= MAX_FALSE).all()
    # raw false extractions (values equal to the truth included) are printed above: pages whose only
    # type statement is a massage price line ("Massage 1 uur 120,-") have type_stated=False in the truth
