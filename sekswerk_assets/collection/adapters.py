"""Per-site adapters: where the listings are, how to pass the wall, how to read a listing page.

The collector is generic; everything that differs between the three sites lives here.
Listing pages are parsed with selectolax (HTML) or json (API); ad pages are stored as
they are and only parsed by the extraction stage.
"""

from __future__ import annotations

import functools
import json
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from sekswerk_assets import constants


@dataclass
class ListedAd:
    code: str
    url: str
    section: str | None


@dataclass
class ListingPage:
    ads: list[ListedAd] = field(default_factory=list)
    more: list[str] = field(default_factory=list)  # further listing URLs discovered on this page
    layout_ok: bool = True  # the page had the structure the adapter expects
    #: how many listing pages the section has, as this page tells (read from a section's first page)
    expected_pages: int | None = None


def _query_int(url: str, key: str) -> int | None:
    try:
        return int(parse_qs(urlsplit(url).query)[key][0])
    except (KeyError, IndexError, ValueError):
        return None


def html_complete(body: bytes) -> bool:
    """A complete HTML page ends with its closing html tag (truncated transfers do not)."""
    return body.rstrip().lower().endswith(b"</html>")


def json_complete(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def _join_cached(base: str, href: str) -> str:
    return urljoin(base, href)


def join_link(page_url: str, href: str) -> str:
    """``urljoin(page_url, href)`` for a link that is met again and again (pagination), memoised.

    A reference with a path or a query of its own resolves against the base's scheme, host and path only
    (RFC 3986, 5.2.2), so the page's own query is dropped from the cache key: every page of a section
    then shares the entries of its pagination links.
    """
    if not href or href[0] == "#" or href.partition("#")[0] == "?":
        return urljoin(page_url, href)  # no path and no query: the page's own query is kept
    return _join_cached(page_url.partition("#")[0].partition("?")[0], href)


def with_query(url: str, **params) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update({k: str(v) for k, v in params.items()})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


class SiteAdapter(ABC):
    """What the collector needs to know about one site."""

    name: str
    sections: tuple[str, ...] = ()
    wall_button: str | None = None  # CSS selector of the terms/cookie accept button
    #: a listing rendered by JavaScript: the collector renders this path once and captures the JSON call
    rendered_listing_path: str | None = None
    api_path_marker: str | None = None

    @abstractmethod
    def listing_urls(self, base: str) -> list[tuple[str, str]]:
        """(section, url) of the first listing page of every section."""

    @abstractmethod
    def parse_listing(self, body: bytes, url: str, section: str | None) -> ListingPage:
        """Ads and further listing pages found on a listing page."""

    def is_complete(self, body: bytes, page_type: str) -> bool:
        return json_complete(body) if page_type == "api" else html_complete(body)

    def listing_page_type(self) -> str:
        return "listing"


class KinkyAdapter(SiteAdapter):
    """kinky.nl-like: sections with a page-size parameter, rel=next pagination, terms wall."""

    name = "kinky"
    sections = ("vrouwen", "mannen", "transsexuelen", "stellen", "gay")
    wall_button = "#accept-terms"
    page_size = 200

    def listing_urls(self, base: str) -> list[tuple[str, str]]:
        return [(s, urljoin(base, f"/advertenties/{s}?page=1&limit={self.page_size}")) for s in self.sections]

    def parse_listing(self, body: bytes, url: str, section: str | None) -> ListingPage:
        tree = LexborHTMLParser(body.decode("utf-8", errors="replace"))
        container = tree.css_first("ul.ad-list")
        if container is None:
            return ListingPage(layout_ok=False)
        ads = []
        for card in tree.css("li.ad-card"):
            code = card.attributes.get("data-ad-code")
            link = card.css_first("a.ad-link")
            if code and link is not None and link.attributes.get("href"):
                ads.append(ListedAd(code, urljoin(url, link.attributes["href"]), section))
        nxt = tree.css_first("a[rel=next]")
        more = [join_link(url, nxt.attributes["href"])] if nxt is not None and nxt.attributes.get("href") else []
        # an empty section is fine; items we cannot read are a layout change
        return ListingPage(ads, more, layout_ok=bool(ads) or not container.css("li"),
                           expected_pages=self._expected_pages(tree, url))

    def _expected_pages(self, tree: LexborHTMLParser, url: str) -> int | None:
        """Pages of the section: the result count ("N advertenties") over the page size in the URL."""
        count = tree.css_first("p.result-count")
        limit = _query_int(url, "limit") or self.page_size
        words = count.text(strip=True).split() if count is not None else []
        if not words or not words[0].isdigit():
            return None
        return max(1, math.ceil(int(words[0]) / limit))


class SexjobsAdapter(SiteAdapter):
    """sexjobs.nl-like: sections, numbered pagination, cookie wall."""

    name = "sexjobs"
    sections = ("dames-van-plezier", "thuisontvangst", "escort", "massage", "mannen")
    wall_button = "#consent-accept"

    def listing_urls(self, base: str) -> list[tuple[str, str]]:
        return [(s, urljoin(base, f"/advertenties/{s}?p=1")) for s in self.sections]

    def parse_listing(self, body: bytes, url: str, section: str | None) -> ListingPage:
        tree = LexborHTMLParser(body.decode("utf-8", errors="replace"))
        ads = []
        for card in tree.css("article.advert"):
            code = card.attributes.get("data-id")
            link = card.css_first("a.advert-link")
            if code and link is not None and link.attributes.get("href"):
                ads.append(ListedAd(code, urljoin(url, link.attributes["href"]), section))
        more = [join_link(url, a.attributes["href"]) for a in tree.css("nav.pagination a.page") if a.attributes.get("href")]
        layout_ok = bool(ads) or (tree.css_first("nav.pagination") is not None and not tree.css("article"))
        # the numbered pagination lists every page: the highest number is the section's page count
        numbers = [int(n.text(strip=True)) for n in tree.css("nav.pagination a.page, nav.pagination span.current")
                   if n.text(strip=True).isdigit()]
        return ListingPage(ads, more, layout_ok, expected_pages=max(numbers) if numbers else None)


class TopescortbabesAdapter(SiteAdapter):
    """topescortbabes-like: a JavaScript listing with infinite scroll fed by a JSON API; phone hidden."""

    name = "topescortbabes"
    rendered_listing_path = "/escorts"
    api_path_marker = "/api/escorts"
    page_size = 50

    def listing_urls(self, base: str) -> list[tuple[str, str]]:
        return []  # discovered by rendering the listing and capturing its JSON call

    def listing_page_type(self) -> str:
        return "api"

    def parse_listing(self, body: bytes, url: str, section: str | None) -> ListingPage:
        data = json.loads(body)
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            return ListingPage(layout_ok=False)
        ads = [ListedAd(str(i["id"]), urljoin(url, i["url"]), None) for i in items if "id" in i and "url" in i]
        offset = int(data.get("offset", 0))
        total = int(data.get("total", 0))
        more = []
        if offset + len(items) < total and items:
            more.append(with_query(url, offset=offset + len(items), limit=self.page_size))
        # pages after the first one are requested with the adapter's page size
        first = len(items) or self.page_size
        rest = max(0, total - first)
        return ListingPage(ads, more, layout_ok=True, expected_pages=1 + math.ceil(rest / self.page_size))


ADAPTERS: dict[str, SiteAdapter] = {a.name: a for a in (KinkyAdapter(), SexjobsAdapter(), TopescortbabesAdapter())}
SITES = tuple(ADAPTERS)
assert SITES == constants.SITES, "one adapter per site of constants.SITES, in that order"
