"""Tests of the sandbox HTTP server: a real subprocess at scale 0.05, fetched with http.client."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import pandas as pd
import pytest
from selectolax.lexbor import LexborHTMLParser

from sekswerk_assets.sandbox import SandboxServer, load_config, simulate
from sekswerk_assets.sandbox.population import Population
from sekswerk_assets.sandbox.render import KINKY_SECTIONS, SEXJOBS_SECTIONS, Renderer

SCALE = 0.05
WEEK = "2020-11-03"
WEEK_IDX = 10


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def fetch(base: str, path: str, *, method: str = "GET", week: str | None = WEEK,
          cookie: str | None = None, form: dict[str, str] | None = None, timeout: float = 30) -> Reply:
    """One request without redirects or cookie handling (so walls can be inspected)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers: dict[str, str] = {}
    if week:
        headers["X-Sandbox-Week"] = week
    if cookie:
        headers["Cookie"] = cookie
    data = None
    if form is not None:
        data = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    t0 = time.perf_counter()
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    seconds = time.perf_counter() - t0
    out = Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body, seconds)
    conn.close()
    return out


KINKY = "kinky_terms=1"
SEXJOBS = "sj_consent=yes"


@pytest.fixture(scope="module")
def pop() -> Population:
    return simulate(load_config(scale=SCALE))


@pytest.fixture(scope="module")
def urls() -> Iterator[dict[str, str]]:
    with SandboxServer(load_config(scale=SCALE)) as u:
        yield u


@pytest.fixture(scope="module")
def fault_urls() -> Iterator[dict[str, str]]:
    cfg = load_config(scale=SCALE, faults={"http_5xx": 0.2, "truncated": 0.2, "slow": 0.1, "slow_seconds": 0.25})
    with SandboxServer(cfg) as u:
        yield u


@pytest.fixture(scope="module")
def changed_urls() -> Iterator[dict[str, str]]:
    with SandboxServer(load_config(scale=SCALE, layout_change=True)) as u:
        yield u


def truth_codes(pop: Population, site: str, week_idx: int = WEEK_IDX) -> set[str]:
    obs = pop.observations
    return set(obs[(obs["site"] == site) & (obs["week_idx"] == week_idx)]["ad_code"])


# ------------------------------------------------------------------------------ basics


def test_robots_txt_without_wall(urls: dict[str, str]) -> None:
    for site, base in urls.items():
        r = fetch(base, "/robots.txt", week=None)
        assert r.status == 200, site
        assert "Disallow: /account/" in r.text
        assert "Allow: /advertentie" in r.text or "Allow: /escort/" in r.text


def test_kinky_terms_wall_and_cookie(urls: dict[str, str]) -> None:
    base = urls["kinky"]
    r = fetch(base, "/advertenties/vrouwen?page=2")
    assert r.status == 302
    loc = r.headers["location"]
    assert loc.startswith("/terms?next=")
    assert parse_qs(urlsplit(loc).query)["next"] == ["/advertenties/vrouwen?page=2"]
    terms = fetch(base, loc)
    assert terms.status == 200
    tree = LexborHTMLParser(terms.text)
    assert tree.css_first("form[action='/terms/accept'] button#accept-terms") is not None
    assert tree.css_first("input[name=next]").attributes["value"] == "/advertenties/vrouwen?page=2"
    acc = fetch(base, "/terms/accept", method="POST", form={"next": "/advertenties/vrouwen?page=2"})
    assert acc.status == 302 and acc.headers["location"] == "/advertenties/vrouwen?page=2"
    assert "kinky_terms=1" in acc.headers["set-cookie"] and "Path=/" in acc.headers["set-cookie"]
    assert fetch(base, "/advertenties/vrouwen", cookie=KINKY).status == 200
    assert fetch(base, "/img/123-1.jpg").status == 200  # images are outside the wall


