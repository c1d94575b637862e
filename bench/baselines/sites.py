"""What a hand-written scraper knows about the three sandbox sites (read off the pages, not the project's adapters).

* kinky: a terms wall that sets ``kinky_terms=1``; sections ``/advertenties/<s>?page=1&limit=200``,
  cards ``li.ad-card[data-ad-code]`` with ``a.ad-link``, the next page as ``a[rel=next]``.
* sexjobs: a cookie wall that sets ``sj_consent=yes``; sections ``/advertenties/<s>?p=1``, cards
  ``article.advert[data-id]`` with ``a.advert-link``, every page linked from ``nav.pagination a.page``.
* topescortbabes: no wall; the listing is drawn by JavaScript from ``/api/escorts?offset=O&limit=50``
  (JSON ``{"total", "offset", "items": [{"id", "url"}]}``), which is paged directly.
"""

from __future__ import annotations

from urllib.parse import urlsplit

WEEK_HEADER = "X-Sandbox-Week"
USER_AGENT = "bench-baseline/1.0 (sekswerk_assets benchmark; sandbox only)"
CONCURRENCY = 64

WALL_COOKIES = {"kinky": {"kinky_terms": "1"}, "sexjobs": {"sj_consent": "yes"}, "topescortbabes": {}}
KINKY_SECTIONS = ("vrouwen", "mannen", "transsexuelen", "stellen", "gay")
KINKY_PAGE_SIZE = 200
SEXJOBS_SECTIONS = ("dames-van-plezier", "thuisontvangst", "escort", "massage", "mannen")
TEB_PAGE_SIZE = 50


def start_urls(site: str, base: str) -> list[str]:
    """The first listing page of every section (for topescortbabes: the first API page)."""
    base = base.rstrip("/")
    if site == "kinky":
        return [f"{base}/advertenties/{s}?page=1&limit={KINKY_PAGE_SIZE}" for s in KINKY_SECTIONS]
    if site == "sexjobs":
        return [f"{base}/advertenties/{s}?p=1" for s in SEXJOBS_SECTIONS]
    return [teb_api_url(base, 0)]


def teb_api_url(base: str, offset: int) -> str:
    return f"{base.rstrip('/')}/api/escorts?offset={offset}&limit={TEB_PAGE_SIZE}"


def page_key(url: str) -> str:
    """A page's identity across contenders: path and query (the port differs per site, not per run)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def category_of(site: str, key: str) -> str:
    """robots, listing, api or ad, from a page's path (anything else, e.g. a wall page, is "other")."""
    if key == "/robots.txt":
        return "robots"
    if site == "topescortbabes":
        return "api" if key.startswith("/api/escorts?") else "ad" if key.startswith("/escort/") else "other"
    if key.startswith("/advertenties/"):
        return "listing"
    return "ad" if key.startswith("/advertentie/") else "other"


def cli(run) -> None:
    """Command line of a baseline run alone: ``--urls`` of a running sandbox, ``--week``; prints a summary."""
    import argparse
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", required=True, help="JSON: site -> base URL of a running sandbox")
    parser.add_argument("--week", default="2020-11-24")
    args = parser.parse_args()
    res = run(json.loads(args.urls), args.week)
    print(f"{len(res['pages'])} pages, {res['failed']} failed, {res['bytes'] / 2**20:.1f} MiB in {res['work_seconds']:.1f} s")
