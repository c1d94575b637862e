"""Operating it: the Dagster UI in a real browser, and a backfill through GraphQL with the daemon.

Both start ``dagster-webserver`` and ``dagster-daemon`` on 127.0.0.1 against ``workspace.yaml``,
with a temporary instance (local profile), warehouse and data folder, on the sandbox at scale 0.05.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import sync_playwright

from sekswerk_assets.collection.browser import chromium_executable, launch_options

from .services import REPO, dagster_services

ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(REPO / "deploy" / "local" / "dagster.yaml", home / "dagster.yaml")
    data = tmp_path_factory.mktemp("data")
    env = {
        "SEKSWERK_DATA_DIR": str(data),
        "SEKSWERK_DB_PATH": str(data / "warehouse.duckdb"),
        "SEKSWERK_SURVEY_DIR": str(data / "survey"),
        "SEKSWERK_SANDBOX_SCALE": "0.05",
    }
    with dagster_services(home, env) as url:
        yield {"url": url, "data": data, "home": home}


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(url + "/graphql", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        out = json.loads(resp.read())
    assert "errors" not in out, out.get("errors")
    return out["data"]


def wait_until(predicate, timeout: float, what: str, interval: float = 2.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what}")


KEY_ASSETS = {  # a key asset of every stage -> its group in the UI
    "raw_snapshots/kinky": "collection",
    "ads/parsed_ads": "extraction",
    "ads/weekly_unique_ads": "deduplication",
    "ads/price_table": "tables",
    "survey/tables": "survey",
    "survey/policy_typology": "policy",
    "survey/enforcement_trends": "enforcement",
    "report/nulmeting_report": "report",
}

RUNS = """query { runsOrError(limit: 50) { ... on Runs { results { runId status tags { key value } } } } }"""


def test_backfill_of_sandbox_weeks_through_graphql(services):
    url = services["url"]
    assert "raw_snapshots" in json.dumps(graphql(url, "{ assetNodes { assetKey { path } } }"))
    launch = graphql(url, """
        mutation($params: LaunchBackfillParams!) {
          launchPartitionBackfill(backfillParams: $params) {
            __typename
            ... on LaunchBackfillSuccess { backfillId }
            ... on PythonError { message }
          }
        }""", {"params": {
            "assetSelection": [{"path": ["raw_snapshots", s]} for s in ("kinky", "sexjobs", "topescortbabes")],
            "partitionNames": ["2020-09-08", "2020-09-15"],
        }})["launchPartitionBackfill"]
    assert launch["__typename"] == "LaunchBackfillSuccess", launch
    backfill_id = launch["backfillId"]

    def status():
        s = graphql(url, """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
              ... on PartitionBackfill { status } } }""", {"id": backfill_id})["partitionBackfillOrError"]["status"]
        assert s not in ("FAILED", "CANCELED"), s
        return s == "COMPLETED_SUCCESS" or s == "COMPLETED"

    wait_until(status, 600, "the backfill")
    raw = services["data"] / "raw"
    for site in ("kinky", "sexjobs", "topescortbabes"):
        assert (raw / site / "2020-09-08" / "manifest.parquet.enc").exists()
        assert (raw / site / "2020-09-15" / "manifest.parquet.enc").exists()


def test_ui_materialises_a_week(services):
    """Open the UI, find the groups and key assets, launch one sandbox week, wait for success."""
    url = services["url"]
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_executable(), headless=True, **launch_options(local_sandbox_target=True))
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url + "/assets")
        skip = page.get_by_role("button", name="Skip")
        try:
            skip.click(timeout=10_000)  # the one-time community modal
        except Exception:
            pass
        for key, group in KEY_ASSETS.items():
            page.goto(f"{url}/assets/{key}")
            page.get_by_text("Group", exact=True).first.wait_for(timeout=120_000)
            panel = page.locator("body").inner_text()
            assert group in panel, (key, group)
        page.goto(url + "/assets")
        page.wait_for_timeout(3000)
        page.screenshot(path=str(ARTIFACTS / "ui_catalog.png"))
        page.goto(url + "/assets/raw_snapshots/kinky")
        page.get_by_role("button", name="Materialize…").first.click(timeout=120_000)
        page.get_by_text("Show all partitions").click(timeout=120_000)
        box = page.get_by_placeholder("No matching partitions").or_(page.locator("div[role=dialog] input").first)
        box.first.fill("2020-09-22")
        box.first.press("Enter")
        page.screenshot(path=str(ARTIFACTS / "ui_launch_dialog.png"))
        page.get_by_role("button", name="Launch 1 run").click()

        def succeeded():
            runs = graphql(url, RUNS)["runsOrError"]["results"]
            mine = [r for r in runs if {"key": "dagster/partition", "value": "2020-09-22"} in r["tags"]]
            assert not any(r["status"] == "FAILURE" for r in mine), mine
            return any(r["status"] == "SUCCESS" for r in mine)

        # generous: on a loaded machine the run's step subprocesses alone take minutes to start
        wait_until(succeeded, 600, "the run launched from the UI")
        page.goto(url + "/assets/raw_snapshots/kinky?view=partitions")
        page.wait_for_timeout(2000)
        page.screenshot(path=str(ARTIFACTS / "ui_materialised.png"))
        browser.close()
    assert (services["data"] / "raw" / "kinky" / "2020-09-22" / "manifest.parquet.enc").exists()
