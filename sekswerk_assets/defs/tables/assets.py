"""Yearly chapter-2 tables, one asset each, computed under every method (``report``, ``report_phone``, ``linked``)."""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from sekswerk_assets.constants import DUCKDB_POOL
from sekswerk_assets.lib.automation import YEARLY_EAGER
from sekswerk_assets.lib.expectations import fill_rate, gx_check, row_count_between, validate_suite
from sekswerk_assets.lib.factory import typed_asset
from sekswerk_assets.lib.lazy import gx_expectations as gxe  # GX is imported when a suite is built
from sekswerk_assets.lib.keys import MUNICIPALITIES, UNIQUE_WORKERS
from sekswerk_assets.lib.metadata import table_metadata
from sekswerk_assets.lib.plots import bar_figure, municipality_metadata, published_preview, weekly_series_figure
from sekswerk_assets.lib.provenance import data_provenance
from sekswerk_assets.lib.snapshots import SnapshotStore
from sekswerk_assets.lib.years import YEARLY_DEPS, read_year_rows
from sekswerk_assets.partitions import measurement_year_partitions, weeks_of_year
from sekswerk_assets.reference.loader import MunicipalityReference, list_year_for
from sekswerk_assets.resources import DataDirResource
from sekswerk_assets.schemas.ads import METHODS, AdTableModel, WeeklySeriesModel
from sekswerk_assets.tables import builders as B

UNITS = UNIQUE_WORKERS
TABLES_VERSION = "1"


def year_provenance(data: DataDirResource, year: str) -> dict:
    return data_provenance(SnapshotStore(data.root, data.cipher()), weeks_of_year(year))
TABLE_COLUMNS = ["measurement_year", "method", "table_id", "row", "column", "stat", "value", "base_n"]

# name -> (table id, builder, needs municipalities, description, plot title)
TABLES = {
    "gender_table": ("2.6", B.gender_table, False, "Figure 2.6: gender of advertisers, with transgender mentions.", "Figure 2.6 Gender"),
    "work_type_table": ("2.7", B.work_type_table, False, "Figure 2.7: types of sex work offered, combinations and 'also offers'.", "Figure 2.7 Types of work"),
    "price_table": ("2.2", B.price_table, False, "Table 2.2: hourly prices in bands for all / home reception / escort.", "Table 2.2 Prices per hour"),
    "origin_table": ("2.10", B.origin_table, False, "Figure 2.10: origin of advertisers (Dutch, Europe, Eastern Europe, South America).", "Figure 2.10 Origin"),
    "age_table": ("2.3", B.age_table, False, "Tables 2.3 and 2.5: stated ages in bands, by origin.", "Table 2.3 Ages"),
    "municipality_table": ("2.4", B.municipality_table, True, "Tables 2.4 and 2.5: ads per municipality, top ten and per 100,000 inhabitants.", "Table 2.4 Top ten municipalities"),
    "work_type_by_municipality": ("2.12", B.work_type_by_municipality, True, "Figure 2.12: types of work in the ten most named municipalities.", "Figure 2.12 Types of work by municipality"),
    "licensed_signals": ("2.6t", B.licensed_signals, False, "Table 2.6: licensed-work search terms found and really indicating licensed work.", "Table 2.6 Signals of licensed work"),
}


def build_table(name: str, units: pd.DataFrame, year: str, municipalities: pd.DataFrame | None) -> pd.DataFrame:
    table_id, fn, needs_ref, _, _ = TABLES[name]
    frames = []
    for method, u in units.groupby("method", sort=True):
        cells = fn(u, municipalities) if needs_ref else fn(u)
        df = pd.DataFrame(cells)
        if "table_id" not in df:
            df["table_id"] = table_id
        df["table_id"] = df["table_id"].fillna(table_id)
        df["method"] = method
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out["measurement_year"] = year
    return out[TABLE_COLUMNS]


def _published_preview(df: pd.DataFrame) -> dict:
    return {"preview": published_preview(df[df["table_id"] != "2.11"])}  # the map rows have their own block


