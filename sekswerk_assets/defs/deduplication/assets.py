"""Deduplication and lifecycle assets: weekly unique ads, running ad state, weekly and yearly lifecycle."""

import datetime as dt

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from sekswerk_assets.constants import DUCKDB_POOL, OWNERS, SITES
from sekswerk_assets.deduplication.lifecycle import advance_state, year_series
from sekswerk_assets.deduplication.linkage import LINKAGE_VERSION, unique_workers as build_unique_workers
from sekswerk_assets.deduplication.weekly import DEDUP_VERSION, dedup_week
from sekswerk_assets.lib.automation import WEEKLY_EAGER
from sekswerk_assets.lib.checks import checked, schema_check_name, schema_check_spec
from sekswerk_assets.lib.expectations import row_count_between, validate_suite
from sekswerk_assets.lib.factory import (
    WeeklyChecked,
    partition_check_events,
    partitioning,
    range_weeks,
    typed_asset,
    validated_events,
)
from sekswerk_assets.lib.keys import AD_LIFECYCLE, AD_LIFECYCLE_YEAR, AD_STATE, PARSED_ADS, UNIQUE_WORKERS, WEEKLY_UNIQUE_ADS
from sekswerk_assets.lib.metadata import table_metadata
from sekswerk_assets.lib.plots import lifecycle_figures, match_weights_figure
from sekswerk_assets.lib.provenance import data_provenance
from sekswerk_assets.lib.snapshots import SnapshotStore
from sekswerk_assets.lib.warehouse import read_sql
from sekswerk_assets.lib.years import YEARLY_DEPS, read_presence, read_year_rows
from sekswerk_assets.partitions import weekly_partitions, weeks_of_year
from sekswerk_assets.resources import DataDirResource
from sekswerk_assets.schemas.ads import (
    AdLifecycleModel,
    AdLifecycleYearModel,
    AdStateModel,
    UniqueWorkersModel,
    WeeklyUniqueAdsModel,
)

VERSIONS = {"dedup_version": DEDUP_VERSION, "linkage_version": LINKAGE_VERSION}
LIFECYCLE_VERSION = "3"  # 2: reads exactly week-1 of the state; 3: stores the week's delta only

#: every ad's latest state row before the given week, folded over the stored weekly deltas
STATE_AS_OF = (
    "select * exclude (rn) from (select *, row_number() over (partition by unique_ad_key "
    "order by measurement_week desc) as rn from ads.ad_state where measurement_week < ?) where rn = 1"
)


def week_provenance(data: DataDirResource, weeks: list[str]) -> dict:
    return data_provenance(SnapshotStore(data.root, data.cipher()), weeks, **VERSIONS)


@typed_asset(
    key=WEEKLY_UNIQUE_ADS,
    model=WeeklyUniqueAdsModel,
    partitions="weekly",
    group="deduplication",
    code_version=DEDUP_VERSION,
    ins={"parsed_ads": dg.AssetIn(PARSED_ADS)},
    automation_condition=WEEKLY_EAGER,
    backfill_policy=dg.BackfillPolicy.single_run(),
    check_specs=[dg.AssetCheckSpec(
        "weekly_unique_ads_expectations", asset=WEEKLY_UNIQUE_ADS, blocking=True, partitions_def=weekly_partitions,
        description="GX: the week has unique ads, every site known, keys present.")],
)
def weekly_unique_ads(context: dg.AssetExecutionContext, parsed_ads: pd.DataFrame, data: DataDirResource):
    """Unique ads of a week after between-site deduplication on phone + municipality (kinky kept)."""
    weeks = range_weeks(context)
    if weeks:
        yield from dedup_range(context, parsed_ads, data, weeks)
        return
    unique, stats = dedup_week(parsed_ads)
    context.log.info(f"{context.partition_key}: {stats['observations']} observations -> {stats['unique_ads']} unique ads")
    prices = unique["price_hour"].dropna()
    figures = {"mean_price_hour": round(float(prices.mean()), 2)} if len(prices) else {}
    yield dg.Output(unique, metadata={**table_metadata(unique, preview=False), **stats, **figures,
                                      **week_provenance(data, [context.partition_key])})
    yield weekly_expectations(unique)