def test_sexjobs_consent_wall(urls: dict[str, str]) -> None:
    base = urls["sexjobs"]
    r = fetch(base, "/advertenties/escort?p=1")
    assert r.status == 302 and r.headers["location"].startswith("/consent?return=")
    page = fetch(base, r.headers["location"])
    assert LexborHTMLParser(page.text).css_first("form[action='/consent'] button#consent-accept") is not None
    acc = fetch(base, "/consent", method="POST", form={"return": "/advertenties/escort?p=1"})
    assert acc.status == 302 and "sj_consent=yes" in acc.headers["set-cookie"]
    assert fetch(base, "/advertenties/escort?p=1", cookie=SEXJOBS).status == 200


def test_pages_are_complete_and_bannered(urls: dict[str, str], pop: Population) -> None:
    code = sorted(truth_codes(pop, "kinky"))[0]
    for base, path, cookie in (
        (urls["kinky"], "/advertenties/vrouwen", KINKY),
        (urls["kinky"], f"/advertentie/{code}", KINKY),
        (urls["sexjobs"], "/advertenties/dames-van-plezier", SEXJOBS),
        (urls["topescortbabes"], "/escorts", None),
    ):
        r = fetch(base, path, cookie=cookie)
        assert r.status == 200
        assert r.text.rstrip().endswith("<!-- end of page -->\n</html>")
        assert LexborHTMLParser(r.text).css_first("div.synthetic-banner").text() == "SYNTHETIC SANDBOX – invented data"


# ------------------------------------------------------------------------------ listings


def crawl_kinky(base: str, week: str = WEEK, limit: int = 200) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for section in KINKY_SECTIONS:
        path: str | None = f"/advertenties/{section}?page=1&limit={limit}"
        codes: set[str] = set()
        while path:
            r = fetch(base, path, week=week, cookie=KINKY)
            assert r.status == 200
            tree = LexborHTMLParser(r.text)
            for card in tree.css("ul.ad-list li.ad-card"):
                code = card.attributes["data-ad-code"]
                assert card.css_first("a.ad-link").attributes["href"] == f"/advertentie/{code}"
                codes.add(code)
            nxt = tree.css_first("a[rel=next]")
            path = nxt.attributes["href"] if nxt else None
        found[section] = codes
    return found


def test_kinky_listing_matches_ground_truth(urls: dict[str, str], pop: Population) -> None:
    found = crawl_kinky(urls["kinky"])
    allc = set().union(*found.values())
    assert allc == truth_codes(pop, "kinky")
    obs = pop.observations
    week_obs = obs[(obs["site"] == "kinky") & (obs["week_idx"] == WEEK_IDX)]
    for section in KINKY_SECTIONS:
        expect = set(week_obs[week_obs["sections"].map(lambda s, sec=section: sec in s)]["ad_code"])
        assert found[section] == expect, section
    # default limit 30 and the empty page beyond the end
    first = LexborHTMLParser(fetch(urls["kinky"], "/advertenties/vrouwen", cookie=KINKY).text)
    assert len(first.css("li.ad-card")) == 30
    beyond = fetch(urls["kinky"], "/advertenties/vrouwen?page=999", cookie=KINKY)
    tree = LexborHTMLParser(beyond.text)
    assert beyond.status == 200 and tree.css_first("ul.ad-list") is not None
    assert tree.css("li.ad-card") == [] and tree.css_first("a[rel=next]") is None


def test_sexjobs_listing_matches_ground_truth(urls: dict[str, str], pop: Population) -> None:
    base = urls["sexjobs"]
    obs = pop.observations
    week_obs = obs[(obs["site"] == "sexjobs") & (obs["week_idx"] == WEEK_IDX)]
    allc: set[str] = set()
    for section in SEXJOBS_SECTIONS:
        first = LexborHTMLParser(fetch(base, f"/advertenties/{section}?p=1", cookie=SEXJOBS).text)
        nav = first.css_first("nav.pagination")
        assert nav.css_first("span.current").text() == "1"
        pages = [1] + [int(a.text()) for a in nav.css("a.page")]
        assert pages == list(range(1, len(pages) + 1))
        codes: list[str] = []
        for k in pages:
            tree = LexborHTMLParser(fetch(base, f"/advertenties/{section}?p={k}", cookie=SEXJOBS).text)
            cards = tree.css("section.adverts article.advert")
            assert len(cards) <= 24
            for card in cards:
                code = card.attributes["data-id"]
                assert card.css_first("a.advert-link").attributes["href"].startswith(f"/advertentie/{code}/")
                codes.append(code)
        assert len(codes) == len(set(codes))
        expect = set(week_obs[week_obs["sections"].map(lambda s, sec=section: sec in s)]["ad_code"])
        assert set(codes) == expect, section
        allc |= set(codes)
    assert allc == truth_codes(pop, "sexjobs")


