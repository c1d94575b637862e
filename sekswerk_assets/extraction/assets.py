"""Weekly extraction: raw snapshots of the three ad sites -> pseudonymised ad observations."""


import dagster as dg
import pandas as pd

from sekswerk_assets.collection.adapters import SITES
from sekswerk_assets.collection.assets import raw_snapshot_key
from sekswerk_assets.collection.client import AdSitesResource
from sekswerk_assets.collection.snapshots import SnapshotStore
from sekswerk_assets.extraction.municipality import MunicipalityMatcher
from sekswerk_assets.extraction.parse import parse_week
from sekswerk_assets.extraction.sites import PARSER_VERSION
from sekswerk_assets.lib.checks import DUCKDB_POOL, dagster_type, pandera_check
from sekswerk_assets.lib.expectations import fill_rate, validate_suite
from sekswerk_assets.lib.metadata import provenance, table_metadata
from sekswerk_assets.lib.pseudonym import PseudonymResource
from sekswerk_assets.partitions import weekly_partitions, year_of_week
from sekswerk_assets.reference.loader import MunicipalityReference
from sekswerk_assets.resources import DataDirResource
from sekswerk_assets.schemas.ads import REGIONS
from sekswerk_assets.schemas.ads_parsed import MATCH_METHODS, ParsedAdsModel

PARSED_ADS_KEY = dg.AssetKey(["ads", "parsed_ads"])
# The DuckDB IO manager compares partition_expr with timestamps: cast the ISO-date string column.
PARTITION_EXPR = "CAST(measurement_week AS TIMESTAMP)"
MAX_UNPARSED_SHARE = 0.01

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
    dg.AssetCheckSpec("parsed_ads_expectations", asset=PARSED_ADS_KEY,
                      description="GX: allowed sets, age 18-99 (under-18 flagged), price 20-2000 EUR/h, "
                                  "per-site fill rates (fail when a site's ad layout changes)."),
    dg.AssetCheckSpec("unparsed_pages", asset=PARSED_ADS_KEY,
                      description=f"Every site's snapshot was read; at most {MAX_UNPARSED_SHARE:.0%} of ad pages unparsed."),
]


@dg.asset(
    key=PARSED_ADS_KEY,
    partitions_def=weekly_partitions,
    deps=[raw_snapshot_key(site) for site in SITES],
    group_name="extraction",
    kinds={"python", "duckdb"},
    pool=DUCKDB_POOL,
    dagster_type=dagster_type(ParsedAdsModel),
    metadata={"partition_expr": PARTITION_EXPR},
    check_specs=CHECKS,
    owners=["team:data-engineering"],
    tags={"personal_data": "pseudonymised"},
    code_version=PARSER_VERSION,
)
def parsed_ads(
    context: dg.AssetExecutionContext,
    data: DataDirResource,
    reference: MunicipalityReference,
    pseudonyms: PseudonymResource,
    ad_sites: AdSitesResource,
):
    """Ad observations of one weekly measurement with the variables of §2.3 / Bijlage 5, pseudonymised."""
    week = context.partition_key
    store = SnapshotStore(data.root, data.cipher())
    matcher = MunicipalityMatcher.from_reference(reference, year_of_week(week))
    df, stats = parse_week(store, week, pseudonyms, matcher)
    fills = fill_rates(df)
    synthetic = any(
        store.summary(s, week).get("synthetic", False) for s in SITES if store.exists(s, week)
    )
    seed = ad_sites.sandbox_seed(int(year_of_week(week))) if synthetic else None
    context.log.info(
        f"{week}: {len(df)} ad observations ({stats.total_unparsed} unparsed) in {stats.seconds:.1f}s"
    )
    yield dg.Output(
        df,
        metadata={
            **table_metadata(df, preview=False),
            **provenance(synthetic=synthetic, seed=seed, parser_version=PARSER_VERSION,
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
    yield unparsed_result(df, stats)


def expectations_result(df: pd.DataFrame) -> dg.AssetCheckResult:
    """The GX suite over the whole week plus one fill-rate suite per site, combined into one result."""
    import great_expectations.expectations as gxe

    suite = [
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
    results = [("all", validate_suite(df, "parsed_ads", suite))]
    ok = df[df["parse_ok"]]
    for site, floors in SITE_FILL_FLOORS.items():
        sub = ok[ok["site"] == site].copy()
        if sub.empty:
            continue
        sub["type_stated_or_null"] = sub["type_stated"].where(sub["type_stated"], None)
        exps = [fill_rate("type_stated_or_null" if c == "type_stated" else c, floors[v])
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


def unparsed_result(df: pd.DataFrame, stats) -> dg.AssetCheckResult:
    share = stats.total_unparsed / len(df) if len(df) else 1.0
    passed = not stats.missing_sites and share <= MAX_UNPARSED_SHARE and len(df) > 0
    return dg.AssetCheckResult(
        check_name="unparsed_pages",
        passed=passed,
        severity=dg.AssetCheckSeverity.ERROR if stats.missing_sites or not len(df) else dg.AssetCheckSeverity.WARN,
        metadata={
            "unparsed": stats.total_unparsed,
            "unparsed_share": round(share, 4),
            "unparsed_per_site": dg.MetadataValue.json({s: int(stats.unparsed.get(s, 0)) for s in SITES}),
            "reasons": dg.MetadataValue.json(dict(stats.reasons)),
            "missing_sites": dg.MetadataValue.json(stats.missing_sites),
        },
    )


parsed_ads_schema_check = pandera_check(parsed_ads, ParsedAdsModel, partitions_def=weekly_partitions)
