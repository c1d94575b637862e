"""The generic Playwright collector: robots.txt, wall, listings, ad pages, retries, politeness.

Static pages go through Playwright's request context (no rendering, ~50x faster);
only what needs a browser is rendered: the terms/cookie wall (a click) and a
JavaScript listing (whose JSON call is captured and then paged directly).
Images, media and fonts are never requested.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import time
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urljoin

from playwright.async_api import APIRequestContext, BrowserContext, async_playwright
from playwright.async_api import Error as PlaywrightError

from sekswerk_assets.collection.adapters import ListedAd, SiteAdapter
from sekswerk_assets.collection.browser import LAUNCH_ARGS, chromium_executable
from sekswerk_assets.lib.snapshots import PageRecord

log = logging.getLogger(__name__)

BLOCKED_RESOURCES = {"image", "media", "font"}


@dataclass(frozen=True)
class Politeness:
    user_agent: str
    concurrency: int
    rate_per_second: float | None  # None: unthrottled (sandbox)
    max_attempts: int
    timeout_s: float
    backoff_s: float
    page_budget: int


@dataclass
class CollectionResult:
    records: list[PageRecord] = field(default_factory=list)
    listed: dict[str, ListedAd] = field(default_factory=dict)
    layout_problems: int = 0
    duration_s: float = 0.0
    budget_exhausted: bool = False

    @property
    def pages(self) -> int:
        return sum(1 for r in self.records if r.body is not None)

    def count(self, page_type: str, ok: bool | None = None) -> int:
        return sum(1 for r in self.records if r.page_type == page_type and (ok is None or r.ok == ok))


class RateLimiter:
    """Spaces request starts at least 1/rate seconds apart (per site)."""

    def __init__(self, rate_per_second: float | None):
        self.interval = 1.0 / rate_per_second if rate_per_second else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            await asyncio.sleep(delay)


class SiteCollector:
    """Collects one site for one week into page records."""

    def __init__(
        self,
        adapter: SiteAdapter,
        base_url: str,
        politeness: Politeness,
        *,
        extra_headers: dict[str, str] | None = None,
        chromium_path: str | None = None,
        progress=None,
    ):
        self.adapter = adapter
        self.base = base_url.rstrip("/") + "/"
        self.p = politeness
        self.headers = extra_headers or {}
        self.chromium_path = chromium_path
        self.progress = progress or (lambda msg: log.info(msg))
        self.limiter = RateLimiter(politeness.rate_per_second)
        self.result = CollectionResult()
        self._robots: urllib.robotparser.RobotFileParser | None = None
        self._fetched = 0

    # -- fetching ---------------------------------------------------------------------------
    def allowed(self, url: str) -> bool:
        return self._robots is None or self._robots.can_fetch(self.p.user_agent, url)

    async def fetch(
        self, request: APIRequestContext, url: str, page_type: str, *, section=None, ad_code=None
    ) -> PageRecord:
        """GET with retries and backoff on 5xx, timeouts, network errors and truncated bodies."""
        if not self.allowed(url):
            return PageRecord(page_type, url, 0, None, 0, section, ad_code, "disallowed by robots.txt")
        if self._fetched >= self.p.page_budget:
            self.result.budget_exhausted = True
            return PageRecord(page_type, url, 0, None, 0, section, ad_code, "page budget exhausted")
        self._fetched += 1
        error, status = None, 0
        for attempt in range(1, self.p.max_attempts + 1):
            await self.limiter.wait()
            try:
                resp = await request.get(url, timeout=self.p.timeout_s * 1000, max_redirects=5, fail_on_status_code=False)
                status = resp.status
                body = await resp.body()
                if status >= 500 or status == 429:
                    error = f"HTTP {status}"
                elif status >= 400:
                    return PageRecord(page_type, url, status, None, attempt, section, ad_code, f"HTTP {status}", _now())
                elif not self.adapter.is_complete(body, page_type):
                    error = "truncated page"
                else:
                    return PageRecord(page_type, url, status, body, attempt, section, ad_code, None, _now())
            except PlaywrightError as exc:
                error = "timeout" if "Timeout" in str(exc) else f"network error: {type(exc).__name__}"
            if attempt < self.p.max_attempts:
                await asyncio.sleep(self.p.backoff_s * (2 ** (attempt - 1)) * (0.5 + random.random()))
        return PageRecord(page_type, url, status, None, self.p.max_attempts, section, ad_code, error, _now())

    # -- phases -----------------------------------------------------------------------------
    async def run(self) -> CollectionResult:
        start = time.perf_counter()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=chromium_executable(self.chromium_path), headless=True, args=LAUNCH_ARGS
            )
            try:
                context = await browser.new_context(user_agent=self.p.user_agent, extra_http_headers=self.headers)
                await context.route("**/*", _block_heavy_resources)
                await self._robots_txt(context.request)
                await self._pass_wall(context)
                listing_urls = self.adapter.listing_urls(self.base)
                if self.adapter.rendered_listing_path:
                    listing_urls = await self._render_listing(context)
                await self._listings(context.request, listing_urls)
                await self._ads(context.request)
                await context.close()
            finally:
                await browser.close()
        self.result.duration_s = time.perf_counter() - start
        return self.result

    async def _robots_txt(self, request: APIRequestContext) -> None:
        url = urljoin(self.base, "/robots.txt")
        resp = await request.get(url, timeout=self.p.timeout_s * 1000, fail_on_status_code=False)
        body = await resp.body()
        self.result.records.append(PageRecord("robots", url, resp.status, body, 1, fetched_at=_now()))
        parser = urllib.robotparser.RobotFileParser(url)
        parser.parse(body.decode("utf-8", errors="replace").splitlines() if resp.status == 200 else [])
        self._robots = parser

    async def _pass_wall(self, context: BrowserContext) -> None:
        """Render the first listing; if a terms/cookie wall shows, click accept like a visitor (sets the cookie).

        Retried like any fetch: a 5xx, a timeout or a half-loaded wall is tried again.
        """
        if not self.adapter.wall_button:
            return
        section, first = self.adapter.listing_urls(self.base)[0]
        page = await context.new_page()
        last_error = None
        try:
            for attempt in range(1, self.p.max_attempts + 1):
                try:
                    resp = await page.goto(first, timeout=self.p.timeout_s * 4000)
                    if resp is None or resp.status >= 500:
                        last_error = f"HTTP {resp.status if resp else 'none'}"
                        continue
                    button = page.locator(self.adapter.wall_button)
                    if not await button.count():
                        return  # no wall (or already accepted)
                    wall_html = (await page.content()).encode()
                    async with page.expect_navigation(timeout=self.p.timeout_s * 4000) as nav:
                        await button.first.click()
                    after = await nav.value
                    if after is not None and after.status < 400 and not await page.locator(self.adapter.wall_button).count():
                        self.result.records.append(PageRecord("wall", first, 200, wall_html, attempt, fetched_at=_now()))
                        return
                    last_error = f"wall not passed (HTTP {after.status if after else 'none'})"
                except PlaywrightError as exc:
                    last_error = "timeout" if "Timeout" in str(exc) else type(exc).__name__
                await asyncio.sleep(self.p.backoff_s * 2 ** (attempt - 1))
            self.result.records.append(PageRecord("wall", first, 0, None, self.p.max_attempts, error=last_error))
            self.result.layout_problems += 1
        finally:
            await page.close()

    async def _render_listing(self, context: BrowserContext) -> list[tuple[str | None, str]]:
        """Render a JavaScript listing, capture the API call it makes, scroll once to see it page."""
        page = await context.new_page()
        api_urls: list[str] = []
        page.on("request", lambda r: api_urls.append(r.url) if self.adapter.api_path_marker in r.url else None)
        try:
            url = urljoin(self.base, self.adapter.rendered_listing_path)
            for attempt in range(1, self.p.max_attempts + 1):
                try:
                    await page.goto(url, timeout=self.p.timeout_s * 4000, wait_until="networkidle")
                    if api_urls:
                        break
                except PlaywrightError:
                    if attempt == self.p.max_attempts:
                        raise
            shell = (await page.content()).encode()
            self.result.records.append(PageRecord("listing", url, 200, shell, 1, fetched_at=_now()))
            await page.mouse.wheel(0, 20000)
            await page.wait_for_timeout(200)
        finally:
            await page.close()
        if not api_urls:
            self.result.layout_problems += 1
            return []
        return [(None, api_urls[0])]

    async def _listings(self, request: APIRequestContext, start: list[tuple[str | None, str]]) -> None:
        seen: set[str] = set()
        queue = list(start)
        page_type = self.adapter.listing_page_type()
        while queue:
            batch, queue = queue[: self.p.concurrency], queue[self.p.concurrency :]
            batch = [(s, u) for s, u in batch if u not in seen]
            seen.update(u for _, u in batch)
            records = await asyncio.gather(*(self.fetch(request, u, page_type, section=s) for s, u in batch))
            for (section, url), rec in zip(batch, records):
                self.result.records.append(rec)
                if not rec.ok:
                    continue
                listing = self.adapter.parse_listing(rec.body, url, section)
                if not listing.layout_ok:
                    self.result.layout_problems += 1
                for ad in listing.ads:
                    self.result.listed.setdefault(ad.code, ad)
                queue.extend((section, u) for u in listing.more if u not in seen)
        self.progress(f"{self.adapter.name}: {len(seen)} listing pages, {len(self.result.listed)} ads listed")

    async def _ads(self, request: APIRequestContext) -> None:
        sem = asyncio.Semaphore(self.p.concurrency)
        total = len(self.result.listed)
        done = 0
        step = max(1, total // 5)

        async def one(ad: ListedAd) -> None:
            nonlocal done
            async with sem:
                rec = await self.fetch(request, ad.url, "ad", section=ad.section, ad_code=ad.code)
            self.result.records.append(rec)
            done += 1
            if done % step == 0:
                self.progress(f"{self.adapter.name}: {done}/{total} ad pages")

        await asyncio.gather(*(one(ad) for ad in self.result.listed.values()))


async def _block_heavy_resources(route) -> None:
    if route.request.resource_type in BLOCKED_RESOURCES:
        await route.abort()
    else:
        await route.continue_()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)

