"""Weekly extraction: raw snapshots of the three ad sites -> pseudonymised ad observations."""


import datetime as dt

import dagster as dg
import pandas as pd

from sekswerk_assets.constants import REGIONS, SITES
from sekswerk_assets.extraction.sites import PARSER_VERSION
from sekswerk_assets.lib.automation import WEEKLY_EAGER, reference_dep
from sekswerk_assets.lib.expectations import fill_rate, row_count_between, validate_suite
from sekswerk_assets.lib.checks import checked, schema_check_name
from sekswerk_assets.lib.factory import WeeklyChecked, partition_check_events, range_weeks, typed_asset
from sekswerk_assets.lib.keys import PARSED_ADS, RAW_SNAPSHOTS
from sekswerk_assets.lib.metadata import table_metadata
from sekswerk_assets.lib.provenance import data_provenance
from sekswerk_assets.lib.pseudonym import PseudonymResource
from sekswerk_assets.lib.snapshots import SnapshotStore
from sekswerk_assets.partitions import weekly_partitions, year_of_week
from sekswerk_assets.reference.loader import MunicipalityReference
from sekswerk_assets.resources import DataDirResource
from sekswerk_assets.schemas.ads_parsed import MATCH_METHODS, ParsedAdsModel

PARSED_ADS_KEY = PARSED_ADS
#: share of a site-week's ad pages that may fail to parse before the blocking check fails the week
MAX_UNPARSED_SHARE = 0.01
#: a week with fewer than this share of the previous week's rows fails (half empty)
HALF_EMPTY = 0.5

# Per-observation fill rates of the report (Bijlage 5), shown beside ours in the metadata.
REPORT_FILL = {"gender": 1.00, "type": 0.98, "origin": 0.72, "age": 0.96, "price": 0.71, "municipality": 0.98}
FILL_COLUMNS = {"gender": "gender", "type": "type_stated", "origin": "origin_country", "age": "age",
                "price": "price_hour", "municipality": "gm_code"}
# Per-site floors of the per-observation fill rates: far enough below normal weeks not to flap,
# high enough that a site whose ad-page fields disappear (layout change) fails the check.
SITE_FILL_FLOORS = {
    "kinky": {"gender": 0.99, "type": 0.90, "origin": 0.45, "age": 0.85, "price": 0.45, "municipality": 0.90},
    "sexjobs": {"gender": 0.99, "type": 0.90, "origin": 0.45, "age": 0.85, "price": 0.45, "municipality": 0.90},
    "topescortbabes": {"gender": 0.99, "type": 0.90, "origin": 0.70, "age": 0.90, "price": 0.80, "municipality": 0.90},
}


def fill_rates(df: pd.DataFrame) -> dict[str, float]:
    ok = df[df["parse_ok"]]
    if ok.empty:
        return {k: 0.0 for k in FILL_COLUMNS}
    out = {}
    for var, col in FILL_COLUMNS.items():
        s = ok[col]
        out[var] = float(s.mean()) if s.dtype == bool else float(s.notna().mean())
    return out


def fill_table(df: pd.DataFrame) -> pd.DataFrame:
    """Fill rates per site and overall beside the report's (aggregates only: safe as a preview)."""
    rows = [{"site": "all", "rows": len(df), **{k: round(v, 3) for k, v in fill_rates(df).items()}}]
    for site in SITES:
        sub = df[df["site"] == site]
        rows.append({"site": site, "rows": len(sub), **{k: round(v, 3) for k, v in fill_rates(sub).items()}})
    rows.append({"site": "report (Bijlage 5)", "rows": 0, **REPORT_FILL})
    return pd.DataFrame(rows)


CHECKS = [
    dg.AssetCheckSpec("parsed_ads_expectations", asset=PARSED_ADS_KEY, blocking=True, partitions_def=weekly_partitions,
                      description="GX: row count, allowed sets, age 18-99 (under-18 flagged), price 20-2000 EUR/h, "
                                  "per-site fill rates (fail when a site's ad layout changes)."),
    dg.AssetCheckSpec("unparsed_pages", asset=PARSED_ADS_KEY, blocking=True, partitions_def=weekly_partitions,
                      description=f"Every site's snapshot was read; per site at most {MAX_UNPARSED_SHARE:.0%} of ad pages "
                                  f"unparsed; the week is not empty and not half empty against the previous week."),
]


