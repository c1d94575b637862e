"""Plain collectors of the sandbox week, written without any of the project's collector code.

They are the yardsticks of ``bench.collection``: a Scrapy 2.x spider (``scrapy_spider``) and an
aiohttp + selectolax fetcher (``aiohttp_fetcher``). Both fetch robots.txt, every listing section with
its pagination, the JSON API pages of the JavaScript listing and every ad page, and pass the
terms/cookie walls by sending the cookie the wall would set (no browser).
"""
