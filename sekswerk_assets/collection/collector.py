"""The generic collector: robots.txt, wall, listings, ad pages, retries, politeness.

Only what needs a browser is rendered, in one Chromium per run with a context per site: the
terms/cookie wall (open, click accept, follow the redirect) and a JavaScript listing (whose JSON
call is captured and then paged directly). Everything else (robots.txt, static listing pages, API
listing pages, ad pages) is fetched by aiohttp with keep-alive and a bounded connection pool per
site, carrying the browser context's cookies, User-Agent and extra headers. The browser is closed
as soon as every site has passed its browser phases. ``http_client="browser"`` keeps the former
path, where static pages go through the browser context's own request context (``context.request``).
Images, media and fonts are never requested.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import datetime as dt
import logging
import random
import re
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.cookies import Morsel
from queue import SimpleQueue
from urllib.parse import urljoin

import aiohttp
from playwright.async_api import APIRequestContext, Browser, BrowserContext, async_playwright
from playwright.async_api import Error as PlaywrightError
from yarl import URL

from sekswerk_assets.collection.adapters import ListedAd, SiteAdapter
from sekswerk_assets.collection.browser import chromium_executable, launch_options
from sekswerk_assets.lib.snapshots import PageRecord

log = logging.getLogger(__name__)

#: media and font files by their URL: matched inside Playwright's driver, so other requests are not intercepted
#: (images are switched off in Chromium itself, see browser.LAUNCH_ARGS)
HEAVY_URLS = re.compile(r"\.(?:mp4|webm|m3u8|mov|avi|mp3|ogg|wav|woff2?|ttf|otf|eot)(?:[?#]|$)", re.IGNORECASE)
ALL_SECTIONS = "all"  # the section name of a site whose listing has no sections
MAX_REDIRECTS = 5
#: how static pages are fetched: "aiohttp" (the fast path) or "browser" (the browser context's request context)
HTTP_CLIENTS = ("aiohttp", "browser")


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

    def next_slot(self) -> float:
        """The earliest ``time.monotonic()`` of the next request start (a clock shared by every process)."""
        return self._next

    def not_before(self, slot: float) -> None:
        """No request starts before ``slot``: the site's requests made in another process are spaced too."""
        self._next = max(self._next, slot)


class FetchFailed(Exception):
    """One request failed before it gave a status: ``str(exc)`` is the record's error ("timeout", "network error: X")."""


class _AiohttpClient:
    """Static GETs through one site's aiohttp session (keep-alive, at most ``concurrency`` connections)."""

    def __init__(self, session: aiohttp.ClientSession):
        self.session = session

    async def get(self, url: str, timeout_s: float) -> tuple[int, bytes]:
        try:
            async with self.session.get(url, timeout=aiohttp.ClientTimeout(total=timeout_s),
                                        allow_redirects=True, max_redirects=MAX_REDIRECTS) as resp:
                return resp.status, await resp.read()
        except asyncio.TimeoutError:
            raise FetchFailed("timeout") from None
        except aiohttp.ClientError as exc:
            raise FetchFailed(f"network error: {type(exc).__name__}") from None

    def add_browser_cookies(self, cookies: list[dict]) -> None:
        """Put the browser context's cookies (``context.cookies()``) into the session's jar, scoped as they were."""
        for c in cookies:
            morsel: Morsel = Morsel()
            morsel.set(c["name"], c["value"], c["value"])  # sent as the browser sends it, unquoted
            morsel["path"] = c.get("path") or "/"
            domain = c.get("domain") or ""
            if domain.startswith("."):
                morsel["domain"] = domain  # a domain cookie; otherwise host-only, as in the browser
            if c.get("secure"):
                morsel["secure"] = True
            if c.get("httpOnly"):
                morsel["httponly"] = True
            scheme = "https" if c.get("secure") else "http"
            self.session.cookie_jar.update_cookies({c["name"]: morsel},
                                                   response_url=URL(f"{scheme}://{domain.lstrip('.')}/"))


