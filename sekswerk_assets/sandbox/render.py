"""HTML/JSON of the three simulated sites for a given week.

The listing markup follows a fixed contract (see README); ad pages are site-specific. Pages
contain no timestamps or randomness: the bytes depend only on (seed, scale, week, url).
``layout_change`` renames the listing classes/attributes (and the JSON key) so collectors
that rely on the contract find nothing.
"""

from __future__ import annotations

import html
import json
import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .population import Population
from .text import AdContent, build_content, slugify

BANNER = '<div class="synthetic-banner">SYNTHETIC SANDBOX – invented data</div>'
KINKY_SECTIONS = ("vrouwen", "mannen", "transsexuelen", "stellen", "gay")
SEXJOBS_SECTIONS = ("dames-van-plezier", "thuisontvangst", "escort", "massage", "mannen")

ROBOTS = {
    "kinky": "User-agent: *\nAllow: /advertenties/\nAllow: /advertentie/\nDisallow: /account/\nDisallow: /berichten/\n",
    "sexjobs": "User-agent: *\nAllow: /advertenties/\nAllow: /advertentie/\nDisallow: /account/\nDisallow: /plaatsen/\n",
    "topescortbabes": "User-agent: *\nAllow: /escorts\nAllow: /escort/\nAllow: /api/escorts\nDisallow: /account/\n",
}


@dataclass(frozen=True)
class Classes:
    """Listing selectors; renamed when the layout changes."""

    kinky_list: str
    kinky_card: str
    kinky_code_attr: str
    kinky_link: str
    sj_container: str
    sj_card: str
    sj_id_attr: str
    sj_link: str
    sj_pagination: str
    teb_items_key: str
    teb_card: str
    teb_id_attr: str
    teb_grid: str


CONTRACT = Classes(
    "ad-list", "ad-card", "data-ad-code", "ad-link",
    "adverts", "advert", "data-id", "advert-link", "pagination",
    "items", "escort-card", "data-id", "escort-grid",
)
CHANGED = Classes(
    "listing-grid", "listing-item", "data-code", "listing-link",
    "results-list", "card", "data-card-id", "card-link", "pager-nav",
    "results", "profile-tile", "data-profile-id", "profile-grid",
)