def dedup_range(context: dg.AssetExecutionContext, parsed_ads: pd.DataFrame, data: DataDirResource, weeks: list[str]):
    """A range of weeks in one run: each week deduplicated, validated and checked on its own (over the process
    pool of the range's parsing), written once."""
    from sekswerk_assets.extraction.parallel import fork_map  # it imports the parser (patterns compile at import)

    by_week = dict(tuple(parsed_ads.groupby("measurement_week", sort=False)))

    def one_week(week: str):
        unique, stats = dedup_week(by_week.get(week, parsed_ads.iloc[:0]))
        stored, schema = checked(WeeklyUniqueAdsModel, unique, WEEKLY_UNIQUE_ADS)
        gx = weekly_expectations(unique)
        # check results do not pickle: their fields travel, the results are rebuilt below
        return stored, stats, (schema.passed, dict(schema.metadata)), (gx.passed, dict(gx.metadata))

    frames, schema_results, results, stats_per_week = [], [], [], {}
    for week, (unique, stats, schema, gx) in zip(weeks, fork_map(one_week, weeks)):
        frames.append(unique)  # no log line per week: each is an event write; the counts are in the metadata
        schema_results.append((week, dg.AssetCheckResult(asset_key=WEEKLY_UNIQUE_ADS, passed=schema[0], metadata=schema[1],
                                                         check_name=schema_check_name(WeeklyUniqueAdsModel))))
        results.append((week, dg.AssetCheckResult(check_name="weekly_unique_ads_expectations", asset_key=WEEKLY_UNIQUE_ADS,
                                                  passed=gx[0], metadata=gx[1])))
        stats_per_week[week] = {k: v for k, v in stats.items() if isinstance(v, (int, float))}
    unique = pd.concat(frames, ignore_index=True)
    context.log.info(f"{weeks[0]} .. {weeks[-1]}: {len(parsed_ads)} observations -> {len(unique)} weekly unique ads")
    yield WeeklyChecked(dg.Output(unique, metadata={
        **table_metadata(unique, preview=False), "range/weeks": len(weeks),
        "stats_per_week": dg.MetadataValue.json(stats_per_week), **week_provenance(data, weeks)}), schema_results)
    yield from partition_check_events(context, results)


def weekly_expectations(unique: pd.DataFrame) -> dg.AssetCheckResult:
    """Blocking GX suite of the week's unique ads: an empty week stops the lifecycle and the yearly tables."""
    import great_expectations.expectations as gxe

    # the suite sees only the columns it names (same rows): GX's cost grows with the frame's columns
    result = validate_suite(unique[["site", "unique_ad_key"]], "weekly_unique_ads", [
        row_count_between(1),
        gxe.ExpectColumnValuesToBeInSet(column="site", value_set=list(SITES)),
        gxe.ExpectColumnValuesToNotBeNull(column="unique_ad_key"),
    ])
    return dg.AssetCheckResult(check_name="weekly_unique_ads_expectations", asset_key=WEEKLY_UNIQUE_ADS,
                               passed=result.passed, metadata=result.metadata)


_WEEKLY_PART, _WEEKLY_META = partitioning("weekly")