class ParseConfig(dg.Config):
    """Tolerances of the week's blocking checks."""

    max_unparsed_share: float = MAX_UNPARSED_SHARE


@typed_asset(
    key=PARSED_ADS_KEY,
    model=ParsedAdsModel,
    partitions="weekly",
    group="extraction",
    code_version=PARSER_VERSION,
    kinds=("python", "duckdb"),
    deps=[*RAW_SNAPSHOTS, reference_dep()],
    check_specs=CHECKS,
    tags={"personal_data": "pseudonymised"},
    automation_condition=WEEKLY_EAGER,
    # a backfill of many weeks (a year re-processed) is one run: its weeks are parsed over a process pool
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def parsed_ads(
    context: dg.AssetExecutionContext,
    config: ParseConfig,
    data: DataDirResource,
    reference: MunicipalityReference,
    pseudonyms: PseudonymResource,
):
    """Ad observations of one weekly measurement with the variables of §2.3 / Bijlage 5, pseudonymised."""
    from sekswerk_assets.extraction.municipality import MunicipalityMatcher  # builds its tables at import
    from sekswerk_assets.extraction.parse import parse_week  # the text-mining patterns compile at import

    store = SnapshotStore(data.root, data.cipher())
    weeks = range_weeks(context)
    if weeks:
        yield from parse_range(context, config, store, reference, pseudonyms, weeks)
        return
    week = context.partition_key
    matcher = MunicipalityMatcher.from_reference(reference, year_of_week(week))
    df, stats = parse_week(store, week, pseudonyms, matcher)
    fills = fill_rates(df)
    previous_rows = previous_row_count(context, week)
    context.log.info(
        f"{week}: {len(df)} ad observations ({stats.total_unparsed} unparsed) in {stats.seconds:.1f}s"
    )
    yield dg.Output(
        df,
        metadata={
            **table_metadata(df, preview=False),
            **data_provenance(store, [week], parser_version=PARSER_VERSION,
                              municipality_list_year=matcher.list_year),
            **{f"rows/{s}": int((df["site"] == s).sum()) for s in SITES},
            **{f"fill/{k}": round(v, 4) for k, v in fills.items()},
            "fill_rates": dg.MetadataValue.md(fill_table(df).to_markdown(index=False)),
            "municipality_match": dg.MetadataValue.json(df["municipality_match"].value_counts().to_dict()),
            "unparsed": stats.total_unparsed,
            "unparsed_reasons": dg.MetadataValue.json(dict(stats.reasons)),
            "missing_sites": dg.MetadataValue.json(stats.missing_sites),
            "age_under_18": int(df["age_under_18"].sum()),
            "ads_per_second": round(len(df) / stats.seconds, 1) if stats.seconds else 0.0,
        },
    )
    yield expectations_result(df)
    yield unparsed_result(df, stats, previous_rows, config.max_unparsed_share)


def parse_range(context: dg.AssetExecutionContext, config: ParseConfig, store: SnapshotStore,
                reference: MunicipalityReference, pseudonyms: PseudonymResource, weeks: list[str]):
    """A range of weeks in one run: parsed over a process pool, checked week by week, written once."""
    from sekswerk_assets.extraction.municipality import MunicipalityMatcher  # builds its tables at import
    from sekswerk_assets.extraction.parallel import parse_weeks, pool_size  # the text-mining patterns compile at import

    matchers = {y: MunicipalityMatcher.from_reference(reference, y) for y in sorted({year_of_week(w) for w in weeks})}
    previous_rows = previous_row_count(context, weeks[0])
    frames, schema, results, rows_per_week, seconds, unparsed = [], [], [], {}, 0.0, 0
    context.log.info(f"parsing {len(weeks)} weeks ({weeks[0]} .. {weeks[-1]}) in {pool_size(len(weeks))} processes")
    # each worker also validates the week's rows (Pandera) and runs its GX suites, together about a third of the
    # parsing; a check result does not pickle, so its fields come back and the result is rebuilt here.
    # GX is imported here, before the workers fork, so they inherit it instead of each importing it (seconds)
    # (the range's deduplication step forks from this process too)
    import great_expectations.expectations  # noqa: F401

    for week, df, stats, checks in parse_weeks(store, weeks, pseudonyms, lambda w: matchers[year_of_week(w)],
                                               finish=_week_checks):
        # no log line per week (each is an event write): the week's rows are in ``rows_per_week``, its counts in
        # its unparsed_pages check
        (schema_ok, schema_meta), (gx_ok, gx_meta) = checks
        schema.append((week, dg.AssetCheckResult(asset_key=PARSED_ADS_KEY, check_name=schema_check_name(ParsedAdsModel),
                                                 passed=schema_ok, metadata=schema_meta)))
        results.append((week, dg.AssetCheckResult(check_name="parsed_ads_expectations", passed=gx_ok, metadata=gx_meta)))
        results.append((week, unparsed_result(df, stats, previous_rows, config.max_unparsed_share)))
        previous_rows = rows_per_week[week] = len(df)
        seconds += stats.seconds
        unparsed += stats.total_unparsed
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    context.log.info(f"{weeks[0]} .. {weeks[-1]}: {len(df)} ad observations ({unparsed} unparsed) in {seconds:.1f}s "
                     "of parsing")
    # one materialisation per week carries this metadata: figures of the whole range, and each week's rows
    yield WeeklyChecked(dg.Output(
        df,
        metadata={
            **table_metadata(df, preview=False),
            **data_provenance(store, weeks, parser_version=PARSER_VERSION,
                              municipality_list_year=", ".join(str(m.list_year) for m in matchers.values())),
            "range/weeks": len(weeks),
            "rows_per_week": dg.MetadataValue.json(rows_per_week),
            **{f"rows/{s}": int((df["site"] == s).sum()) for s in SITES},
            "unparsed": unparsed,
            "ads_per_second": round(len(df) / seconds, 1) if seconds else 0.0,
        },
    ), schema)
    yield from partition_check_events(context, results)


def _week_checks(week: str, df: pd.DataFrame, stats):
    """In the worker: the week's frame to store (text as ``string``) and the fields of its schema check and GX suites."""
    stored, schema = checked(ParsedAdsModel, df, PARSED_ADS_KEY)
    gx = expectations_result(df)
    return stored, ((schema.passed, dict(schema.metadata)), (gx.passed, dict(gx.metadata)))


def previous_row_count(context: dg.AssetExecutionContext, week: str) -> int | None:
    """Rows of the previous week's materialisation of this asset (None when it has none).

    A materialisation from a range run holds the range's rows; its ``rows_per_week`` gives the week's own.
    """
    previous = (dt.date.fromisoformat(week) - dt.timedelta(weeks=1)).isoformat()
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=PARSED_ADS_KEY, asset_partitions=[previous]), limit=1
    ).records
    if not records:
        return None
    metadata = records[0].asset_materialization.metadata
    per_week = metadata.get("rows_per_week")
    if per_week is not None and previous in per_week.value:
        return int(per_week.value[previous])
    value = metadata.get("dagster/row_count")
    return int(value.value) if value is not None else None


