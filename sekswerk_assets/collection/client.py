"""The ad-site resource: real sites from configured base URLs, or the embedded sandbox.

When a site has no base URL (``SEKSWERK_<SITE>_URL`` unset) the resource starts the
sandbox server (a subprocess on 127.0.0.1) on first use and stops it when the step ends.
Politeness defaults differ: unthrottled for the sandbox, slow and careful for real sites.
:meth:`AdSitesResource.collect_many` collects several sites concurrently in one event loop
with one browser (for the walls and the JavaScript listing); static pages go through aiohttp.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import dagster as dg
from pydantic import Field, PrivateAttr, field_validator

from sekswerk_assets import settings
from sekswerk_assets.collection.adapters import ADAPTERS
from sekswerk_assets.collection.collector import HTTP_CLIENTS, CollectionResult, Politeness
from sekswerk_assets.collection.run import SANDBOX_WEEK_HEADER, USER_AGENT, collect_outcomes, default_politeness
from sekswerk_assets.lib.snapshots import PageRecord
from sekswerk_assets.partitions import today, week_of_date, year_of_week

__all__ = ["SANDBOX_WEEK_HEADER", "USER_AGENT", "AdSitesResource", "CollectionConfig", "PastWeekRefused"]


class CollectionConfig(dg.Config):
    """Run config of a raw-snapshot asset."""

    replace: Literal["if_not_worse", "force"] = Field(
        default="if_not_worse",
        description="if_not_worse: a new snapshot replaces the stored one only if it passes its checks and holds "
        "at least as many ads; force: replace it anyway",
    )


class PastWeekRefused(dg.Failure):
    """A past week cannot be collected from a real site (it only shows the present)."""


class AdSitesResource(dg.ConfigurableResource):
    """Where and how to collect the three ad sites."""

    kinky_url: str | None = Field(default=None, description="base URL; unset -> embedded sandbox")
    sexjobs_url: str | None = None
    topescortbabes_url: str | None = None
    # a string so that it can be an EnvVar (SEKSWERK_SANDBOX_SCALE) that stays set when another field is
    # overridden in the Launchpad; numbers are accepted too
    sandbox_scale: str = Field(default="1.0", description="population scale of the embedded sandbox (a number)")
    sandbox_base_urls: dict[str, str] | None = Field(
        default=None, description="an already running sandbox (site -> base URL), e.g. from `python -m sekswerk_assets.sandbox serve`"
    )
    sandbox_config: str | None = Field(default=None, description="sandbox config.yaml (default: the packaged one)")
    sandbox_fault_http_5xx: float = 0.0
    sandbox_fault_timeout: float = 0.0
    sandbox_fault_truncated: float = 0.0
    sandbox_fault_slow: float = 0.0
    sandbox_fault_fail_paths: list[str] = Field(
        default_factory=list, description="sandbox paths that always answer 503 (fault injection in tests)")
    sandbox_layout_change: bool = False
    chromium_path: str | None = None
    user_agent: str = USER_AGENT
    concurrency: int | None = Field(default=None, description="parallel requests per site (sandbox 64, real 2)")
    rate_per_second: float | None = Field(default=None, description="max requests/s per site (sandbox none, real 1)")
    max_attempts: int = 5
    timeout_s: float | None = Field(default=None, description="per request (sandbox 3 s, real 30 s)")
    page_budget: int = 60_000
    http_client: str = Field(
        default="aiohttp",
        description="how static pages (robots.txt, listings, API pages, ads) are fetched: 'aiohttp' (fast path: "
        "keep-alive pool with the browser's cookies) or 'browser' (the browser context's request context)",
    )

    _sandbox_servers: dict = PrivateAttr(default_factory=dict)

    @field_validator("sandbox_scale", mode="before")
    @classmethod
    def _scale_as_text(cls, value):
        """Numbers are accepted and kept as text (the field is text so that it can be an EnvVar)."""
        return str(value) if isinstance(value, (int, float)) else value  # measurement year -> (server, urls)

    @field_validator("http_client")
    @classmethod
    def _known_client(cls, value):
        if isinstance(value, str) and value not in HTTP_CLIENTS:
            raise ValueError(f"http_client must be one of {', '.join(HTTP_CLIENTS)}, not {value!r}")
        return value

    @classmethod
    def from_env(cls) -> "AdSitesResource":
        return cls(
            kinky_url=settings.config_value("SEKSWERK_KINKY_URL"),
            sexjobs_url=settings.config_value("SEKSWERK_SEXJOBS_URL"),
            topescortbabes_url=settings.config_value("SEKSWERK_TOPESCORTBABES_URL"),
            sandbox_scale=settings.config_value("SEKSWERK_SANDBOX_SCALE"),
            chromium_path=settings.config_value("SEKSWERK_CHROMIUM_PATH"),
        )

    # -- sandbox lifecycle ------------------------------------------------------------------
    def configured_url(self, site: str) -> str | None:
        return getattr(self, f"{site}_url")

    def is_sandbox(self, site: str) -> bool:
        return not self.configured_url(site)

    def sandbox_config_model(self, year: int | None = None):
        """The sandbox configuration, for ``year`` when given (the packaged config simulates 2020)."""
        from sekswerk_assets.sandbox.config import load_config

        config = load_config(
            self.sandbox_config,
            scale=float(self.sandbox_scale),
            layout_change=self.sandbox_layout_change,
            faults={
                "http_5xx": self.sandbox_fault_http_5xx,
                "timeout": self.sandbox_fault_timeout,
                "truncated": self.sandbox_fault_truncated,
                "slow": self.sandbox_fault_slow,
                "fail_paths": tuple(self.sandbox_fault_fail_paths),
            },
        )
        return config if year is None else config.for_year(year)

    def sandbox_seed(self, year: int | None = None) -> int:
        return self.sandbox_config_model(year).seed

    @property
    def synthetic(self) -> bool:
        """True when any site is served by the embedded sandbox: everything derived is synthetic."""
        return any(self.is_sandbox(s) for s in ADAPTERS)

    def provenance(self, year: int | str | None = None, **extra) -> dict:
        """Provenance metadata for assets computed from these sites' snapshots (of ``year`` if known)."""
        from sekswerk_assets.lib.metadata import provenance

        seed = self.sandbox_seed(int(year) if year is not None else None) if self.synthetic else None
        return provenance(synthetic=self.synthetic, seed=seed, **extra)

    def base_url(self, site: str, week: str | None = None) -> str:
        """Base URL of ``site``; for the embedded sandbox, of the server simulating ``week``'s year."""
        url = self.configured_url(site)
        if url:
            return url
        if self.sandbox_base_urls:
            return self.sandbox_base_urls[site]
        year = int(year_of_week(week)) if week else self.sandbox_config_model().measurement_year
        if year not in self._sandbox_servers:
            from sekswerk_assets.sandbox.server import SandboxServer

            server = SandboxServer(self.sandbox_config_model(year))
            self._sandbox_servers[year] = (server, server.start())
        return self._sandbox_servers[year][1][site]

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.stop_sandbox()

    def stop_sandbox(self) -> None:
        for server, _ in self._sandbox_servers.values():
            server.stop()
        self._sandbox_servers.clear()

    # -- collection -------------------------------------------------------------------------
    def politeness(self, site: str) -> Politeness:
        return default_politeness(
            sandbox=self.is_sandbox(site), user_agent=self.user_agent, concurrency=self.concurrency,
            rate_per_second=self.rate_per_second, max_attempts=self.max_attempts, timeout_s=self.timeout_s,
            page_budget=self.page_budget,
        )

    def check_week(self, site: str, week: str) -> None:
        """Refuse to collect a past or future week from a real site."""
        if self.is_sandbox(site):
            return
        current = week_of_date(today())
        if week != current:
            raise PastWeekRefused(
                description=(
                    f"Refusing to collect week {week} from the real site {site!r}: a real site only shows the "
                    f"current week ({current}). Past weeks cannot be collected later; existing snapshots are left "
                    "untouched, and downstream assets can be backfilled from stored snapshots."
                )
            )

    def collect(self, site: str, week: str, progress=None) -> CollectionResult:
        """Collect every listed ad page of ``site`` as it is in ``week``."""
        return self.collect_many([site], week, progress=progress)[site]

    def collect_many(
        self,
        sites: Sequence[str],
        week: str,
        progress: Callable[[str], None] | None = None,
        sink: Callable[[str, PageRecord], None] | None = None,
        keep_bodies: bool | None = None,
    ) -> dict[str, CollectionResult]:
        """Collect ``sites`` concurrently (one event loop, one browser) as they are in ``week``.

        ``sink(site, record)``, if given, receives every page record in a writer thread (e.g. a
        :class:`~sekswerk_assets.lib.snapshots.SnapshotWriter`'s ``add``), so its compression never
        stalls fetching; it has received every record when this returns. If a site fails, the others
        are still collected, and then the first failure (in the order of ``sites``) is raised.
        With a sink the results' records keep no page bodies (``b""`` for a body handed over) unless
        ``keep_bodies=True``.
        """
        outcomes = self.collect_outcomes(sites, week, progress=progress, sink=sink, keep_bodies=keep_bodies)
        for site in sites:
            if isinstance(outcomes[site], BaseException):
                raise outcomes[site]
        return outcomes

    def collect_outcomes(
        self,
        sites: Sequence[str],
        week: str,
        progress: Callable[[str], None] | None = None,
        sink: Callable[[str, PageRecord], None] | None = None,
        keep_bodies: bool | None = None,
        on_site_done: Callable[[str, CollectionResult], None] | None = None,
    ) -> dict[str, CollectionResult | BaseException]:
        """:meth:`collect_many`, but a site that failed maps to its exception instead of raising.

        ``on_site_done(site, result)``: see :func:`~sekswerk_assets.collection.run.collect_outcomes`.
        """
        sites = list(dict.fromkeys(sites))
        for site in sites:
            self.check_week(site, week)
        return collect_outcomes(
            {site: self.base_url(site, week) for site in sites},
            week,
            {site: self.politeness(site) for site in sites},
            sandbox_sites=[s for s in sites if self.is_sandbox(s)],
            http_client=self.http_client,
            chromium_path=self.chromium_path,
            progress=progress,
            sink=sink,
            keep_bodies=keep_bodies,
            on_site_done=on_site_done,
        )