@dg.multi_asset(
    outs={
        "ad_state": dg.AssetOut(
            key=AD_STATE, metadata=_WEEKLY_META, kinds={"duckdb", "pandas"}, group_name="deduplication",
            owners=list(OWNERS), code_version=LIFECYCLE_VERSION, automation_condition=WEEKLY_EAGER,
            description="First/last-seen state of the ads seen this week (the week's delta of the running state).",
        ),
        "ad_lifecycle": dg.AssetOut(
            key=AD_LIFECYCLE, metadata=_WEEKLY_META, kinds={"duckdb", "pandas"}, group_name="deduplication",
            owners=list(OWNERS), code_version=LIFECYCLE_VERSION, automation_condition=WEEKLY_EAGER,
            description="Figures 2.2-2.5 for one week: active, new (vs 1, 5, all previous), provisional closed/seen-once.",
        ),
    },
    ins={"weekly_unique_ads": dg.AssetIn(WEEKLY_UNIQUE_ADS)},
    deps=[
        dg.AssetDep(
            AD_STATE,
            partition_mapping=dg.TimeWindowPartitionMapping(
                start_offset=-1, end_offset=-1, allow_nonexistent_upstream_partitions=True
            ),
        )
    ],
    check_specs=[schema_check_spec(AD_STATE, AdStateModel, weekly_partitions),
                 schema_check_spec(AD_LIFECYCLE, AdLifecycleModel, weekly_partitions)],
    partitions_def=weekly_partitions,
    pool=DUCKDB_POOL,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def ad_lifecycle(context: dg.AssetExecutionContext, weekly_unique_ads: pd.DataFrame, duckdb: DuckDBResource,
                 data: DataDirResource):
    """Advance the running ad state by exactly one week (week-1 must exist) and count the week's lifecycle.

    A range run (a backfill in one run) advances the state week by week in memory over its weeks.
    """
    weeks = range_weeks(context) or [context.partition_key]
    week = weeks[0]
    previous_week = (dt.date.fromisoformat(week) - dt.timedelta(weeks=1)).isoformat()
    weeks_before = read_sql(duckdb, "select count(distinct measurement_week) as n, max(measurement_week) as last "
                                    "from ads.ad_state where measurement_week < ?", [week])
    has_history = not weeks_before.empty and int(weeks_before["n"].iloc[0]) > 0
    if has_history and weeks_before["last"].iloc[0] != previous_week:
        raise dg.Failure(
            f"ads/ad_state has no rows for {previous_week}, the week before {week}: materialise {previous_week} "
            "first (the running state is carried from exactly the previous week)."
        )
    # the running state up to the previous week: each ad's latest row in the stored weekly deltas
    previous = read_sql(duckdb, STATE_AS_OF, [week]) if has_history else None
    if not has_history:
        previous_week = None  # the first week of the series
    if len(weeks) > 1:
        keys_by_week = dict(tuple(weekly_unique_ads.groupby("measurement_week", sort=False)["unique_ad_key"]))
    else:
        keys_by_week = {week: weekly_unique_ads["unique_ad_key"]}
    states, rows, sizes = [], [], {}
    for week in weeks:
        keys = keys_by_week.get(week, weekly_unique_ads["unique_ad_key"].iloc[:0])
        full_state, row = advance_state(previous, previous_week, week, keys)
        # stored: only the ads seen this week (the week's delta), so the table grows with unique ads, not weeks x ads
        states.append(full_state[full_state["last_week"] == week].reset_index(drop=True))
        rows.append(row)
        sizes[week] = len(full_state)
        previous, previous_week = full_state, week
    state = states[0] if len(states) == 1 else pd.concat(states, ignore_index=True)
    lifecycle = pd.DataFrame(rows)
    lifecycle["previous_week"] = lifecycle["previous_week"].astype(pd.StringDtype())
    for c in ("new_vs_previous", "new_vs_previous_five", "new_vs_all_previous",
              "closed_previous_provisional", "seen_once_previous_provisional"):
        lifecycle[c] = lifecycle[c].astype("Int64")
    meta = week_provenance(data, weeks)
    if len(weeks) == 1:
        # numeric metadata for the UI's plots over partitions; a figure that does not exist yet is left out, never -1
        numbers = {k: v for k, v in rows[0].items() if k not in ("previous_week", "measurement_week") and v is not None}
        state_meta = {"state_size": sizes[week], "delta_rows": len(state)}
    else:  # one materialisation per week carries this metadata: each week's figures by week
        numbers = {"range/weeks": len(weeks), "lifecycle_per_week": dg.MetadataValue.json(
            {r["measurement_week"]: {k: v for k, v in r.items() if k != "measurement_week"} for r in rows})}
        state_meta = {"range/weeks": len(weeks), "state_size_per_week": dg.MetadataValue.json(sizes),
                      "delta_rows_per_week": dg.MetadataValue.json({w: len(d) for w, d in zip(weeks, states)})}
    # both models' checks are row-wise (a range that passes has every week passing): a range validates once
    yield from validated_events(AdStateModel, AD_STATE, [dg.Output(
        state, "ad_state", metadata={**table_metadata(state, preview=False), **state_meta, **meta})], weekly=True,
        row_wise=True)
    yield from validated_events(AdLifecycleModel, AD_LIFECYCLE, [dg.Output(
        lifecycle, "ad_lifecycle", metadata={**table_metadata(lifecycle), **numbers, **meta})], weekly=True,
        row_wise=True)


@typed_asset(key=AD_LIFECYCLE_YEAR, model=AdLifecycleYearModel, partitions="yearly", group="deduplication",
             code_version=LIFECYCLE_VERSION, deps=YEARLY_DEPS)
def ad_lifecycle_year(context: dg.AssetExecutionContext, duckdb: DuckDBResource, data: DataDirResource) -> dg.Output:
    """Final weekly series of a measurement year (Figures 2.2-2.5) with uncertain edge weeks flagged."""
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
        **week_provenance(data, weeks_of_year(year)),
    }
    return dg.Output(series, metadata=meta)


@typed_asset(key=UNIQUE_WORKERS, model=UniqueWorkersModel, partitions="yearly", group="deduplication",
             code_version=f"{DEDUP_VERSION}-{LINKAGE_VERSION}", deps=YEARLY_DEPS)
def unique_workers(context: dg.AssetExecutionContext, duckdb: DuckDBResource, data: DataDirResource) -> dg.Output:
    """Unique ads over the year by the report's method (ad code + name), with a phone step between sites, and linked."""
    year = context.partition_key
    rows = read_year_rows(duckdb, year)
    if rows.empty:
        raise dg.Failure(f"No weekly unique ads stored for measurement year {year}: materialise its weeks first.")
    context.log.info(f"{year}: linking {rows['unique_ad_key'].nunique()} report units with splink ...")
    units, model = build_unique_workers(rows, year)
    n = units.groupby("method").size().to_dict()
    context.log.info(f"{year}: {n.get('report', 0)} unique ads (report method), {n.get('report_phone', 0)} (report "
                     f"method + phone between sites), {n.get('linked', 0)} linked advertisers")
    return dg.Output(
        units,
        metadata={
            **table_metadata(units, preview=False),
            "unique_ads_report_method": int(n.get("report", 0)),
            "unique_ads_report_phone_method": int(n.get("report_phone", 0)),
            "advertisers_linked": int(n.get("linked", 0)),
            "weeks_used": int(rows["measurement_week"].nunique()),
            "linkage/candidate_pairs": model.pairs_scored,
            "linkage/pairs_linked": model.pairs_linked,
            "linkage/prior_match_probability": model.prior,
            "linkage/training": dg.MetadataValue.md("\n".join(f"- {t}" for t in model.training)),
            "linkage/match_weights": dg.MetadataValue.md(model.match_weights.round(4).to_markdown(index=False)),
            "linkage/match_weights_chart": match_weights_figure(model.match_weights),
            **week_provenance(data, weeks_of_year(year)),
        },
    )