#: the columns the week's GX suite reads
SUITE_COLUMNS = ["site", "gender", "origin_region", "municipality_match", "age", "price_hour", "price_home",
                 "price_escort", "gm_code", "ad_pseudo"]


def expectations_result(df: pd.DataFrame) -> dg.AssetCheckResult:
    """The GX suite over the whole week plus one fill-rate suite per site, combined into one result."""
    import great_expectations.expectations as gxe

    suite = [
        row_count_between(1),
        gxe.ExpectColumnValuesToBeInSet(column="site", value_set=list(SITES)),
        gxe.ExpectColumnValuesToBeInSet(column="gender", value_set=["female", "male"]),
        gxe.ExpectColumnValuesToBeInSet(column="origin_region", value_set=list(REGIONS)),
        gxe.ExpectColumnValuesToBeInSet(column="municipality_match", value_set=list(MATCH_METHODS)),
        gxe.ExpectColumnValuesToBeBetween(column="age", min_value=18, max_value=99, mostly=0.99),
        gxe.ExpectColumnValuesToBeBetween(column="price_hour", min_value=20, max_value=2000, mostly=0.99),
        gxe.ExpectColumnValuesToBeBetween(column="price_home", min_value=20, max_value=2000, mostly=0.99),
        gxe.ExpectColumnValuesToBeBetween(column="price_escort", min_value=20, max_value=2000, mostly=0.99),
        gxe.ExpectColumnValuesToMatchRegex(column="gm_code", regex=r"^GM\d{4}$"),
        gxe.ExpectColumnValuesToNotBeNull(column="ad_pseudo"),
    ]
    # each suite sees only the columns its expectations name (same rows): GX's cost grows with the frame's columns
    results = [("all", validate_suite(df[SUITE_COLUMNS], "parsed_ads", suite))]
    ok = df.loc[df["parse_ok"], ["site", *FILL_COLUMNS.values()]]
    for site, floors in SITE_FILL_FLOORS.items():
        sub = ok[ok["site"] == site].copy()
        if sub.empty:
            continue
        sub["type_stated_or_null"] = sub["type_stated"].where(sub["type_stated"], None)
        exps = [row_count_between(1)] + [fill_rate("type_stated_or_null" if c == "type_stated" else c, floors[v])
                for v, c in FILL_COLUMNS.items()]
        results.append((site, validate_suite(sub, f"parsed_ads_fill_{site}", exps)))
    passed = all(r.passed for _, r in results)
    md = "\n\n".join(f"**{name}**\n\n{r.metadata['results'].value}" for name, r in results)
    return dg.AssetCheckResult(
        check_name="parsed_ads_expectations",
        passed=passed,
        metadata={
            "suites": len(results),
            "failed_suites": dg.MetadataValue.json([n for n, r in results if not r.passed]),
            "results": dg.MetadataValue.md(md),
        },
    )


