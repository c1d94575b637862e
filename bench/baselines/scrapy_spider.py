"""A plain Scrapy 2.x spider of one sandbox week (no browser, no project code).

    python -m bench.baselines.scrapy_spider --urls '{"kinky": "http://127.0.0.1:PORT", ...}' --week 2020-11-24

Settings as a Scrapy user would set them for a fast crawl: 64 concurrent requests (64 per domain; the
three sandbox sites share the host 127.0.0.1, so 64 in all), no download delay, no AutoThrottle,
robots.txt obeyed, CONCURRENT_ITEMS lowered to 8 (see SETTINGS), cookies on (the wall cookie is sent with the
first requests and then kept by the cookie middleware). Listings and ad pages are parsed with Scrapy's
selectors; an ad page yields a minimal item (URL and title) that goes to no feed.
"""

from __future__ import annotations

import time

import scrapy
import scrapy.downloadermiddlewares.cookies as scrapy_cookies
from scrapy import signals
from scrapy.crawler import CrawlerProcess

from bench.baselines.sites import (CONCURRENCY, cli, USER_AGENT, WALL_COOKIES, WEEK_HEADER, category_of, page_key,
                                   start_urls, teb_api_url)

# The cookie middleware splits domains with tldextract, which downloads the public suffix list on first use;
# this machine is offline, so use the list tldextract ships with (no network wait, no traceback).
if hasattr(scrapy_cookies, "_split_domain"):  # Scrapy >= 2.11.1
    import tldextract

    scrapy_cookies._split_domain = tldextract.TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)

SETTINGS = {
    "CONCURRENT_REQUESTS": CONCURRENCY,
    "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": True,
    "COOKIES_ENABLED": True,
    "USER_AGENT": USER_AGENT,
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": False,
    "HTTPCACHE_ENABLED": False,
    "RETRY_TIMES": 2,
    "DOWNLOAD_TIMEOUT": 10,
    # Scrapy (>= 2.14 on asyncio) starts CONCURRENT_ITEMS worker tasks for the output of every response; the
    # default 100 doubles this spider's CPU (measured at scale 0.2: 8-9 s against 4.6-4.8 s) although no item
    # pipeline is set. A tuned spider is the fairer yardstick.
    "CONCURRENT_ITEMS": 8,
}


class SandboxWeekSpider(scrapy.Spider):
    name = "sandbox_week"

    def __init__(self, urls: dict[str, str], week: str, **kwargs):
        super().__init__(**kwargs)
        self.urls = urls
        self.week = week
        self.site_of_port = {base.rstrip("/").rsplit(":", 1)[1]: site for site, base in urls.items()}
        self.pages: list[tuple[str, str, str]] = []  # (site, category, url) of every 200 response

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_response, signal=signals.response_received)
        return spider

    def site_of(self, url: str) -> str:
        return self.site_of_port[url.split("/")[2].rsplit(":", 1)[1]]

    def on_response(self, response, request, spider):
        """Every downloaded response, robots.txt included (it never reaches a callback)."""
        if response.status != 200:
            return
        site = self.site_of(response.url)
        self.pages.append((site, category_of(site, page_key(response.url)), response.url))

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        for site, base in self.urls.items():
            for url in start_urls(site, base):
                yield scrapy.Request(url, callback=self.parse_listing, cookies=site_cookies(site),
                                     headers={WEEK_HEADER: self.week}, cb_kwargs={"site": site})

    def follow(self, response, url: str, callback, site: str):
        return response.follow(url, callback=callback, headers={WEEK_HEADER: self.week}, cb_kwargs={"site": site})

    def parse_listing(self, response, site: str):
        if site == "topescortbabes":
            data = response.json()
            items = data.get("items") or []
            offset, total = int(data.get("offset", 0)), int(data.get("total", 0))
            for item in items:
                yield self.follow(response, item["url"], self.parse_ad, site)
            if items and offset + len(items) < total:
                yield self.follow(response, teb_api_url(self.urls[site], offset + len(items)), self.parse_listing, site)
            return
        if site == "kinky":
            ads = response.css("li.ad-card a.ad-link::attr(href)").getall()
            more = response.css("a[rel=next]::attr(href)").getall()
        else:
            ads = response.css("article.advert a.advert-link::attr(href)").getall()
            more = response.css("nav.pagination a.page::attr(href)").getall()
        for href in ads:
            yield self.follow(response, href, self.parse_ad, site)
        for href in more:
            yield self.follow(response, href, self.parse_listing, site)

    def parse_ad(self, response, site: str):
        yield {"url": response.url, "title": response.css("title::text").get()}


def site_cookies(site: str) -> list[dict]:
    """The wall cookie for the whole site (a bare dict would get the first request's folder as its path)."""
    return [{"name": k, "value": v, "path": "/"} for k, v in WALL_COOKIES[site].items()]


def run(urls: dict[str, str], week: str) -> dict:
    """Crawl the week in this process (Twisted's reactor can run once per process)."""
    process = CrawlerProcess(settings=SETTINGS)
    crawler = process.create_crawler(SandboxWeekSpider)
    start = time.perf_counter()
    process.crawl(crawler, urls=urls, week=week)
    process.start()
    spider = crawler.spider
    stats = crawler.stats.get_stats()
    return {
        "work_seconds": time.perf_counter() - start,
        "pages": spider.pages,
        "failed": int(stats.get("downloader/response_status_count/503", 0)) + int(stats.get("retry/max_reached", 0)),
        "bytes": int(stats.get("downloader/response_bytes", 0)),
    }


if __name__ == "__main__":
    cli(run)