class _BrowserRequestClient:
    """Static GETs through a browser context's request context (the former path, ``http_client="browser"``)."""

    def __init__(self, request: APIRequestContext):
        self.request = request

    async def get(self, url: str, timeout_s: float) -> tuple[int, bytes]:
        try:
            resp = await self.request.get(url, timeout=timeout_s * 1000, max_redirects=MAX_REDIRECTS,
                                          fail_on_status_code=False)
            return resp.status, await resp.body()
        except PlaywrightError as exc:
            raise FetchFailed("timeout" if "Timeout" in str(exc) else f"network error: {type(exc).__name__}") from None


class BrowserHub:
    """One Chromium for a whole run, started on first use; each site takes a context and releases it.

    ``users`` is the number of sites that will need the browser; when the last of them releases it
    (its wall passed, its JavaScript listing captured), the browser and Playwright's driver are closed.
    At most ``contexts_at_once`` sites open pages at the same time (default two): every context with a
    page keeps a renderer process alive. Two at once let the two walls be passed side by side before
    the event loop is busy fetching (measured: about 0.6 s faster than one at a time, peak PSS about
    540 MB of the 600 MB target); the third site takes its turn as soon as one of them is done.
    """

    def __init__(self, chromium_path: str | None, local_sandbox_target: bool, users: int, contexts_at_once: int = 2):
        self._slots = asyncio.Semaphore(contexts_at_once)
        self.chromium_path = chromium_path
        self.local_sandbox_target = local_sandbox_target
        self.users = users
        self.launches = 0
        self._lock = asyncio.Lock()
        self._pw = None
        self._browser: Browser | None = None
        self._failure: BaseException | None = None
        self._closed = False
        #: sites still in their browser steps (wall, the JavaScript listing's API call): see ``browser_steps_done``
        self._steps_left = users
        self._steps_done = asyncio.Event()
        if users <= 0:
            self._steps_done.set()

    async def start(self) -> Browser:
        async with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._closed:
                raise RuntimeError("the run's browser was already closed")
            if self._browser is None:
                try:
                    executable = chromium_executable(self.chromium_path)
                    options = launch_options(local_sandbox_target=self.local_sandbox_target)
                    self._pw = await async_playwright().start()
                    self._browser = await self._pw.chromium.launch(executable_path=executable, headless=True,
                                                                   **options)
                    self.launches += 1
                except BaseException as exc:
                    self._failure = exc
                    await self._stop()
                    raise
            return self._browser

    async def new_context(self, user_agent: str, headers: dict[str, str]) -> BrowserContext:
        """A fresh context for one site, once it is this site's turn; give it back with ``close_context``."""
        browser = await self.start()
        # an empty context costs Chromium little (its renderer starts with its first page): it is made at
        # once, while the event loop is still quiet, and its site waits meanwhile for its turn to open pages.
        # Turns go in the order the sites asked (the first site, the largest, first), not in the order
        # Chromium happens to answer.
        creating = asyncio.ensure_future(self._make_context(browser, user_agent, headers))
        try:
            await self._slots.acquire()
        except BaseException:
            with contextlib.suppress(Exception):
                await (await creating).close()
            raise
        try:
            return await creating
        except BaseException:
            self._slots.release()
            raise

    @staticmethod
    async def _make_context(browser: Browser, user_agent: str, headers: dict[str, str]) -> BrowserContext:
        context = await browser.new_context(user_agent=user_agent, extra_http_headers=headers)
        try:
            await context.route(HEAVY_URLS, _block_heavy_resources)
        except BaseException:
            await context.close()
            raise
        return context

    async def close_context(self, context: BrowserContext) -> None:
        # the next site's turn starts now: closing a context (its renderer going away) takes a second or
        # more while the event loop is busy fetching, and the next site need not wait for it
        self._slots.release()
        await context.close()

    def browser_steps_done(self) -> None:
        """One site has passed its browser steps (or failed them); call once per site that uses the browser."""
        self._steps_left -= 1
        if self._steps_left <= 0:
            self._steps_done.set()

    async def wait_for_browser_steps(self, limit_s: float) -> None:
        """Wait (at most ``limit_s``) until every site has passed its browser steps.

        Fetching is held back until then: Playwright's messages are handled by the same event loop, and a
        loop busy with one site's pages slowed the other sites' walls and render about threefold (a wall of
        0.8 s took 2.3 s), so the largest site could start last. The wait is short (the walls are passed
        side by side) and bounded, so a site stuck in its browser steps cannot hold the others back long.
        """
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._steps_done.wait(), limit_s)

    async def release(self) -> None:
        """One site is done with the browser; the last one closes it."""
        self.users -= 1
        if self.users <= 0:
            await self.close()

    async def close(self) -> None:
        async with self._lock:
            self._closed = True
            await self._stop()

    async def _stop(self) -> None:
        browser, pw = self._browser, self._pw
        self._browser = self._pw = None
        try:
            if browser is not None:
                await browser.close()
        finally:
            if pw is not None:
                await pw.stop()


