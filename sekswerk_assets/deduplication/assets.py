"""Deduplication and lifecycle assets: weekly unique ads, running ad state, weekly and yearly lifecycle."""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from sekswerk_assets.collection.client import AdSitesResource
from sekswerk_assets.deduplication.lifecycle import advance_state, year_series
from sekswerk_assets.deduplication.linkage import LINKAGE_VERSION, unique_workers as build_unique_workers
from sekswerk_assets.deduplication.weekly import DEDUP_VERSION, dedup_week
from sekswerk_assets.lib.checks import DUCKDB_POOL, dagster_type, pandera_check
from sekswerk_assets.lib.metadata import table_metadata
from sekswerk_assets.lib.warehouse import in_list, read_sql
from sekswerk_assets.partitions import (
    WEEK_PARTITION_EXPR,
    measurement_year_partitions,
    weekly_partitions,
    weeks_of_year,
    year_end,
    year_of_week,
)
from sekswerk_assets.schemas.ads import (
    AdLifecycleModel,
    AdLifecycleYearModel,
    AdStateModel,
    UniqueWorkersModel,
    WeeklyUniqueAdsModel,
)

PARSED = dg.AssetKey(["ads", "parsed_ads"])
WEEKLY_META = {"partition_expr": WEEK_PARTITION_EXPR}
YEARLY_META = {"partition_expr": "measurement_year"}


VERSIONS = {"dedup_version": DEDUP_VERSION, "linkage_version": LINKAGE_VERSION}


@dg.asset(
    key=["ads", "weekly_unique_ads"],
    ins={"parsed_ads": dg.AssetIn(PARSED)},
    partitions_def=weekly_partitions,
    group_name="deduplication",
    kinds={"duckdb", "pandas"},
    pool=DUCKDB_POOL,
    dagster_type=dagster_type(WeeklyUniqueAdsModel),
    metadata=WEEKLY_META,
    owners=["team:data-engineering"],
)
def weekly_unique_ads(context: dg.AssetExecutionContext, parsed_ads: pd.DataFrame, ad_sites: AdSitesResource) -> pd.DataFrame:
    """Unique ads of a week after between-site deduplication on phone + municipality (kinky kept)."""
    unique, stats = dedup_week(parsed_ads)
    context.log.info(f"{context.partition_key}: {stats['observations']} observations -> {stats['unique_ads']} unique ads")
    context.add_output_metadata({**table_metadata(unique, preview=False), **stats,
                               **ad_sites.provenance(year_of_week(context.partition_key), **VERSIONS)})
    return unique


@dg.multi_asset(
    outs={
        "ad_state": dg.AssetOut(
            key=["ads", "ad_state"], dagster_type=dagster_type(AdStateModel), metadata=WEEKLY_META,
            kinds={"duckdb", "pandas"}, group_name="deduplication", owners=["team:data-engineering"],
            description="Running first/last-seen state of every unique ad up to this week.",
        ),
        "ad_lifecycle": dg.AssetOut(
            key=["ads", "ad_lifecycle"], dagster_type=dagster_type(AdLifecycleModel), metadata=WEEKLY_META,
            kinds={"duckdb", "pandas"}, group_name="deduplication", owners=["team:data-engineering"],
            description="Figures 2.2-2.5 for one week: active, new (vs 1, 5, all previous), provisional closed/seen-once.",
        ),
    },
    ins={"weekly_unique_ads": dg.AssetIn(["ads", "weekly_unique_ads"])},
    deps=[
        dg.AssetDep(
            dg.AssetKey(["ads", "ad_state"]),
            partition_mapping=dg.TimeWindowPartitionMapping(
                start_offset=-1, end_offset=-1, allow_nonexistent_upstream_partitions=True
            ),
        )
    ],
    partitions_def=weekly_partitions,
    pool=DUCKDB_POOL,
)
def ad_lifecycle(context: dg.AssetExecutionContext, weekly_unique_ads: pd.DataFrame, duckdb: DuckDBResource, ad_sites: AdSitesResource):
    """Advance the running ad state by one week and count the week's lifecycle (cost flat in history)."""
    week = context.partition_key
    # the latest collected week before this one (a missing week is skipped, not fatal)
    prev_week_df = read_sql(duckdb, "select max(measurement_week) as w from ads.ad_state where measurement_week < ?", [week])
    previous_week = None if prev_week_df.empty or pd.isna(prev_week_df["w"].iloc[0]) else prev_week_df["w"].iloc[0]
    previous = (
        read_sql(duckdb, "select * from ads.ad_state where measurement_week = ?", [previous_week])
        if previous_week else None
    )
    state, row = advance_state(previous, previous_week, week, weekly_unique_ads["unique_ad_key"])
    lifecycle = pd.DataFrame([row])
    lifecycle["previous_week"] = lifecycle["previous_week"].astype(pd.StringDtype())
    for c in ("new_vs_previous", "new_vs_previous_five", "new_vs_all_previous",
              "closed_previous_provisional", "seen_once_previous_provisional"):
        lifecycle[c] = lifecycle[c].astype("Int64")
    meta = ad_sites.provenance(year_of_week(week), **VERSIONS)
    yield dg.Output(state, "ad_state", metadata={**table_metadata(state, preview=False), "state_size": len(state), **meta})
    yield dg.Output(
        lifecycle, "ad_lifecycle",
        metadata={**table_metadata(lifecycle), **{k: (v if v is not None else -1) for k, v in row.items() if k != "previous_week" and k != "measurement_week"}, **meta},
    )