def test_topescortbabes_api_paging(urls: dict[str, str], pop: Population) -> None:
    base = urls["topescortbabes"]
    shell = LexborHTMLParser(fetch(base, "/escorts").text)
    assert shell.css_first("div#escort-grid") is not None
    script = shell.css_first("script").text()
    assert "/api/escorts?offset=" in script and ("IntersectionObserver" in script or "scroll" in script)
    ids: list[str] = []
    offset, total = 0, None
    while total is None or offset < total:
        r = fetch(base, f"/api/escorts?offset={offset}&limit=50")
        data = json.loads(r.body)
        total = data["total"]
        assert data["offset"] == offset and len(data["items"]) <= 50
        for item in data["items"]:
            assert item["url"].endswith(f"-{item['id']}") and item["url"].startswith("/escort/")
            ids.append(item["id"])
        if not data["items"]:
            break
        offset += len(data["items"])
    assert len(ids) == total == len(set(ids))
    assert set(ids) == truth_codes(pop, "topescortbabes")


# ------------------------------------------------------------------------------ ad pages


def test_ad_pages_online_and_offline(urls: dict[str, str], pop: Population) -> None:
    ads = pop.ads_full
    online = truth_codes(pop, "kinky")
    offline = sorted(set(ads[ads["site"] == "kinky"]["ad_code"]) - online)
    code = sorted(online)[3]
    r = fetch(urls["kinky"], f"/advertentie/{code}", cookie=KINKY)
    assert r.status == 200
    tree = LexborHTMLParser(r.text)
    info = {dt_.text(): dd.text() for dt_, dd in zip(tree.css("div.quick-info dt"), tree.css("div.quick-info dd"))}
    row = ads[(ads["site"] == "kinky") & (ads["ad_code"] == code)].iloc[0]
    digits = "".join(ch for ch in info["Telefoon"] if ch.isdigit())
    assert digits.endswith(row["phone"][2:])
    assert info["Geslacht"] in {"Vrouw", "Man"}
    assert tree.css_first("div.ad-text") is not None
    assert fetch(urls["kinky"], f"/advertentie/{offline[0]}", cookie=KINKY).status == 404
    assert fetch(urls["kinky"], "/advertentie/999", cookie=KINKY).status == 404
    # sexjobs: info table and phone; topescortbabes: phone hidden
    sj_code = sorted(truth_codes(pop, "sexjobs"))[0]
    sj = LexborHTMLParser(fetch(urls["sexjobs"], f"/advertentie/{sj_code}/x", cookie=SEXJOBS).text)
    labels = [th.text() for th in sj.css("table.info th")]
    assert "Telefoon:" in labels and sj.css_first("div.description") is not None
    teb_row = ads[(ads["site"] == "topescortbabes") & ads["ad_code"].isin(truth_codes(pop, "topescortbabes"))].iloc[0]
    items = json.loads(fetch(urls["topescortbabes"], "/api/escorts?offset=0&limit=50").body)["items"]
    url = next(i["url"] for i in items)
    teb = fetch(urls["topescortbabes"], url)
    assert teb.status == 200
    assert teb_row["phone"][2:] not in teb.text
    assert LexborHTMLParser(teb.text).css_first("button.show-phone") is not None