class RecordSink:
    """Hands every record to ``sink(site, record)`` in one writer thread, so compression never stalls fetching.

    Records are handed over in batches of ``batch`` (the thread is woken once per batch, not per page);
    :meth:`put` is called from the collecting event loop's thread only.
    """

    def __init__(self, sink: Callable[[str, PageRecord], None], batch: int = 32):
        self.sink = sink
        self.batch = batch
        self.error: BaseException | None = None
        self._pending: list[tuple[str, PageRecord]] = []
        self._queue: SimpleQueue = SimpleQueue()
        self._thread = threading.Thread(target=self._drain, name="snapshot-writer", daemon=True)
        self._thread.start()

    def put(self, site: str, record: PageRecord) -> None:
        self._pending.append((site, record))
        if len(self._pending) >= self.batch:
            self._queue.put(self._pending)
            self._pending = []

    def after(self, fn: Callable[[], None]) -> None:
        """Call ``fn()`` in the writer thread once every record put so far has been handed to the sink."""
        if self._pending:
            self._queue.put(self._pending)
            self._pending = []
        self._queue.put(fn)

    def _drain(self) -> None:
        while (items := self._queue.get()) is not None:
            if callable(items):
                if self.error is None:
                    try:
                        items()
                    except BaseException as exc:  # noqa: BLE001 (re-raised by close)
                        self.error = exc
                continue
            for item in items:
                if self.error is None:
                    try:
                        self.sink(*item)
                    except BaseException as exc:  # noqa: BLE001 (re-raised by close)
                        self.error = exc

    def close(self) -> None:
        """Wait until every record has been handed over; re-raise the sink's first error."""
        if self._pending:
            self._queue.put(self._pending)
            self._pending = []
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise self.error


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
        http_client: str = "aiohttp",
        progress=None,
        emit: Callable[[str, PageRecord], None] | None = None,
        keep_bodies: bool = True,
        on_done: Callable[[CollectionResult], None] | None = None,
    ):
        if http_client not in HTTP_CLIENTS:
            raise ValueError(f"http_client must be one of {HTTP_CLIENTS}, not {http_client!r}")
        self.adapter = adapter
        self.base = base_url.rstrip("/") + "/"
        self.p = politeness
        self.headers = extra_headers or {}
        self.chromium_path = chromium_path
        self.local_sandbox_target = local_sandbox_target
        self.http_client = http_client
        self.progress = progress or (lambda msg: log.info(msg))
        self.emit = emit
        #: whether ``result.records`` keep page bodies; without them (only with ``emit``) a body is ``b""``
        self.keep_bodies = keep_bodies or emit is None
        #: called with the site's result as soon as the site is collected (not if it failed)
        self.on_done = on_done
        self.limiter = RateLimiter(politeness.rate_per_second)
        self.result = CollectionResult()
        self._robots: urllib.robotparser.RobotFileParser | None = None
        self._fetched = 0

    @property
    def needs_browser(self) -> bool:
        """A wall to pass, a listing to render, or the browser path for static pages."""
        return bool(self.http_client == "browser" or self.adapter.wall_button or self.adapter.rendered_listing_path)

    def _record(self, rec: PageRecord) -> None:
        if self.emit is not None:
            self.emit(self.adapter.name, rec)
        if not self.keep_bodies and rec.body:
            # the sink has the body; the result keeps what its summary needs (the record stays ok)
            rec = dataclasses.replace(rec, body=b"")
        self.result.records.append(rec)

    # -- fetching ---------------------------------------------------------------------------
    def allowed(self, url: str) -> bool:
        return self._robots is None or self._robots.can_fetch(self.p.user_agent, url)

    async def fetch(self, client, url: str, page_type: str, *, section=None, ad_code=None) -> PageRecord:
        """GET with retries and backoff on 5xx, 429, timeouts, network errors and truncated bodies."""
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
                status, body = await client.get(url, self.p.timeout_s)
                if status >= 500 or status == 429:
                    error = f"HTTP {status}"
                elif status >= 400:
                    return PageRecord(page_type, url, status, None, attempt, section, ad_code, f"HTTP {status}", _now())
                elif not self.adapter.is_complete(body, page_type):
                    error = "truncated page"
                else:
                    return PageRecord(page_type, url, status, body, attempt, section, ad_code, None, _now())
            except FetchFailed as exc:
                error = str(exc)
            if attempt < self.p.max_attempts:
                await asyncio.sleep(self.p.backoff_s * (2 ** (attempt - 1)) * (0.5 + random.random()))
        return PageRecord(page_type, url, status, None, self.p.max_attempts, section, ad_code, error, _now())

    # -- phases -----------------------------------------------------------------------------
    async def run(self, hub: BrowserHub | None = None) -> CollectionResult:
        """Collect the site; ``hub``: the run's shared browser (without one, this site starts its own)."""
        if hub is None:
            hub = BrowserHub(self.chromium_path, self.local_sandbox_target, users=int(self.needs_browser))
            try:
                return await self.run(hub)
            finally:
                await hub.close()
        start = time.perf_counter()
        context: BrowserContext | None = None
        holds_browser = self.needs_browser
        in_browser_steps = self.needs_browser
        rendering: asyncio.Task | None = None  # the JavaScript listing's render, finishing after its API call is seen
        releasing: asyncio.Task | None = None  # that render's end, then the context and the browser given back
        try:
            async with self._session() as session:
                if self.http_client == "browser":
                    context = await hub.new_context(self.p.user_agent, self.headers)
                    client = _BrowserRequestClient(context.request)
                else:
                    client = _AiohttpClient(session)
                await self._robots_txt(client)
                if context is None and (self.adapter.wall_button or self.adapter.rendered_listing_path):
                    context = await hub.new_context(self.p.user_agent, self.headers)
                await self._pass_wall(context)
                listing_urls: list[tuple[str | None, str]] = []
                if self.result.wall_error is None:  # behind a closed wall every page is the wall again
                    for section, _ in self.adapter.listing_urls(self.base):
                        self.result.sections[section] = SectionPages()
                    listing_urls = self.adapter.listing_urls(self.base)
                    if self.adapter.rendered_listing_path:
                        self.result.sections[ALL_SECTIONS] = SectionPages()
                        listing_urls, rendering = await self._render_listing(context)
                if isinstance(client, _AiohttpClient) and context is not None:
                    # the browser's part is done (or, for a JavaScript listing, its API call is known): its
                    # cookies (the accepted wall) go to the static client; the render may finish meanwhile
                    client.add_browser_cookies(await context.cookies())
                    releasing = asyncio.create_task(self._give_back_browser(hub, context, rendering))
                    context, holds_browser, rendering = None, False, None
                if in_browser_steps:
                    in_browser_steps = False
                    hub.browser_steps_done()
                    if self.http_client != "browser":
                        # (on the browser path a site keeps its context, and its turn, while it fetches: the
                        # sites still waiting for a turn could not pass their steps while it waited for them)
                        await hub.wait_for_browser_steps(self.p.timeout_s * 4 * self.p.max_attempts)
                if self.result.wall_error is None:
                    await self._crawl(client, listing_urls)
                if rendering is not None:
                    await rendering
                if releasing is not None:
                    await releasing
        finally:
            if in_browser_steps:
                hub.browser_steps_done()  # failed before its browser steps were over: the others need not wait
            for task in (rendering, releasing):
                if task is not None and not task.done():
                    await asyncio.gather(task, return_exceptions=True)
            if context is not None:
                await hub.close_context(context)
            if holds_browser:
                await hub.release()
        self.result.duration_s = time.perf_counter() - start
        return self.result

    # -- a site split over two processes (see ``collection.worker``) ---------------------------------
    @property
    def can_run_in_worker(self) -> bool:
        """Its one browser step is a wall (no JavaScript listing), static pages go through aiohttp, records to a sink."""
        adapter = self.adapter
        return (self.http_client == "aiohttp" and bool(adapter.wall_button) and not adapter.rendered_listing_path
                and self.emit is not None and not self.keep_bodies)

    async def run_static(self, handed: tuple) -> CollectionResult:
        """The worker process's part of a split site: the crawl, from what :meth:`run_browser_part` ``handed``.

        That is robots.txt's status and body (the parent recorded it), the browser's cookies after the wall,
        the wall's error (or None) and the site's next request slot, so that its requests stay spaced by its
        rate limit across both processes.
        """
        start = time.perf_counter()
        robots_status, robots_body, cookies, wall_error, slot = handed
        self._robots = _robots_parser(urljoin(self.base, "/robots.txt"), robots_status, robots_body)
        self.limiter.not_before(slot)
        self.result.wall_error = wall_error
        if wall_error is None:
            async with self._session() as session:
                client = _AiohttpClient(session)
                for section, _ in self.adapter.listing_urls(self.base):
                    self.result.sections[section] = SectionPages()
                client.add_browser_cookies(cookies)
                await self._crawl(client, self.adapter.listing_urls(self.base))
        self.result.duration_s = time.perf_counter() - start
        return self.result

    async def run_browser_part(self, hub: BrowserHub) -> tuple:
        """The parent's part of a split site: robots.txt and the wall, as :meth:`run` does them.

        Returns what :meth:`run_static` needs (robots.txt's status and body, the browser's cookies, the
        wall's error, the next request slot). Its records (robots.txt, the wall) go to this collector's sink
        and result; the site's turn in the browser ends here (its steps done, its context closed, the
        browser released), also when it fails.
        """
        context = None
        try:
            async with self._session() as session:  # closed after the wall: closing it first would yield the turn
                status, body = await self._robots_txt(_AiohttpClient(session))
                context = await hub.new_context(self.p.user_agent, self.headers)
                await self._pass_wall(context)
                cookies = await context.cookies() if self.result.wall_error is None else []
        finally:
            hub.browser_steps_done()
            try:
                if context is not None:
                    await hub.close_context(context)
            finally:
                await hub.release()
        return status, body, cookies, self.result.wall_error, self.limiter.next_slot()

    def _session(self):
        """The site's aiohttp session: its own cookie jar and at most ``concurrency`` kept-alive connections."""
        if self.http_client != "aiohttp":
            return contextlib.nullcontext(None)
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self.p.concurrency),
            # unsafe: the jar also keeps cookies of IP hosts (the sandbox on 127.0.0.1), as a browser does
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            headers={"User-Agent": self.p.user_agent, **self.headers},
        )

    async def _robots_txt(self, client) -> None:
        url = urljoin(self.base, "/robots.txt")
        try:
            status, body = await client.get(url, self.p.timeout_s)
        except FetchFailed as exc:
            raise FetchFailed(f"{self.adapter.name}: robots.txt not fetched: {exc}") from None
        self._record(PageRecord("robots", url, status, body, 1, fetched_at=_now()))
        self._robots = _robots_parser(url, status, body)
        return status, body

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
                    self._record(PageRecord("wall", first, 200, wall_html, attempt, fetched_at=_now()))
                return
            if attempt < self.p.max_attempts:
                await asyncio.sleep(self.p.backoff_s * (2 ** (attempt - 1)) * (0.5 + random.random()))
        self.result.wall_error = f"terms wall not passed: {last_error}"
        words = (last_error or "").split()
        status = int(words[1]) if len(words) > 1 and words[0] == "HTTP" and words[1].isdigit() else 0
        self._record(
            PageRecord("wall", first, status, None, self.p.max_attempts, error=self.result.wall_error, fetched_at=_now())
        )
        self.progress(f"{self.adapter.name}: {self.result.wall_error} after {self.p.max_attempts} attempts")

    async def _wall_once(self, page, url: str) -> tuple[bool, str | None, bytes | None]:
        """One try of open, accept, redirect: (passed, error, the wall's HTML if it was shown)."""
        timeout = self.p.timeout_s * 4000
        # the DOM is enough (the button, and the cookie set by the redirect): no waiting for the page's load event
        resp = await page.goto(url, timeout=timeout, wait_until="domcontentloaded")
        if resp is None:
            return False, "no response", None
        if resp.status >= 400:
            return False, f"HTTP {resp.status}", None
        button = page.locator(self.adapter.wall_button)
        if not await button.count():
            return True, None, None  # no wall shown (the cookie is already set)
        wall_html = (await page.content()).encode()
        async with page.expect_navigation(timeout=timeout, wait_until="domcontentloaded") as nav:
            await button.first.click()
        after = await nav.value
        if after is None:
            return False, "no response after accepting", wall_html
        if after.status >= 400:
            return False, f"HTTP {after.status}", wall_html
        if await page.locator(self.adapter.wall_button).count():
            return False, "wall shown again after accepting", wall_html
        return True, None, wall_html

    @staticmethod
    async def _give_back_browser(hub: BrowserHub, context: BrowserContext, rendering: asyncio.Task | None) -> None:
        """Wait for the render to end (if one is still going), then close the context and release the browser."""
        try:
            if rendering is not None:
                await rendering
        finally:
            try:
                await hub.close_context(context)
            finally:
                await hub.release()

    async def _render_listing(self, context: BrowserContext) -> tuple[list[tuple[str | None, str]], asyncio.Task | None]:
        """Render a JavaScript listing and capture the API call it makes (later pages are asked of the API directly).

        Returns as soon as the API call is seen, with the render still going (a task): the listing's shell is
        recorded as before, once the page is idle, while the API pages are already being fetched. Without an
        API call (the render ended without one) the listing is a layout problem and no task is left.
        """
        page = await context.new_page()
        api_urls: list[str] = []
        api_seen = asyncio.Event()

        def on_request(request) -> None:
            if self.adapter.api_path_marker in request.url:
                api_urls.append(request.url)
                api_seen.set()

        page.on("request", on_request)
        url = urljoin(self.base, self.adapter.rendered_listing_path)

        async def render() -> None:
            try:
                for attempt in range(1, self.p.max_attempts + 1):
                    try:
                        await page.goto(url, timeout=self.p.timeout_s * 4000, wait_until="networkidle")
                        if api_urls:
                            break
                    except PlaywrightError:
                        if attempt == self.p.max_attempts:
                            raise
                shell = (await page.content()).encode()
                self._record(PageRecord("listing", url, 200, shell, 1, fetched_at=_now()))
            finally:
                await page.close()

        rendering = asyncio.create_task(render())
        seen = asyncio.create_task(api_seen.wait())
        try:
            await asyncio.wait({rendering, seen}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            seen.cancel()
        if not api_urls:
            await rendering  # it ended (a failure is raised here)
            self.result.layout_problems += 1
            return [], None
        return [(None, api_urls[0])], rendering

    async def _crawl(self, client, start: list[tuple[str | None, str]]) -> None:
        """Listing pages and ad pages through one pool of ``concurrency`` workers for the site.

        An ad page is queued the moment a listing page lists it (no waiting for the last listing page);
        queued listing pages go before queued ad pages, so the listing is discovered as fast as before.

        The outcome is the one of visiting the listing breadth-first and then the ads: every listing page
        gets its breadth-first place (``_Place``), and an ad listed on several pages (several sections) is
        the one of its earliest place. So an ad page fetched before the listing is complete is handed to
        the sink only once the listing is complete, with the section of that earliest listing (fetched again
        in the rare case that the earliest listing links it under another URL).
        """
        queue: asyncio.PriorityQueue = asyncio.PriorityQueue()
        order = itertools.count()
        places: dict[str, tuple] = {}  # listing URL -> its breadth-first place
        firsts = {u for _, u in start}
        page_type = self.adapter.listing_page_type()
        failures: list[BaseException] = []
        ad_places: dict[str, tuple] = {}  # ad code -> place of the listing entry that names it
        held: list[PageRecord] = []  # ad pages fetched while listing pages were still due
        listings_due = 0
        ads_done = 0

        def add_listing(section: str | None, url: str, place: tuple) -> None:
            nonlocal listings_due
            if url not in places:
                places[url] = place
                listings_due += 1
                queue.put_nowait((0, next(order), section, url, None))
            elif place < places[url]:
                places[url] = place  # still queued: found earlier by another page (pagination that lists back)

        def add_ad(ad: ListedAd, place: tuple) -> None:
            known = ad_places.get(ad.code)
            if known is None:
                ad_places[ad.code] = place
                self.result.listed[ad.code] = ad
                queue.put_nowait((1, next(order), ad.section, ad.url, ad))
            elif place < known:
                ad_places[ad.code] = place
                self.result.listed[ad.code] = ad

        def finish_ad(rec: PageRecord) -> None:
            nonlocal ads_done
            ad = self.result.listed[rec.ad_code]
            if rec.url != ad.url:  # the earliest listing links it elsewhere: fetch that one
                queue.put_nowait((1, next(order), ad.section, ad.url, ad))
                return
            self._record(dataclasses.replace(rec, section=ad.section) if rec.section != ad.section else rec)
            ads_done += 1
            total = len(self.result.listed)  # final: ad pages are finished only once the listing is complete
            if ads_done % max(1, total // 5) == 0:
                self.progress(f"{self.adapter.name}: {ads_done}/{total} ad pages")

        async def worker() -> None:
            nonlocal listings_due
            while True:
                _, _, section, url, ad = await queue.get()
                try:
                    if ad is None:
                        try:
                            await self._listing_page(client, page_type, section, url, url in firsts, places[url],
                                                     add_listing, add_ad)
                        finally:
                            listings_due -= 1
                        if listings_due == 0:
                            self.progress(f"{self.adapter.name}: {len(places)} listing pages, "
                                          f"{len(self.result.listed)} ads listed")
                            for rec in held:
                                finish_ad(rec)
                            held.clear()
                    else:
                        rec = await self.fetch(client, ad.url, "ad", section=ad.section, ad_code=ad.code)
                        if listings_due:
                            held.append(rec)
                        else:
                            finish_ad(rec)
                except Exception as exc:  # noqa: BLE001 (re-raised once the queue is done; a cancellation ends the worker)
                    failures.append(exc)
                finally:
                    queue.task_done()

        for i, (section, url) in enumerate(start):
            add_listing(section, url, (0, i))
        workers = [asyncio.create_task(worker()) for _ in range(max(1, self.p.concurrency))]
        try:
            await queue.join()
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        if failures:
            raise failures[0]
        for rec in held:  # only left when there were no listing pages at all
            finish_ad(rec)

    async def _listing_page(self, client, page_type: str, section: str | None, url: str, is_first: bool,
                            place: tuple, add_listing, add_ad) -> None:
        """Fetch and read one listing page; ``place``: its breadth-first place (``(depth, parent's place, i)``)."""
        rec = await self.fetch(client, url, page_type, section=section)
        self._record(rec)
        pages = self.result.sections.setdefault(section or ALL_SECTIONS, SectionPages())
        if not rec.ok:
            pages.failed += 1
            if is_first:
                pages.first_error = rec.error
            return
        pages.fetched += 1
        listing = self.adapter.parse_listing(rec.body, url, section)
        if is_first:
            pages.first_page_ok = True
            pages.expected = listing.expected_pages
        if not listing.layout_ok:
            self.result.layout_problems += 1
        for i, ad in enumerate(listing.ads):
            add_ad(ad, (place, i))
        for j, more in enumerate(listing.more):
            add_listing(section, more, (place[0] + 1, place, j))


def _robots_parser(url: str, status: int, body: bytes) -> urllib.robotparser.RobotFileParser:
    """robots.txt as fetched (anything but a 200 allows everything)."""
    parser = urllib.robotparser.RobotFileParser(url)
    parser.parse(body.decode("utf-8", errors="replace").splitlines() if status == 200 else [])
    return parser


async def _block_heavy_resources(route) -> None:
    """Abort a media or font request (only URLs matching ``HEAVY_URLS`` are routed here)."""
    await route.abort()


async def collect_sites(
    collectors: list[SiteCollector], *, chromium_path: str | None, local_sandbox_target: bool,
    in_worker: Sequence[SiteCollector] = (),
) -> list[CollectionResult | BaseException]:
    """Collect several sites concurrently with one browser; a site that fails gives its exception, the others go on.

    The sites of ``in_worker`` are fetched by a worker process each (``collection.worker``), their walls
    still passed in this process's browser.
    """
    hub = BrowserHub(chromium_path, local_sandbox_target, users=sum(c.needs_browser for c in collectors))
    # the browser starts while robots.txt is fetched
    warm = asyncio.create_task(hub.start()) if hub.users else None
    procs: dict[SiteCollector, asyncio.subprocess.Process] = {}
    try:
        if in_worker:
            from sekswerk_assets.collection.worker import start_worker

            # started before the sites, so that the worker's site takes its browser turn as early as the others
            for c in in_worker:
                try:
                    procs[c] = await start_worker()
                except OSError as exc:  # no process to be had (e.g. too many open files): the site stays here
                    log.warning("%s: no collection worker (%s), collected in this process", c.adapter.name,
                                type(exc).__name__)
        return await asyncio.gather(*(_run_one(c, hub, procs.get(c)) for c in collectors), return_exceptions=True)
    finally:
        if warm is not None:
            await asyncio.gather(warm, return_exceptions=True)
        await hub.close()


async def _run_one(collector: SiteCollector, hub: BrowserHub, worker) -> CollectionResult:
    """One site, in this process or (``worker``, a started worker process) split over two; then its ``on_done``."""
    if worker is None:
        result = await collector.run(hub)
    else:
        from sekswerk_assets.collection.worker import run_in_worker

        result = await run_in_worker(collector, hub, worker)
    if collector.on_done is not None:
        collector.on_done(result)
    return result


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)

