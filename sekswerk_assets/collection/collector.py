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
from sekswerk_assets.collection.browser import chromium_executable, launch_options
from sekswerk_assets.lib.snapshots import PageRecord

log = logging.getLogger(__name__)

BLOCKED_RESOURCES = {"image", "media", "font"}
ALL_SECTIONS = "all"  # the section name of a site whose listing has no sections


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
class SectionPages:
    """Listing pages of one section: how many its first page announces, how many arrived, how many failed."""

    expected: int | None = None  # None: the first page never arrived (or did not say)
    first_page_ok: bool = False
    fetched: int = 0
    failed: int = 0
    first_error: str | None = None

    def as_dict(self) -> dict:
        lost = None if self.expected is None else max(0, self.expected - self.fetched)
        return {"expected_pages": self.expected, "fetched_pages": self.fetched, "failed_pages": self.failed,
                "lost_pages": lost, "first_page_ok": self.first_page_ok, "first_error": self.first_error}


@dataclass
class CollectionResult:
    records: list[PageRecord] = field(default_factory=list)
    listed: dict[str, ListedAd] = field(default_factory=dict)
    layout_problems: int = 0
    duration_s: float = 0.0
    budget_exhausted: bool = False
    #: listing pages per section ("all" for a site without sections), for the lost-pages check
    sections: dict[str, SectionPages] = field(default_factory=dict)
    #: set when the terms/cookie wall could not be passed ("terms wall not passed: HTTP 503")
    wall_error: str | None = None

    @property
    def pages(self) -> int:
        return sum(1 for r in self.records if r.body is not None)

    def count(self, page_type: str, ok: bool | None = None) -> int:
        return sum(1 for r in self.records if r.page_type == page_type and (ok is None or r.ok == ok))

    def summary(self) -> dict:
        """Counts of the collection for the snapshot's summary.json (nothing identifying)."""
        return {
            "pages": self.pages,
            "ads_listed": len(self.listed),
            "ads_fetched": self.count("ad", ok=True),
            "ads_failed": self.count("ad", ok=False),
            "ads_unaccounted": self.unaccounted(),
            "listing_pages": self.count("listing") + self.count("api"),
            "layout_problems": self.layout_problems,
            "wall_error": self.wall_error,
            "sections": {name: pages.as_dict() for name, pages in sorted(self.sections.items())},
            "duration_s": round(self.duration_s, 2),
        }

    def unaccounted(self) -> int:
        """Listed ads with no ad-page record at all (neither fetched nor recorded as failed)."""
        fetched = {r.ad_code for r in self.records if r.page_type == "ad"}
        return len(set(self.listed) - fetched)


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
        local_sandbox_target: bool = False,
        progress=None,
    ):
        self.adapter = adapter
        self.base = base_url.rstrip("/") + "/"
        self.p = politeness
        self.headers = extra_headers or {}
        self.chromium_path = chromium_path
        self.local_sandbox_target = local_sandbox_target
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
                executable_path=chromium_executable(self.chromium_path), headless=True,
                **launch_options(local_sandbox_target=self.local_sandbox_target)
            )
            try:
                context = await browser.new_context(user_agent=self.p.user_agent, extra_http_headers=self.headers)
                await context.route("**/*", _block_heavy_resources)
                await self._robots_txt(context.request)
                await self._pass_wall(context)
                if self.result.wall_error is None:  # behind a closed wall every page is the wall again
                    for section, _ in self.adapter.listing_urls(self.base):
                        self.result.sections[section] = SectionPages()
                    listing_urls = self.adapter.listing_urls(self.base)
                    if self.adapter.rendered_listing_path:
                        self.result.sections[ALL_SECTIONS] = SectionPages()
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
        """Pass the terms/cookie wall like a visitor: open the first listing, click accept, follow the redirect.

        The three steps are retried together as one unit (a fresh page each time): a 5xx, a timeout or a
        half-loaded wall at any step starts the unit again. A wall that cannot be passed is reported as
        such ("terms wall not passed: HTTP 503"), not as a layout change, and nothing behind it is fetched.
        """
        if not self.adapter.wall_button:
            return
        _, first = self.adapter.listing_urls(self.base)[0]
        last_error, wall_html = None, None
        for attempt in range(1, self.p.max_attempts + 1):
            await self.limiter.wait()
            page = await context.new_page()
            try:
                passed, last_error, seen = await self._wall_once(page, first)
            except PlaywrightError as exc:
                passed, last_error, seen = False, ("timeout" if "Timeout" in str(exc) else type(exc).__name__), None
            finally:
                await page.close()
            wall_html = seen or wall_html
            if passed:
                if wall_html is not None:
                    self.result.records.append(PageRecord("wall", first, 200, wall_html, attempt, fetched_at=_now()))
                return
            if attempt < self.p.max_attempts:
                await asyncio.sleep(self.p.backoff_s * (2 ** (attempt - 1)) * (0.5 + random.random()))
        self.result.wall_error = f"terms wall not passed: {last_error}"
        words = (last_error or "").split()
        status = int(words[1]) if len(words) > 1 and words[0] == "HTTP" and words[1].isdigit() else 0
        self.result.records.append(
            PageRecord("wall", first, status, None, self.p.max_attempts, error=self.result.wall_error, fetched_at=_now())
        )
        self.progress(f"{self.adapter.name}: {self.result.wall_error} after {self.p.max_attempts} attempts")

    async def _wall_once(self, page, url: str) -> tuple[bool, str | None, bytes | None]:
        """One try of open, accept, redirect: (passed, error, the wall's HTML if it was shown)."""
        timeout = self.p.timeout_s * 4000
        resp = await page.goto(url, timeout=timeout)
        if resp is None:
            return False, "no response", None
        if resp.status >= 400:
            return False, f"HTTP {resp.status}", None
        button = page.locator(self.adapter.wall_button)
        if not await button.count():
            return True, None, None  # no wall shown (the cookie is already set)
        wall_html = (await page.content()).encode()
        async with page.expect_navigation(timeout=timeout) as nav:
            await button.first.click()
        after = await nav.value
        if after is None:
            return False, "no response after accepting", wall_html
        if after.status >= 400:
            return False, f"HTTP {after.status}", wall_html
        if await page.locator(self.adapter.wall_button).count():
            return False, "wall shown again after accepting", wall_html
        return True, None, wall_html

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
        firsts = {u for _, u in start}
        page_type = self.adapter.listing_page_type()
        while queue:
            batch, queue = queue[: self.p.concurrency], queue[self.p.concurrency :]
            batch = [(s, u) for s, u in batch if u not in seen]
            seen.update(u for _, u in batch)
            records = await asyncio.gather(*(self.fetch(request, u, page_type, section=s) for s, u in batch))
            for (section, url), rec in zip(batch, records):
                self.result.records.append(rec)
                pages = self.result.sections.setdefault(section or ALL_SECTIONS, SectionPages())
                is_first = url in firsts
                if not rec.ok:
                    pages.failed += 1
                    if is_first:
                        pages.first_error = rec.error
                    continue
                pages.fetched += 1
                listing = self.adapter.parse_listing(rec.body, url, section)
                if is_first:
                    pages.first_page_ok = True
                    pages.expected = listing.expected_pages
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