def test_same_url_same_bytes_and_week_header(urls: dict[str, str], pop: Population) -> None:
    base = urls["kinky"]
    a = fetch(base, "/advertenties/vrouwen?page=1&limit=50", cookie=KINKY)
    b = fetch(base, "/advertenties/vrouwen?page=1&limit=50", cookie=KINKY)
    assert a.body == b.body
    other = fetch(base, "/advertenties/vrouwen?page=1&limit=50", cookie=KINKY, week="2021-05-04")
    assert other.status == 200 and other.body != a.body
    bad = fetch(base, "/advertenties/vrouwen", cookie=KINKY, week="2020-11-04")
    assert bad.status == 404 and "Unknown sandbox week" in bad.text
    api0 = fetch(urls["topescortbabes"], "/api/escorts?offset=0&limit=50", week="2020-08-25")
    api1 = fetch(urls["topescortbabes"], "/api/escorts?offset=0&limit=50", week="2021-08-17")
    assert api0.body != api1.body
    # without the header the latest simulated week is shown (today is after the year)
    latest = fetch(base, "/advertenties/vrouwen?page=1&limit=50", cookie=KINKY, week=None)
    assert latest.body == fetch(base, "/advertenties/vrouwen?page=1&limit=50", cookie=KINKY, week="2021-08-17").body


def test_pages_depend_only_on_seed_scale_week_url() -> None:
    """Two independent builds render byte-identical pages."""
    a = Renderer(simulate(load_config(scale=SCALE)), "sexjobs")
    b = Renderer(simulate(load_config(scale=SCALE)), "sexjobs")
    assert a.sexjobs_listing(5, "escort", 1) == b.sexjobs_listing(5, "escort", 1)
    row = int(a.rows_in_week(5)[0])
    assert a.sexjobs_ad(row) == b.sexjobs_ad(row)


# ------------------------------------------------------------------------------ faults and layout


def test_fault_injection_rates(fault_urls: dict[str, str], pop: Population) -> None:
    base = fault_urls["kinky"]
    code = sorted(truth_codes(pop, "kinky"))[0]
    n = 300
    replies = [fetch(base, f"/advertentie/{code}", cookie=KINKY) for _ in range(n)]
    statuses = [r.status for r in replies]
    complete = [r for r in replies if r.status == 200 and r.text.rstrip().endswith("</html>")]
    full_length = len(complete[0].body)
    assert all(r.body == complete[0].body for r in complete)  # a retry gets the same bytes
    truncated = 0
    for r in replies:
        if r.status == 200:
            assert int(r.headers["content-length"]) == len(r.body)
            if not r.text.rstrip().endswith("</html>"):
                truncated += 1
                assert 0.39 * full_length <= len(r.body) <= 0.91 * full_length
    slow = sum(1 for r in replies if r.seconds >= 0.24)
    errors = sum(1 for s in statuses if s >= 500)
    assert set(s for s in statuses if s >= 500) <= {500, 502, 503}
    assert 0.12 * n <= errors <= 0.28 * n
    assert 0.12 * n <= truncated <= 0.28 * n
    assert 0.04 * n <= slow <= 0.18 * n
    # robots.txt is never faulted
    assert all(fetch(base, "/robots.txt").status == 200 for _ in range(40))


def test_layout_change_renames_selectors(changed_urls: dict[str, str], pop: Population) -> None:
    kinky = LexborHTMLParser(fetch(changed_urls["kinky"], "/advertenties/vrouwen", cookie=KINKY).text)
    assert kinky.css("li.ad-card") == [] and kinky.css("[data-ad-code]") == []
    assert len(kinky.css("li.listing-item[data-code]")) == 30
    sj = LexborHTMLParser(fetch(changed_urls["sexjobs"], "/advertenties/escort", cookie=SEXJOBS).text)
    assert sj.css("article.advert") == [] and len(sj.css("article.card")) > 0
    data = json.loads(fetch(changed_urls["topescortbabes"], "/api/escorts?offset=0&limit=50").body)
    assert "items" not in data and len(data["results"]) == 50