def build_table_asset(name: str) -> dg.AssetsDefinition:
    table_id, _, needs_ref, description, title = TABLES[name]

    @typed_asset(
        key=["ads", name],
        model=AdTableModel,
        partitions="yearly",
        group="tables",
        code_version=TABLES_VERSION,
        ins={"unique_workers": dg.AssetIn(UNITS)},
        deps=[dg.AssetDep(MUNICIPALITIES)] if needs_ref else [],
        description=description,
        automation_condition=YEARLY_EAGER,
    )
    def _table(
        context: dg.AssetExecutionContext,
        unique_workers: pd.DataFrame,
        reference: MunicipalityReference,
        data: DataDirResource,
    ) -> dg.Output:
        year = context.partition_key
        municipalities = reference.municipalities(list_year_for(year)) if needs_ref else None
        df = build_table(name, unique_workers, year, municipalities)
        meta = {**table_metadata(df, preview=False), **_published_preview(df), **year_provenance(data, year)}
        if name == "municipality_table":  # Table 2.4 with its chart, Table 2.5, and Figure 2.11 apart
            meta.update(municipality_metadata(df, reference.boundaries_path(list_year_for(year)), municipalities))
        else:
            meta.update(bar_figure(df[df["table_id"] == df["table_id"].iloc[0]], title))
        return dg.Output(df, metadata=meta)

    return _table


table_assets = [build_table_asset(n) for n in TABLES]


def build_weekly_series_asset(name: str, fn, description: str, title: str, columns: list[str]) -> dg.AssetsDefinition:
    """A weekly series of the year's weekly unique ads; ``columns``: the ones ``fn`` reads (only those are read)."""
    @typed_asset(key=["ads", name], model=WeeklySeriesModel, partitions="yearly", group="tables",
                 code_version=TABLES_VERSION, deps=YEARLY_DEPS, description=description)
    def _series(context: dg.AssetExecutionContext, duckdb: DuckDBResource, data: DataDirResource) -> dg.Output:
        year = context.partition_key
        rows = read_year_rows(duckdb, year, columns)
        if rows.empty:
            raise dg.Failure(f"No weekly unique ads stored for measurement year {year}.")
        df = fn(rows)
        df.insert(0, "measurement_year", year)
        return dg.Output(df, metadata={**table_metadata(df), **weekly_series_figure(df, title),
                                       **year_provenance(data, year)})

    return _series


price_trend = build_weekly_series_asset(
    "price_trend", B.weekly_prices, "Figure 2.9: weekly mean hourly price for all / home reception / escort.",
    "Figure 2.9 Mean price per hour", ["measurement_week", "price_home", "price_escort"],
)
wrs_indicators = build_weekly_series_asset(
    "wrs_indicators", B.wrs_indicators,
    "Weekly share of ads stating an age under 21 and of ads showing a licence or KvK number (what the Wrs changes).",
    "Wrs indicators", ["measurement_week", "age", "licence_number", "kvk_number"],
)


price_table_expectations = gx_check(
    asset=table_assets[2], name="price_table_expectations", partitions_def=measurement_year_partitions,
    description="GX: price bands, plausible means.", rows=lambda df: df[df["stat"] == "mean"],
    expectations=lambda: [
        row_count_between(1), gxe.ExpectColumnValuesToBeBetween(column="value", min_value=20, max_value=2000),
        gxe.ExpectColumnValuesToBeInSet(column="column", value_set=["all", "home", "escort"])],
)
age_table_expectations = gx_check(
    asset=table_assets[4], name="age_table_expectations", partitions_def=measurement_year_partitions,
    description="GX: mean ages adult and plausible.", rows=lambda df: df[df["stat"] == "mean"],
    expectations=lambda: [
        row_count_between(1), gxe.ExpectColumnValuesToBeBetween(column="value", min_value=18, max_value=60)],
)


@dg.asset_check(asset=UNITS, name="unique_workers_expectations", pool=DUCKDB_POOL,
                partitions_def=measurement_year_partitions,
                description="GX: allowed sets, ages 18-99 and prices 20-2,000 EUR/h for nearly all units, fill rates.")
def unique_workers_expectations(unique_workers: pd.DataFrame) -> dg.AssetCheckResult:
    return validate_suite(unique_workers, "unique_workers", [
        row_count_between(1),
        gxe.ExpectColumnValuesToBeInSet(column="method", value_set=list(METHODS)),
        gxe.ExpectColumnValuesToBeInSet(column="gender", value_set=["female", "male"]),
        gxe.ExpectColumnValuesToBeBetween(column="age", min_value=18, max_value=99, mostly=0.995),
        gxe.ExpectColumnValuesToBeBetween(column="price_hour", min_value=20, max_value=2000, mostly=0.995),
        fill_rate("gm_code", 0.9),
        fill_rate("age", 0.85),
    ])


#: every yearly table asset of this stage (for tests and jobs that select the stage)
assets = [*table_assets, price_trend, wrs_indicators]
