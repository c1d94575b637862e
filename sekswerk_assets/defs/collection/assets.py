"""Weekly raw snapshots of the three sites: one multi-asset that collects the selected sites concurrently."""


import dagster as dg

from sekswerk_assets.collection.client import AdSitesResource, CollectionConfig, PastWeekRefused
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


def raw_snapshot_spec(site: str) -> dg.AssetSpec:
    """The raw-snapshot asset of one site (one output of :func:`raw_snapshots`)."""
    return dg.AssetSpec(
        key=raw_snapshot_key(site),
        group_name="collection",
        kinds={"playwright", "python"},
        owners=list(OWNERS),
        code_version=COLLECTOR_VERSION,
        # the current week's partition, every Tuesday morning (a real-site week can never be collected later)
        automation_condition=dg.AutomationCondition.on_cron(COLLECTION_CRON, TIMEZONE),
        tags={"site": site, "personal_data": "raw-encrypted"},
        description=f"Encrypted raw snapshot of every listing and ad page of {site} in one weekly measurement.",
    )


def raw_snapshot_checks(site: str) -> list[dg.AssetCheckSpec]:
    """The collection checks of one site's raw snapshot (run on the staged copy before it may replace the stored one)."""
    key = raw_snapshot_key(site)
    return [
        dg.AssetCheckSpec("all_listed_ads_accounted", asset=key, partitions_def=weekly_partitions, blocking=True,
                          description="Every listing page of every section arrived and every listed ad was fetched "
                                      "or recorded as failed."),
        dg.AssetCheckSpec("week_not_empty", asset=key, partitions_def=weekly_partitions, blocking=True,
                          description="The week has ads, the listing layout was recognised, and it is not half-empty."),
        dg.AssetCheckSpec("error_rate", asset=key, partitions_def=weekly_partitions,
                          description=f"At most {MAX_ERROR_RATE:.0%} of ad pages failed after retries."),
    ]


@dg.multi_asset(
    name="raw_snapshots",
    specs=[raw_snapshot_spec(site) for site in SITES],
    check_specs=[spec for site in SITES for spec in raw_snapshot_checks(site)],
    partitions_def=weekly_partitions,
    can_subset=True,
    description="Encrypted raw snapshots of the selected sites in one weekly measurement, collected concurrently.",
)
def raw_snapshots(context: dg.AssetExecutionContext, config: CollectionConfig, ad_sites: AdSitesResource,
                  data: DataDirResource):
    """Encrypted raw snapshots of the selected sites in one weekly measurement, collected concurrently."""
    week = context.partition_key
    selected = [s for s in SITES if raw_snapshot_key(s) in context.selected_asset_keys]
    failures: list[str] = []
    refused: list[str] = []
    sites = []
    for site in selected:
        try:
            ad_sites.check_week(site, week)
        except PastWeekRefused as exc:
            refused.append(exc.description or str(exc))
        else:
            sites.append(site)

    store = SnapshotStore(data.root, data.cipher())
    previous_ads = {}
    for site in sites:
        previous = [w for w in store.weeks(site) if w < week]
        previous_ads[site] = store.summary(site, previous[-1])["ads_fetched"] if previous else None
    writers = {site: store.writer(site, week) for site in sites}
    # the sandbox's seed of the week's year, for every sandbox site (one config load)
    seed = ad_sites.sandbox_seed(int(year_of_week(week))) if any(map(ad_sites.is_sandbox, sites)) else None
    staged: dict = {}

    def stage_when_collected(site: str, result) -> None:
        # in the writer thread, as soon as the site is in: its snapshot is written aside (not yet checked
        # or promoted) while the other sites are still being fetched
        try:
            staged[site] = writers[site].stage(_summary(ad_sites, site, week, result, seed))
        except Exception as exc:  # noqa: BLE001 (raised for this site alone, below)
            staged[site] = exc

    # records are compressed in a writer thread while the sites are still being fetched
    try:
        outcomes = ad_sites.collect_outcomes(sites, week, progress=context.log.info,
                                             sink=lambda site, rec: writers[site].add(rec),
                                             on_site_done=stage_when_collected) if sites else {}
    except BaseException:
        _discard(staged)
        raise

    errors: list[BaseException] = []
    metadata: dict = {}
    try:
        for site in sites:
            result = outcomes[site]
            if isinstance(result, BaseException):
                errors.append(result)
                failures.append(f"{site}: collection failed ({type(result).__name__})")
                context.log.error(f"{site} {week}: collection failed ({type(result).__name__})")
                continue
            snapshot = staged.pop(site)
            if isinstance(snapshot, BaseException):  # this site's snapshot could not be written; the others go on
                errors.append(snapshot)
                failures.append(f"{site}: snapshot not written ({type(snapshot).__name__})")
                context.log.error(f"{site} {week}: snapshot not written ({type(snapshot).__name__})")
                continue
            kept = yield from _store_site(context, config, ad_sites, store, snapshot, site, week, result,
                                          previous_ads[site], seed if ad_sites.is_sandbox(site) else None)
            if kept is not None:
                failures.append(kept[0])
                metadata.update(kept[1])
    finally:
        _discard(staged)
    # the other sites' results are in; now the run fails, naming the site(s) and the reason
    if refused:
        raise PastWeekRefused(description=" ".join(refused + failures))
    if errors and len(failures) == 1:
        raise errors[0]
    if failures:
        raise dg.Failure(description="; ".join(failures), metadata=metadata) from (errors[0] if errors else None)


