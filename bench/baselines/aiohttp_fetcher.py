"""A plain aiohttp + selectolax collector of one sandbox week (no browser, no project code).

    python -m bench.baselines.aiohttp_fetcher --urls '{"kinky": "http://127.0.0.1:PORT", ...}' --week 2020-11-24

Per site: one keep-alive session with at most 64 connections, the wall cookie set on the session,
robots.txt obeyed (urllib.robotparser), listings parsed with selectolax, ad pages fetched and their
title read. The three sites run at the same time. Bodies are kept in memory only to be counted.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.robotparser
from urllib.parse import urljoin

import aiohttp
from selectolax.lexbor import LexborHTMLParser

from bench.baselines.sites import (CONCURRENCY, cli, USER_AGENT, WALL_COOKIES, WEEK_HEADER, start_urls, teb_api_url)

RETRIES = 3


class SiteFetcher:
    def __init__(self, site: str, base: str, week: str, concurrency: int = CONCURRENCY):
        self.site, self.base, self.week = site, base, week
        self.concurrency = concurrency
        self.pages: list[tuple[str, str]] = []  # (category, url) of every page that arrived
        self.failed = 0
        self.bytes = 0
        self.robots: urllib.robotparser.RobotFileParser | None = None

    async def get(self, session: aiohttp.ClientSession, url: str, category: str) -> bytes | None:
        if self.robots is not None and not self.robots.can_fetch(USER_AGENT, url):
            return None
        for attempt in range(RETRIES):
            try:
                async with session.get(url, allow_redirects=False) as resp:  # a redirect = the wall
                    body = await resp.read()
                    if resp.status == 200:
                        self.pages.append((category, url))
                        self.bytes += len(body)
                        return body
                    if resp.status < 500:
                        break
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.05 * 2**attempt)
        self.failed += 1
        return None

    async def run(self) -> None:
        connector = aiohttp.TCPConnector(limit=self.concurrency, limit_per_host=self.concurrency, keepalive_timeout=30)
        headers = {"User-Agent": USER_AGENT, WEEK_HEADER: self.week}
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(connector=connector, headers=headers, cookies=WALL_COOKIES[self.site],
                                         timeout=timeout) as session:
            body = await self.get(session, urljoin(self.base, "/robots.txt"), "robots")
            self.robots = urllib.robotparser.RobotFileParser()
            self.robots.parse((body or b"").decode("utf-8", "replace").splitlines())
            ads = await self.listings(session)
            sem = asyncio.Semaphore(self.concurrency)

            async def ad(url: str) -> None:
                async with sem:
                    page = await self.get(session, url, "ad")
                if page is not None:
                    node = LexborHTMLParser(page).css_first("title")
                    _ = node.text() if node is not None else None

            await asyncio.gather(*(ad(u) for u in ads))

    async def listings(self, session: aiohttp.ClientSession) -> list[str]:
        """Every listing page, breadth first; returns the ad URLs in the order first seen."""
        ads: dict[str, None] = {}
        seen: set[str] = set()
        queue = start_urls(self.site, self.base)
        category = "api" if self.site == "topescortbabes" else "listing"
        while queue:
            batch = [u for u in dict.fromkeys(queue) if u not in seen]
            seen.update(batch)
            queue = []
            bodies = await asyncio.gather(*(self.get(session, u, category) for u in batch))
            for url, body in zip(batch, bodies):
                if body is None:
                    continue
                found, more = self.parse_listing(url, body)
                ads.update(dict.fromkeys(found))
                queue.extend(u for u in more if u not in seen)
        return list(ads)

    def parse_listing(self, url: str, body: bytes) -> tuple[list[str], list[str]]:
        if self.site == "topescortbabes":
            data = json.loads(body)
            items = data.get("items") or []
            offset, total = int(data.get("offset", 0)), int(data.get("total", 0))
            more = [teb_api_url(self.base, offset + len(items))] if items and offset + len(items) < total else []
            return [urljoin(url, i["url"]) for i in items], more
        tree = LexborHTMLParser(body)
        if self.site == "kinky":
            links = [a.attributes.get("href") for a in tree.css("li.ad-card a.ad-link")]
            nxt = [a.attributes.get("href") for a in tree.css("a[rel=next]")]
        else:
            links = [a.attributes.get("href") for a in tree.css("article.advert a.advert-link")]
            nxt = [a.attributes.get("href") for a in tree.css("nav.pagination a.page")]
        return [urljoin(url, h) for h in links if h], [urljoin(url, h) for h in nxt if h]


async def collect(urls: dict[str, str], week: str, concurrency: int = CONCURRENCY) -> dict[str, SiteFetcher]:
    fetchers = {site: SiteFetcher(site, base, week, concurrency) for site, base in urls.items()}
    await asyncio.gather(*(f.run() for f in fetchers.values()))
    return fetchers


def run(urls: dict[str, str], week: str, concurrency: int = CONCURRENCY) -> dict:
    """Collect the week; returns the pages that arrived (site, category, url), failures and bytes."""
    start = time.perf_counter()
    fetchers = asyncio.run(collect(urls, week, concurrency))
    return {
        "work_seconds": time.perf_counter() - start,
        "pages": [(site, cat, url) for site, f in fetchers.items() for cat, url in f.pages],
        "failed": sum(f.failed for f in fetchers.values()),
        "bytes": sum(f.bytes for f in fetchers.values()),
    }


if __name__ == "__main__":
    cli(run)