def read_presence(duckdb: DuckDBResource, year: str) -> pd.DataFrame:
    """Unique-ad presence per week for every collected week up to the end of the following year."""
    until = year_end(int(year) + 1).isoformat()
    return read_sql(
        duckdb,
        "select measurement_week, unique_ad_key from ads.weekly_unique_ads where measurement_week <= ?",
        [until],
    )


def read_year_rows(duckdb: DuckDBResource, year: str) -> pd.DataFrame:
    return read_sql(
        duckdb,
        f"select * from ads.weekly_unique_ads where measurement_week in {in_list(weeks_of_year(year))} "
        "order by measurement_week, site, ad_pseudo",
    )


YEARLY_DEPS = [dg.AssetDep(dg.AssetKey(["ads", "weekly_unique_ads"]), partition_mapping=dg.AllPartitionMapping())]


@dg.asset(
    key=["ads", "ad_lifecycle_year"],
    deps=YEARLY_DEPS,
    partitions_def=measurement_year_partitions,
    group_name="deduplication",
    kinds={"duckdb", "pandas"},
    pool=DUCKDB_POOL,
    dagster_type=dagster_type(AdLifecycleYearModel),
    metadata=YEARLY_META,
    owners=["team:data-engineering"],
)
def ad_lifecycle_year(context: dg.AssetExecutionContext, duckdb: DuckDBResource, ad_sites: AdSitesResource) -> pd.DataFrame:
    """Final weekly series of a measurement year (Figures 2.2-2.5) with uncertain edge weeks flagged."""
    from sekswerk_assets.tables.plots import lifecycle_figures

    year = context.partition_key
    presence = read_presence(duckdb, year)
    if presence.empty:
        raise dg.Failure(f"No weekly unique ads stored for measurement year {year}: materialise its weeks first.")
    series = year_series(presence, year, weeks_of_year(year))
    collected = series[series["collected"]]
    meta = {
        **table_metadata(series),
        "weeks_collected": int(series["collected"].sum()),
        "weeks_missing": int((~series["collected"]).sum()),
        "seen_once_total": int(collected["seen_once"].sum()),
        "active_min": int(collected["active"].min()),
        "active_max": int(collected["active"].max()),
        "closed_mean": round(float(collected["closed"].mean()), 1),
        **lifecycle_figures(series),
        **ad_sites.provenance(year, **VERSIONS),
    }
    context.add_output_metadata(meta)
    return series


@dg.asset(
    key=["ads", "unique_workers"],
    deps=YEARLY_DEPS,
    partitions_def=measurement_year_partitions,
    group_name="deduplication",
    kinds={"duckdb", "pandas"},
    pool=DUCKDB_POOL,
    dagster_type=dagster_type(UniqueWorkersModel),
    metadata=YEARLY_META,
    owners=["team:data-engineering"],
)
def unique_workers(context: dg.AssetExecutionContext, duckdb: DuckDBResource, ad_sites: AdSitesResource) -> pd.DataFrame:
    """Unique ads over the year by the report's method (ad code + name) and by improved linkage."""
    year = context.partition_key
    rows = read_year_rows(duckdb, year)
    if rows.empty:
        raise dg.Failure(f"No weekly unique ads stored for measurement year {year}: materialise its weeks first.")
    from sekswerk_assets.tables.plots import match_weights_figure

    context.log.info(f"{year}: linking {rows['unique_ad_key'].nunique()} report units with splink ...")
    units, model = build_unique_workers(rows, year)
    n = units.groupby("method").size().to_dict()
    context.log.info(f"{year}: {n.get('report', 0)} unique ads (report method), {n.get('linked', 0)} linked advertisers")
    context.add_output_metadata(
        {
            **table_metadata(units, preview=False),
            "unique_ads_report_method": int(n.get("report", 0)),
            "advertisers_linked": int(n.get("linked", 0)),
            "weeks_used": int(rows["measurement_week"].nunique()),
            "linkage/candidate_pairs": model.pairs_scored,
            "linkage/pairs_linked": model.pairs_linked,
            "linkage/prior_match_probability": model.prior,
            "linkage/training": dg.MetadataValue.md("\n".join(f"- {t}" for t in model.training)),
            "linkage/match_weights": dg.MetadataValue.md(model.match_weights.round(4).to_markdown(index=False)),
            "linkage/match_weights_chart": match_weights_figure(model.match_weights),
            **ad_sites.provenance(year, **VERSIONS),
        }
    )
    return units


assets = [weekly_unique_ads, ad_lifecycle, ad_lifecycle_year, unique_workers]
checks = [
    pandera_check(weekly_unique_ads, WeeklyUniqueAdsModel, partitions_def=weekly_partitions),
    pandera_check(dg.AssetKey(["ads", "ad_state"]), AdStateModel, partitions_def=weekly_partitions),
    pandera_check(dg.AssetKey(["ads", "ad_lifecycle"]), AdLifecycleModel, partitions_def=weekly_partitions),
    pandera_check(ad_lifecycle_year, AdLifecycleYearModel, partitions_def=measurement_year_partitions),
    pandera_check(unique_workers, UniqueWorkersModel, partitions_def=measurement_year_partitions),
]
