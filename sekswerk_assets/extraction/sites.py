"""One parser per ad site: the pre-filled fields and the free text of an ad page (selectolax/lexbor).

A parser returns a :class:`RawAd` with clear values; it never stores anything. Parsing
problems raise :class:`ParseError` with a short reason that contains no page content
(it ends up in the ``parse_error`` column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser

PARSER_VERSION = "2.2.0"  # code_version of ads/parsed_ads: site parsers and text-mining rules (2.0: issue 8 rework; 2.1: first names via Faker; 2.2: name Bloom filter column, exact 64-bit hashes in weeks with unparsed pages, gender rules)


class ParseError(Exception):
    """An ad page that cannot be parsed; ``str(exc)`` is a content-free reason."""


@dataclass
class RawAd:
    """Clear values read from one ad page (kept in memory only)."""

    ad_code: str | None = None
    name: str | None = None
    phone: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # gender, age, origin, place, type, price
    rates: dict[str, str] = field(default_factory=dict)  # TEB rates table: incall / outcall (1 hour)
    text: str = ""
    title: str = ""


def _text(node, sep: str = " ") -> str:
    return node.text(deep=True, separator=sep, strip=True) if node is not None else ""


def _check_complete(body: bytes) -> None:
    if not body:
        raise ParseError("empty page")
    if b"</html>" not in body[-200:].lower():
        raise ParseError("truncated page (no </html>)")


def _tree(body: bytes) -> LexborHTMLParser:
    _check_complete(body)
    return LexborHTMLParser(body.decode("utf-8", errors="replace"))


@lru_cache(maxsize=1024)  # a site has a handful of labels
def _norm_label(label: str) -> str:
    return re.sub(r"[\s:]+$", "", label.strip()).casefold()


KINKY_LABELS = {"naam": "name", "telefoon": "phone", "geslacht": "gender", "leeftijd": "age", "afkomst": "origin",
                "plaats": "place", "ontvangst": "type", "tarief": "price", "prijs": "price"}
SEXJOBS_LABELS = {"naam": "name", "telefoon": "phone", "geslacht": "gender", "leeftijd": "age", "afkomst": "origin",
                  "plaats": "place", "woonplaats": "place", "diensten": "type", "tarief": "price"}
TEB_LABELS = {"gender": "gender", "age": "age", "nationality": "origin", "city": "place", "services": "type",
              "name": "name"}


def parse_kinky(body: bytes) -> RawAd:
    tree = _tree(body)
    root = tree.css_first("div.ad-detail")
    if root is None:
        raise ParseError("kinky: no div.ad-detail (layout changed?)")
    ad = RawAd(ad_code=root.attributes.get("data-ad-code"))
    ad.title = _text(root.css_first("h1.ad-title"))
    dl = root.css_first("div.quick-info dl")
    if dl is None:
        raise ParseError("kinky: no div.quick-info dl (layout changed?)")
    label = None
    for node in dl.iter():
        if node.tag == "dt":
            label = KINKY_LABELS.get(_norm_label(_text(node)))
        elif node.tag == "dd" and label:
            ad.fields[label] = _text(node)
            label = None
    body_node = root.css_first("div.ad-text")
    if body_node is None:
        raise ParseError("kinky: no div.ad-text (layout changed?)")
    ad.text = "\n".join(_text(p) for p in body_node.css("p")) or _text(body_node, "\n")
    _lift(ad)
    return ad


def parse_sexjobs(body: bytes) -> RawAd:
    tree = _tree(body)
    root = tree.css_first("article.advert-detail")
    if root is None:
        raise ParseError("sexjobs: no article.advert-detail (layout changed?)")
    ad = RawAd(ad_code=root.attributes.get("data-id"))
    ad.title = _text(root.css_first("h1"))
    table = root.css_first("table.info")
    if table is None:
        raise ParseError("sexjobs: no table.info (layout changed?)")
    for tr in table.css("tr"):
        th, td = tr.css_first("th"), tr.css_first("td")
        if th is None or td is None:
            continue
        label = SEXJOBS_LABELS.get(_norm_label(_text(th)))
        if label:
            ad.fields[label] = _text(td)
    desc = root.css_first("div.description")
    if desc is None:
        raise ParseError("sexjobs: no div.description (layout changed?)")
    ad.text = _text(desc, "\n")
    _lift(ad)
    return ad


def parse_topescortbabes(body: bytes) -> RawAd:
    tree = _tree(body)
    root = tree.css_first("div.profile")
    if root is None:
        raise ParseError("topescortbabes: no div.profile (layout changed?)")
    ad = RawAd(ad_code=root.attributes.get("data-id"))
    ad.name = _text(root.css_first("h1.profile-name")) or None
    ad.title = ad.name or ""
    details = root.css_first("table.profile-details")
    if details is None:
        raise ParseError("topescortbabes: no table.profile-details (layout changed?)")
    for tr in details.css("tr"):
        lab, val = tr.css_first("td.label"), tr.css_first("td.value")
        if lab is None or val is None:
            continue
        key = TEB_LABELS.get(_norm_label(_text(lab)))
        if key:
            ad.fields[key] = _text(val)
    rates = root.css_first("table.rates")
    if rates is not None:
        header = [(_text(th)).casefold() for th in rates.css("th")]
        for tr in rates.css("tr"):
            cells = tr.css("td")
            if not cells:
                continue
            duration = _text(cells[0]).casefold()
            for i, cell in enumerate(cells[1:], start=1):
                col = header[i] if i < len(header) else f"col{i}"
                ad.rates[f"{col}|{duration}"] = _text(cell)
    ad.text = "\n".join(_text(p) for p in root.css("div.about p")) or _text(root.css_first("div.about"), "\n")
    if "name" in ad.fields and not ad.name:
        ad.name = ad.fields.pop("name")
    return ad


def _lift(ad: RawAd) -> None:
    ad.name = ad.fields.pop("name", None) or None
    ad.phone = ad.fields.pop("phone", None) or None


PARSERS = {"kinky": parse_kinky, "sexjobs": parse_sexjobs, "topescortbabes": parse_topescortbabes}


def parse_page(site: str, body: bytes) -> RawAd:
    try:
        parser = PARSERS[site]
    except KeyError:
        raise ParseError(f"no parser for site {site!r}") from None
    return parser(body)
