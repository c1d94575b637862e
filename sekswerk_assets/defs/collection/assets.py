"""Weekly raw-snapshot assets, one per site, built by one factory from the site adapters."""


import dagster as dg

from sekswerk_assets.collection.client import AdSitesResource
from sekswerk_assets.constants import OWNERS, SITES
from sekswerk_assets.lib.keys import raw_snapshot_key
from sekswerk_assets.lib.metadata import provenance
from sekswerk_assets.lib.snapshots import SnapshotStore
from sekswerk_assets.partitions import TIMEZONE, weekly_partitions, year_of_week
from sekswerk_assets.resources import DataDirResource

MAX_ERROR_RATE = 0.02  # share of ad pages that may fail before the error-rate check warns
HALF_EMPTY = 0.5  # a week with fewer than half the ads of the previous stored week fails


#: Tuesday 07:00 Europe/Amsterdam: the weekly measurement moment
COLLECTION_CRON = "0 7 * * 2"
#: version of what a snapshot holds (pages fetched, manifest fields); bump when the collector changes that
COLLECTOR_VERSION = "1"


def build_raw_snapshot_asset(site: str) -> dg.AssetsDefinition:
    key = raw_snapshot_key(site)
    checks = [
        dg.AssetCheckSpec("all_listed_ads_accounted", asset=key, partitions_def=weekly_partitions, blocking=True,
                          description="Every ad in the listing was fetched or recorded as failed."),
        dg.AssetCheckSpec("week_not_empty", asset=key, partitions_def=weekly_partitions, blocking=True,
                          description="The week has ads, the listing layout was recognised, and it is not half-empty."),
        dg.AssetCheckSpec("error_rate", asset=key, partitions_def=weekly_partitions,
                          description=f"At most {MAX_ERROR_RATE:.0%} of ad pages failed after retries."),
    ]

    @dg.asset(
        key=key,
        partitions_def=weekly_partitions,
        group_name="collection",
        kinds={"playwright", "python"},
        check_specs=checks,
        owners=list(OWNERS),
        code_version=COLLECTOR_VERSION,
        # the current week's partition, every Tuesday morning (a real-site week can never be collected later)
        automation_condition=dg.AutomationCondition.on_cron(COLLECTION_CRON, TIMEZONE),
        tags={"site": site, "personal_data": "raw-encrypted"},
        description=f"Encrypted raw snapshot of every listing and ad page of {site} in one weekly measurement.",
    )
    def _asset(context: dg.AssetExecutionContext, ad_sites: AdSitesResource, data: DataDirResource):
        week = context.partition_key
        store = SnapshotStore(data.root, data.cipher())
        previous = [w for w in store.weeks(site) if w < week]
        result = ad_sites.collect(site, week, progress=context.log.info)

        writer = store.writer(site, week)
        for rec in result.records:
            writer.add(rec)
        ads_ok = result.count("ad", ok=True)
        ads_failed = result.count("ad", ok=False)
        listed = len(result.listed)
        summary = {
            "site": site,
            "week": week,
            "pages": result.pages,
            "ads_listed": listed,
            "ads_fetched": ads_ok,
            "ads_failed": ads_failed,
            "listing_pages": result.count("listing") + result.count("api"),
            "layout_problems": result.layout_problems,
            "duration_s": round(result.duration_s, 2),
            "synthetic": ad_sites.is_sandbox(site),
            "sandbox_seed": ad_sites.sandbox_seed(int(year_of_week(week))) if ad_sites.is_sandbox(site) else None,
        }
        path = writer.commit(summary)
        context.log.info(f"{site} {week}: {ads_ok} ads stored, {ads_failed} failed, in {result.duration_s:.1f}s")

        # Checks
        fetched_codes = {r.ad_code for r in result.records if r.page_type == "ad"}
        missing = len(set(result.listed) - fetched_codes)
        prev_ads = store.summary(site, previous[-1])["ads_fetched"] if previous else None
        half_empty = prev_ads is not None and ads_ok < HALF_EMPTY * prev_ads
        error_rate = ads_failed / listed if listed else 0.0
        yield dg.AssetCheckResult(
            check_name="all_listed_ads_accounted", passed=missing == 0,
            metadata={"listed": listed, "fetched": ads_ok, "failed": ads_failed, "unaccounted": missing},
        )
        yield dg.AssetCheckResult(
            check_name="week_not_empty",
            passed=ads_ok > 0 and result.layout_problems == 0 and not half_empty,
            metadata={"ads": ads_ok, "previous_week_ads": prev_ads if prev_ads is not None else -1,
                      "layout_problems": result.layout_problems},
            description=None if ads_ok else "No ads found: the site layout may have changed (see the adapter).",
        )
        yield dg.AssetCheckResult(
            check_name="error_rate", passed=error_rate <= MAX_ERROR_RATE,
            severity=dg.AssetCheckSeverity.WARN, metadata={"error_rate": round(error_rate, 4)},
        )
        seed = ad_sites.sandbox_seed(int(year_of_week(week))) if ad_sites.is_sandbox(site) else None
        yield dg.MaterializeResult(
            metadata={
                **provenance(synthetic=ad_sites.is_sandbox(site), seed=seed),
                "pages": result.pages,
                "ads": ads_ok,
                "failures": ads_failed + sum(1 for r in result.records if r.page_type != "ad" and not r.ok),
                "duration_s": round(result.duration_s, 2),
                "pages_per_s": round(result.pages / result.duration_s, 1) if result.duration_s else 0.0,
                "budget_exhausted": result.budget_exhausted,
                "snapshot_folder": dg.MetadataValue.path(str(path)),
            }
        )

    return _asset


raw_snapshots = [build_raw_snapshot_asset(site) for site in SITES]
