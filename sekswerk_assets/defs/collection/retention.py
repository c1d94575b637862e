"""Retention of the raw zone: delete encrypted snapshots older than N weeks once they are parsed.

Off by default. After deletion a week can no longer be re-parsed (a parser fix cannot be applied to
it); only its derived, pseudonymised tables remain. Runs as the job ``raw_snapshot_retention``.
"""

import datetime as dt

import dagster as dg
from dagster_duckdb import DuckDBResource

from sekswerk_assets.constants import SITES
from sekswerk_assets.lib.keys import raw_snapshot_key
from sekswerk_assets.lib.snapshots import SnapshotStore
from sekswerk_assets.constants import DUCKDB_POOL
from sekswerk_assets.lib.warehouse import read_sql
from sekswerk_assets.partitions import today
from sekswerk_assets.resources import DataDirResource


class RetentionConfig(dg.Config):
    keep_weeks: int | None = None  # None: keep everything (the default)
    dry_run: bool = False


@dg.op(pool=DUCKDB_POOL, out={}, description="Delete raw snapshots older than keep_weeks whose parsed rows exist.")
def delete_old_snapshots(context: dg.OpExecutionContext, config: RetentionConfig, data: DataDirResource,
                         duckdb: DuckDBResource):
    if config.keep_weeks is None:
        context.log.info("retention is off (keep_weeks not set): nothing deleted")
        return
    cutoff = (today() - dt.timedelta(weeks=config.keep_weeks)).isoformat()
    parsed = read_sql(duckdb, "select distinct measurement_week, site from ads.parsed_ads")
    done = set(zip(parsed.get("measurement_week", []), parsed.get("site", [])))
    store = SnapshotStore(data.root, data.cipher())
    deleted, kept_unparsed = [], []
    for site in SITES:
        for week in store.weeks(site):
            if week >= cutoff:
                continue
            if (week, site) not in done:
                kept_unparsed.append(f"{site}/{week}")
                continue
            if not config.dry_run:
                store.delete(site, week)
            deleted.append(f"{site}/{week}")
    for item in deleted:
        context.log.info(f"{'would delete' if config.dry_run else 'deleted'} raw snapshot {item}")
    if kept_unparsed:
        context.log.warning(f"kept {len(kept_unparsed)} old snapshots that have no parsed rows yet")
    for site in SITES:
        n = sum(1 for item in deleted if item.startswith(f"{site}/"))
        context.log_event(dg.AssetObservation(
            asset_key=raw_snapshot_key(site),
            metadata={"retention_deleted_weeks": n, "retention_cutoff_week": cutoff, "dry_run": config.dry_run},
        ))


@dg.job(description="Delete raw snapshots older than a configurable number of weeks (only where parsed).")
def raw_snapshot_retention():
    delete_old_snapshots()
