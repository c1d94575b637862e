"""The sampled ads' pages from the encrypted raw snapshots: ad code, title, text and form fields (memory only)."""

from __future__ import annotations

import pandas as pd

from sekswerk_assets.extraction.sites import ParseError, parse_page
from sekswerk_assets.lib.snapshots import SnapshotStore
from sekswerk_assets.validation.values import extracted_values


def available(frame: pd.DataFrame, store: SnapshotStore) -> pd.Series:
    """Whether each frame row's site-week snapshot is still kept (the coder needs the page)."""
    kept = {(s, w): store.exists(s, w) for s, w in set(zip(frame["site"], frame["measurement_week"]))}
    return pd.Series([kept[(s, w)] for s, w in zip(frame["site"], frame["measurement_week"])], index=frame.index)


def fields_text(raw) -> str:
    lines = [f"{k}: {v}" for k, v in raw.fields.items()]
    lines += [f"rate {k.replace('|', ' / ')}: {v}" for k, v in raw.rates.items()]
    return "\n".join(lines)


def sheet_rows(sample: pd.DataFrame, store: SnapshotStore, pseudonyms) -> tuple[list[dict], int]:
    """Coding-sheet rows in sample order and the number of sampled ads whose page could not be read."""
    wanted = {(s, w): set() for s, w in zip(sample["site"], sample["measurement_week"])}
    for s, w, a in zip(sample["site"], sample["measurement_week"], sample["ad_pseudo"]):
        wanted[(s, w)].add(a)
    pages: dict[tuple[str, str], dict] = {}
    for (site, week), pseudos in wanted.items():
        # decrypt only the pages that can be sampled: a manifest ad code names the page's pseudonym
        # without reading it; a page without one is read and parsed for its own code (as in extraction)
        manifest = store.manifest(site, week)
        manifest = manifest[(manifest["page_type"] == "ad").to_numpy()]
        keep = [code is None or pseudonyms.code(site, code) in pseudos for code in manifest["ad_code"].tolist()]
        records = manifest[keep].to_dict("records")
        if not records:
            continue
        for mrow, body in store.pages(site, week, records=records):
            code, raw = mrow["ad_code"], None
            if code is None:  # as in extraction: the page's own code, else the URL pseudonym
                try:
                    raw = parse_page(site, body)
                except ParseError:
                    continue
                code = raw.ad_code
            pseudo = pseudonyms.code(site, code) if code is not None else pseudonyms.url(mrow["url"], site)
            if pseudo not in pseudos or (site, pseudo) in pages:
                continue
            try:
                raw = raw or parse_page(site, body)
            except ParseError:
                continue
            pages[(site, pseudo)] = {"ad_code": str(code if code is not None else raw.ad_code or ""),
                                     "title": raw.title, "text": raw.text, "fields": fields_text(raw)}
    rows, unread = [], 0
    for rec in sample.to_dict("records"):
        page = pages.get((rec["site"], rec["ad_pseudo"]))
        if page is None:
            unread += 1
            page = {"ad_code": "", "title": "", "text": "(page not found in the raw snapshot)", "fields": ""}
        ext = extracted_values(rec)
        rows.append({"sample_id": rec["sample_id"], "site": rec["site"], "measurement_week": rec["measurement_week"],
                     **page, **{f"extracted_{k}": v for k, v in ext.items()}})
    return rows, unread