def unparsed_result(df: pd.DataFrame, stats, previous_rows: int | None = None,
                    max_unparsed_share: float = MAX_UNPARSED_SHARE) -> dg.AssetCheckResult:
    """Blocking: a missing site, more than the tolerated unparsed share in any site, an empty or half-empty week."""
    share = stats.total_unparsed / len(df) if len(df) else 1.0
    # parse failures only: pages that could not be fetched are the collection checks' business
    errors = df["parse_error"].fillna("")
    parse_failed = (errors != "") & ~errors.str.startswith(("fetch failed", "not fetched"))
    per_site = {}
    for site in SITES:
        in_site = df["site"] == site
        rows = int(in_site.sum())
        per_site[site] = round(int((parse_failed & in_site).sum()) / rows, 4) if rows else 0.0
    too_many = [s for s, v in per_site.items() if v > max_unparsed_share]
    half_empty = previous_rows is not None and len(df) < HALF_EMPTY * previous_rows
    problems = []
    if stats.missing_sites:
        problems.append(f"no snapshot for {', '.join(stats.missing_sites)}")
    if not len(df):
        problems.append("the week is empty")
    if too_many:
        problems.append(f"more than {max_unparsed_share:.0%} of ad pages failed to parse in {', '.join(too_many)}")
    if half_empty:
        problems.append(f"{len(df)} rows against {previous_rows} the week before")
    return dg.AssetCheckResult(
        check_name="unparsed_pages",
        passed=not problems,
        description="; ".join(problems) or None,
        metadata={
            "unparsed": stats.total_unparsed,
            "unparsed_share": round(share, 4),
            "unparsed_share_per_site": dg.MetadataValue.json(per_site),
            "unparsed_per_site": dg.MetadataValue.json({s: int(stats.unparsed.get(s, 0)) for s in SITES}),
            "reasons": dg.MetadataValue.json(dict(stats.reasons)),
            "missing_sites": dg.MetadataValue.json(stats.missing_sites),
            "previous_week_rows": previous_rows if previous_rows is not None else -1,
        },
    )