def _summary(ad_sites, site: str, week: str, result, seed) -> dict:
    """The snapshot's summary.json: the collection's counts and where the pages came from."""
    return {
        "site": site,
        "week": week,
        **result.summary(),
        "synthetic": ad_sites.is_sandbox(site),
        "sandbox_seed": seed if ad_sites.is_sandbox(site) else None,
    }


def _discard(staged: dict) -> None:
    """Remove staged snapshots that were not promoted (the run failed before their turn)."""
    for snapshot in staged.values():
        if not isinstance(snapshot, BaseException):
            snapshot.discard()
    staged.clear()


def _store_site(context, config, ad_sites, store, staged, site, week, result, prev_ads, seed):
    """Check and promote one site's staged snapshot; yield its check results and materialisation.

    Returns None, or why the new snapshot was kept out (the stored one stays) and the new checks' outcomes.
    """
    key = raw_snapshot_key(site)
    ads_ok = result.count("ad", ok=True)
    ads_failed = result.count("ad", ok=False)
    # written aside (staged) and checked there; it replaces the stored snapshot only if it is not worse
    try:
        outcomes = snapshot_checks(staged.summary, prev_ads)
        try:
            path = store.promote(staged, outcomes, force=config.replace == "force")
        except SnapshotKept as exc:
            context.log.error(str(exc))
            return str(exc), {f"{site}_new_{o.name}": o.passed for o in outcomes}
    finally:
        staged.discard()
    context.log.info(f"{site} {week}: {ads_ok} ads stored, {ads_failed} failed, in {result.duration_s:.1f}s")

    selected_checks = context.selected_asset_check_keys
    for o in outcomes:
        if dg.AssetCheckKey(key, o.name) not in selected_checks:
            continue
        yield dg.AssetCheckResult(
            asset_key=key, check_name=o.name, passed=o.passed, metadata=o.metadata, description=o.description,
            severity=dg.AssetCheckSeverity.ERROR if o.blocking else dg.AssetCheckSeverity.WARN,
        )
    yield dg.MaterializeResult(
        asset_key=key,
        metadata={
            **provenance(synthetic=ad_sites.is_sandbox(site), seed=seed),
            "pages": result.pages,
            "ads": ads_ok,
            "failures": ads_failed + sum(1 for r in result.records if r.page_type != "ad" and not r.ok),
            "duration_s": round(result.duration_s, 2),
            "pages_per_s": round(result.pages / result.duration_s, 1) if result.duration_s else 0.0,
            "budget_exhausted": result.budget_exhausted,
            "snapshot_folder": dg.MetadataValue.path(str(path)),
        },
    )
    return None
