"""Weekly raw-snapshot assets, one per site, built by one factory from the site adapters."""


import dagster as dg

from sekswerk_assets.collection.client import AdSitesResource, CollectionConfig
from sekswerk_assets.constants import OWNERS, SITES
from sekswerk_assets.lib.keys import raw_snapshot_key
from sekswerk_assets.lib.metadata import provenance
from sekswerk_assets.lib.snapshots import MAX_ERROR_RATE, SnapshotKept, SnapshotStore, snapshot_checks
from sekswerk_assets.partitions import TIMEZONE, weekly_partitions, year_of_week
from sekswerk_assets.resources import DataDirResource


#: Tuesday 07:00 Europe/Amsterdam: the weekly measurement moment
COLLECTION_CRON = "0 7 * * 2"
#: version of what a snapshot holds (pages fetched, manifest fields); bump when the collector changes that
COLLECTOR_VERSION = "2"  # 2: per-section listing-page counts and the wall's outcome in the summary


def build_raw_snapshot_asset(site: str) -> dg.AssetsDefinition:
    key = raw_snapshot_key(site)
    checks = [
        dg.AssetCheckSpec("all_listed_ads_accounted", asset=key, partitions_def=weekly_partitions, blocking=True,
                          description="Every listing page of every section arrived and every listed ad was fetched "
                                      "or recorded as failed."),
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
    def _asset(context: dg.AssetExecutionContext, config: CollectionConfig, ad_sites: AdSitesResource,
               data: DataDirResource):
        week = context.partition_key
        store = SnapshotStore(data.root, data.cipher())
        previous = [w for w in store.weeks(site) if w < week]
        prev_ads = store.summary(site, previous[-1])["ads_fetched"] if previous else None
        result = ad_sites.collect(site, week, progress=context.log.info)

        writer = store.writer(site, week)
        for rec in result.records:
            writer.add(rec)
        ads_ok = result.count("ad", ok=True)
        ads_failed = result.count("ad", ok=False)
        summary = {
            "site": site,
            "week": week,
            **result.summary(),
            "synthetic": ad_sites.is_sandbox(site),
            "sandbox_seed": ad_sites.sandbox_seed(int(year_of_week(week))) if ad_sites.is_sandbox(site) else None,
        }
        # written aside and checked there; it replaces the stored snapshot only if it is not worse
        staged = writer.stage(summary)
        try:
            outcomes = snapshot_checks(staged.summary, prev_ads)
            try:
                path = store.promote(staged, outcomes, force=config.replace == "force")
            except SnapshotKept as exc:
                raise dg.Failure(description=str(exc), metadata={
                    f"new_{o.name}": o.passed for o in outcomes}) from None
        finally:
            staged.discard()
        context.log.info(f"{site} {week}: {ads_ok} ads stored, {ads_failed} failed, in {result.duration_s:.1f}s")

        for o in outcomes:
            yield dg.AssetCheckResult(
                check_name=o.name, passed=o.passed, metadata=o.metadata, description=o.description,
                severity=dg.AssetCheckSeverity.ERROR if o.blocking else dg.AssetCheckSeverity.WARN,
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