class LRU:
    """A small LRU cache of rendered bodies."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        if key in self.data:
            self.data.move_to_end(key)
            return self.data[key]
        value = make()
        self.data[key] = value
        if len(self.data) > self.size:
            self.data.popitem(last=False)
        return value


def page(title: str, body: str, lang: str = "nl", head_extra: str = "") -> bytes:
    """A complete HTML page (ends with the end-of-page comment and </html>)."""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<meta name=\"robots\" content=\"noindex\">\n{head_extra}</head>\n"
        f"<body>\n{BANNER}\n{body}\n</body>\n<!-- end of page -->\n</html>\n"
    ).encode("utf-8")


class Renderer:
    """Renders the pages of one site from the simulated population."""

    def __init__(self, pop: Population, site: str, layout_change: bool = False, cache_size: int = 50000) -> None:
        self.pop = pop
        self.site = site
        self.cls = CHANGED if layout_change else CONTRACT
        self.cache = LRU(cache_size)
        ads = pop.ads_full
        self.site_rows = np.flatnonzero(ads["site"].to_numpy() == site)
        cols = [
            "ad_code", "name", "phone", "gender", "transgender", "couple", "work_home", "work_escort",
            "work_massage", "origin_country", "age", "price_home", "price_escort", "price_hour",
            "place_text", "language", "entities", "emoji", "text_seed", "phone_style", "phone_in_text",
            "term_scenario", "licence_number_mentioned", "municipality_stated", "sections",
            "text_phenomena", "province", "municipality", "type_stated", "text_edit_seed",
            *[f"{f}_source" for f in ("type", "origin", "age", "price", "municipality")],
        ]
        sub = ads.iloc[self.site_rows][cols]
        self.records: list[dict[str, Any]] = sub.to_dict("records")
        self.row_by_code: dict[str, int] = {r["ad_code"]: i for i, r in enumerate(self.records)}
        local = np.full(len(ads), -1, np.int64)
        local[self.site_rows] = np.arange(self.site_rows.size)
        obs = pop.observations
        obs = obs[obs["site"] == site]
        self.week_rows: dict[int, np.ndarray] = {}
        for w, grp in obs.groupby("week_idx", sort=True):
            self.week_rows[int(w)] = local[grp.sort_values("rank")["ad_row"].to_numpy()]
        self.week_online: dict[int, set[int]] = {}
        self.section_cache: dict[tuple[int, str], np.ndarray] = {}
        self.contents: dict[int, AdContent] = {}
        drift = pop.config.layout_drift
        self.drift_from = pop.config.drift_week_index() if drift.site == site else None
        self.drift_field, self.drift_label = drift.field, drift.label

    def _labels(self, labels: tuple[tuple[str, str], ...], week: int | None) -> tuple[tuple[str, str], ...]:
        """Field labels of an ad page in ``week``: the layout drift renames one from its date on."""
        if self.drift_from is None or week is None or week < self.drift_from:
            return labels
        return tuple((k, self.drift_label if k == self.drift_field else lab) for k, lab in labels)

    def _drifted(self, week: int | None) -> bool:
        return self.drift_from is not None and week is not None and week >= self.drift_from

    # ---------------------------------------------------------------- data access
    def content(self, local_row: int) -> AdContent:
        c = self.contents.get(local_row)
        if c is None:
            c = build_content(self.records[local_row], self.site)
            self.contents[local_row] = c
        return c

    def rows_in_week(self, week: int) -> np.ndarray:
        return self.week_rows.get(week, np.empty(0, np.int64))

    def online(self, week: int, code: str) -> int | None:
        """Local row of ``code`` if the ad is online in ``week``."""
        online = self.week_online.get(week)
        if online is None:
            online = set(int(x) for x in self.rows_in_week(week))
            self.week_online[week] = online
        row = self.row_by_code.get(code)
        return row if row is not None and row in online else None

    def section_rows(self, week: int, section: str) -> np.ndarray:
        key = (week, section)
        rows = self.section_cache.get(key)
        if rows is None:
            allr = self.rows_in_week(week)
            rows = np.array([r for r in allr if section in self.records[r]["sections"]], np.int64)
            self.section_cache[key] = rows
        return rows

    def ad_url(self, local_row: int) -> str:
        rec = self.records[local_row]
        code = rec["ad_code"]
        if self.site == "kinky":
            return f"/advertentie/{code}"
        if self.site == "sexjobs":
            return f"/advertentie/{code}/{slugify(self.content(local_row).title)}"
        return f"/escort/{slugify(str(rec['name']))}-{code}"

    # ---------------------------------------------------------------- common pages
    def robots(self) -> bytes:
        return ROBOTS[self.site].encode()

    def not_found(self, what: str) -> bytes:
        return page("Niet gevonden", f'<h1>Niet gevonden</h1>\n<p class="error">{html.escape(what)}</p>')

    # ---------------------------------------------------------------- kinky
    def kinky_terms(self, next_path: str) -> bytes:
        nxt = html.escape(next_path or "/", quote=True)
        body = (
            '<div class="terms-wall">\n<h1>Kinky (sandbox) – toegang alleen voor volwassenen</h1>\n'
            "<p>Deze site bevat erotische advertenties. Bevestig dat je 18 jaar of ouder bent en "
            "akkoord gaat met de voorwaarden.</p>\n"
            '<form method="post" action="/terms/accept">'
            f'<input type="hidden" name="next" value="{nxt}">'
            '<button id="accept-terms" type="submit">Ik ben 18+ en ga akkoord</button></form>\n</div>'
        )
        return page("Voorwaarden", body)

    def kinky_home(self, week: int) -> bytes:
        links = "\n".join(
            f'<li><a href="/advertenties/{s}">{s.capitalize()}</a> ({self.section_rows(week, s).size})</li>'
            for s in KINKY_SECTIONS
        )
        return page("Kinky (sandbox)", f'<h1>Advertenties</h1>\n<ul class="sections">\n{links}\n</ul>')

    def kinky_listing(self, week: int, section: str, page_no: int, limit: int) -> bytes:
        return self.cache.get(("kl", week, section, page_no, limit), lambda: self._kinky_listing(week, section, page_no, limit))

    def _kinky_listing(self, week: int, section: str, page_no: int, limit: int) -> bytes:
        c = self.cls
        rows = self.section_rows(week, section)
        chunk = rows[(page_no - 1) * limit : page_no * limit]
        cards = []
        for r in chunk:
            rec = self.records[r]
            cont = self.content(r)
            place = html.escape(str(rec["place_text"])) if rec["municipality_stated"] else ""
            cards.append(
                f'<li class="{c.kinky_card}" {c.kinky_code_attr}="{rec["ad_code"]}">'
                f'<a class="{c.kinky_link}" href="/advertentie/{rec["ad_code"]}">{cont.title}</a>'
                f'<span class="ad-place">{place}</span>'
                f'<img src="/img/{rec["ad_code"]}-thumb.jpg" alt="" width="120" height="160"></li>'
            )
        pager = []
        if page_no > 1:
            pager.append(f'<a rel="prev" href="/advertenties/{section}?page={page_no - 1}&amp;limit={limit}">vorige</a>')
        if page_no * limit < rows.size:
            pager.append(f'<a rel="next" href="/advertenties/{section}?page={page_no + 1}&amp;limit={limit}">volgende</a>')
        body = (
            f'<h1>Advertenties – {html.escape(section)}</h1>\n<p class="result-count">{rows.size} advertenties</p>\n'
            f'<ul class="{c.kinky_list}">\n' + "\n".join(cards) + "\n</ul>\n"
            f'<div class="pager">{" ".join(pager)}</div>'
        )
        return page(f"Advertenties {section}", body)

    def kinky_ad(self, local_row: int, week: int | None = None) -> bytes:
        """The ad page (as shown in ``week``: the layout drift changes a label from its date on)."""
        drifted = self._drifted(week)
        return self.cache.get(("ka", local_row, drifted), lambda: self._kinky_ad(local_row, week if drifted else None))

    def _kinky_ad(self, local_row: int, week: int | None = None) -> bytes:
        rec = self.records[local_row]
        cont = self.content(local_row)
        f = cont.fields
        labels = self._labels((("name", "Naam"), ("gender", "Geslacht"), ("age", "Leeftijd"), ("origin", "Afkomst"),
                               ("municipality", "Plaats"), ("type", "Ontvangst")), week)
        dl = [f"<dt>{lab}</dt><dd>{f[key]}</dd>" for key, lab in labels if key in f]
        dl.insert(1, f"<dt>Telefoon</dt><dd>{cont.phone_display}</dd>")
        text = "\n".join(f"<p>{p}</p>" for p in cont.paragraphs)
        code = rec["ad_code"]
        body = (
            f'<div class="ad-detail" data-ad-code="{code}">\n<h1 class="ad-title">{cont.title}</h1>\n'
            f'<div class="quick-info"><dl>{"".join(dl)}</dl></div>\n'
            f'<div class="ad-text">\n{text}\n</div>\n'
            f'<div class="photos"><img src="/img/{code}-1.jpg" alt="foto 1"><img src="/img/{code}-2.jpg" alt="foto 2"></div>\n'
            f'<p class="ad-meta">Advertentiecode: <span class="ad-code">{code}</span></p>\n</div>'
        )
        return page(cont.title, body)

    # ---------------------------------------------------------------- sexjobs
    def sexjobs_consent(self, return_path: str) -> bytes:
        ret = html.escape(return_path or "/", quote=True)
        body = (
            '<div class="consent-wall">\n<h2>Wij gebruiken cookies</h2>\n'
            "<p>Om deze (gesimuleerde) site te bekijken moet je cookies accepteren en 18+ zijn.</p>\n"
            f'<form method="post" action="/consent"><input type="hidden" name="return" value="{ret}">'
            '<button id="consent-accept" type="submit" name="consent" value="yes">Accepteren</button></form>\n</div>'
        )
        return page("Cookies", body)

    def sexjobs_home(self, week: int) -> bytes:
        links = "\n".join(
            f'<li><a href="/advertenties/{s}">{s}</a> ({self.section_rows(week, s).size})</li>' for s in SEXJOBS_SECTIONS
        )
        return page("Sexjobs (sandbox)", f'<h1>Rubrieken</h1>\n<ul class="rubrieken">\n{links}\n</ul>')

    def sexjobs_listing(self, week: int, section: str, page_no: int) -> bytes:
        return self.cache.get(("sl", week, section, page_no), lambda: self._sexjobs_listing(week, section, page_no))

    def _sexjobs_listing(self, week: int, section: str, page_no: int) -> bytes:
        c = self.cls
        per = self.pop.config.sites.sexjobs_per_page
        rows = self.section_rows(week, section)
        n_pages = max(1, math.ceil(rows.size / per))
        chunk = rows[(page_no - 1) * per : page_no * per]
        cards = []
        for r in chunk:
            rec = self.records[r]
            cont = self.content(r)
            place = html.escape(str(rec["place_text"])) if rec["municipality_stated"] else ""
            cards.append(
                f'<article class="{c.sj_card}" {c.sj_id_attr}="{rec["ad_code"]}">'
                f'<a class="{c.sj_link}" href="{self.ad_url(r)}">{cont.title}</a>'
                f'<span class="advert-place">{place}</span>'
                f'<img src="/img/{rec["ad_code"]}.jpg" alt=""></article>'
            )
        nav = []
        for k in range(1, n_pages + 1):
            nav.append(f'<span class="current">{k}</span>' if k == page_no else f'<a class="page" href="?p={k}">{k}</a>')
        body = (
            f'<h1>{html.escape(section)}</h1>\n<section class="{c.sj_container}">\n' + "\n".join(cards) + "\n</section>\n"
            f'<nav class="{c.sj_pagination}">{" ".join(nav)}</nav>'
        )
        return page(f"Sexjobs – {section}", body)

    def sexjobs_ad(self, local_row: int, week: int | None = None) -> bytes:
        """The ad page (as shown in ``week``: the layout drift changes a label from its date on)."""
        drifted = self._drifted(week)
        return self.cache.get(("sa", local_row, drifted), lambda: self._sexjobs_ad(local_row, week if drifted else None))

    def _sexjobs_ad(self, local_row: int, week: int | None = None) -> bytes:
        rec = self.records[local_row]
        cont = self.content(local_row)
        f = cont.fields
        labels = self._labels((("name", "Naam:"), ("gender", "Geslacht:"), ("municipality", "Plaats:"),
                               ("age", "Leeftijd:"), ("origin", "Afkomst:"), ("type", "Diensten:"),
                               ("price", "Tarief:")), week)
        trs = [f"<tr><th>{lab}</th><td>{f[key]}</td></tr>" for key, lab in labels if key in f]
        trs.append(f"<tr><th>Telefoon:</th><td>{cont.phone_display}</td></tr>")
        text = "<br>\n".join(cont.paragraphs)
        code = rec["ad_code"]
        body = (
            f'<article class="advert-detail" data-id="{code}">\n<h1>{cont.title}</h1>\n'
            f'<table class="info">{"".join(trs)}</table>\n'
            f'<div class="description">\n{text}\n</div>\n'
            f'<div class="gallery"><img src="/img/{code}-a.jpg" alt=""></div>\n'
            f'<p class="advert-id">Advertentie-ID {code}</p>\n</article>'
        )
        return page(cont.title, body)

    # ---------------------------------------------------------------- topescortbabes
    def teb_shell(self) -> bytes:
        c = self.cls
        items_key = c.teb_items_key
        script = (
            "(function(){\n"
            f"  var grid=document.getElementById('{c.teb_grid}');\n"
            "  var sentinel=document.getElementById('grid-sentinel');\n"
            "  var offset=0,total=null,loading=false,limit=50;\n"
            "  function card(it){var d=document.createElement('div');"
            f"d.className='{c.teb_card}';d.setAttribute('{c.teb_id_attr}',it.id);"
            "var a=document.createElement('a');a.href=it.url;a.textContent=it.name;d.appendChild(a);"
            "var s=document.createElement('span');s.className='escort-city';s.textContent=it.city||'';"
            "d.appendChild(s);grid.appendChild(d);}\n"
            "  function visible(){var r=sentinel.getBoundingClientRect();return r.top<window.innerHeight+300;}\n"
            "  function load(){if(loading||(total!==null&&offset>=total))return;loading=true;\n"
            "    fetch('/api/escorts?offset='+offset+'&limit='+limit,{credentials:'same-origin'})"
            ".then(function(r){return r.json();}).then(function(j){"
            f"var items=j['{items_key}']||[];total=j.total;items.forEach(card);offset+=items.length;"
            "if(items.length===0){total=offset;}loading=false;"
            "document.getElementById('grid-status').textContent=offset+' / '+total;"
            "if(visible())load();}).catch(function(){loading=false;});}\n"
            "  if('IntersectionObserver' in window){new IntersectionObserver(function(es){"
            "if(es[0].isIntersecting)load();}).observe(sentinel);}\n"
            "  window.addEventListener('scroll',function(){if(visible())load();});\n"
            "  load();\n})();"
        )
        body = (
            "<h1>Escorts in the Netherlands</h1>\n"
            f'<div id="{c.teb_grid}"></div>\n<div id="grid-sentinel" style="height:10px"></div>\n'
            '<p id="grid-status"></p>\n'
            f"<script>\n{script}\n</script>"
        )
        return page("TopEscortBabes (sandbox)", body, lang="en")

    def teb_api(self, week: int, offset: int, limit: int) -> bytes:
        return self.cache.get(("ta", week, offset, limit), lambda: self._teb_api(week, offset, limit))

    def _teb_api(self, week: int, offset: int, limit: int) -> bytes:
        rows = self.rows_in_week(week)
        items = []
        for r in rows[offset : offset + limit]:
            rec = self.records[r]
            items.append(
                {
                    "id": rec["ad_code"],
                    "url": self.ad_url(int(r)),
                    "name": str(rec["name"]),
                    "city": str(rec["place_text"]) if rec["municipality_stated"] else "",
                }
            )
        payload = {"total": int(rows.size), "offset": offset, self.cls.teb_items_key: items}
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def teb_ad(self, local_row: int, week: int | None = None) -> bytes:
        """The ad page (as shown in ``week``: the layout drift changes a label from its date on)."""
        drifted = self._drifted(week)
        return self.cache.get(("tp", local_row, drifted), lambda: self._teb_ad(local_row, week if drifted else None))

    def _teb_ad(self, local_row: int, week: int | None = None) -> bytes:
        rec = self.records[local_row]
        cont = self.content(local_row)
        f = cont.fields
        rows = [("Gender", f["gender"])]
        for key, lab in self._labels((("age", "Age"), ("origin", "Nationality"), ("municipality", "City"),
                                      ("type", "Services")), week):
            if key in f:
                rows.append((lab, f[key]))
        details = "".join(f'<tr><td class="label">{a}</td><td class="value">{b}</td></tr>' for a, b in rows)
        rates = ""
        if rec["price_source"] in ("field", "both"):
            ph, pe = rec["price_home"], rec["price_escort"]
            inc = f"{int(ph)} EUR" if ph == ph else "–"
            out = f"{int(pe)} EUR" if pe == pe else "–"
            if ph != ph and pe != pe:
                inc = f"{int(rec['price_hour'])} EUR"
            rates = (
                '<table class="rates"><tr><th></th><th>Incall</th><th>Outcall</th></tr>'
                f"<tr><td>1 hour</td><td>{inc}</td><td>{out}</td></tr></table>"
            )
        text = "\n".join(f"<p>{p}</p>" for p in cont.paragraphs)
        code = rec["ad_code"]
        body = (
            f'<div class="profile" data-id="{code}">\n<h1 class="profile-name">{html.escape(str(rec["name"]))}</h1>\n'
            f'<table class="profile-details">{details}</table>\n{rates}\n'
            '<div class="contact"><button class="show-phone" type="button" disabled>Toon nummer</button>'
            '<p class="contact-note">Contact via de site (nummer afgeschermd)</p></div>\n'
            f'<div class="about">\n{text}\n</div>\n'
            f'<div class="gallery"><img src="/img/{code}-main.jpg" alt=""></div>\n</div>'
        )
        return page(f"{html.escape(str(rec['name']))} – escort", body, lang="en")
