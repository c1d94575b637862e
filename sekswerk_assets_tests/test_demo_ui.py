"""What a newcomer sees after ``make demo``: the demo's runs in a temporary instance, then the UI in a real browser.

The demo (``python -m sekswerk_assets.demo``) runs two sandbox weeks at scale 0.05, their year and the report
into a temporary ``DAGSTER_HOME``; then ``dagster-webserver`` is started on a free 127.0.0.1 port against that
instance. Chromium opens the asset page of ``ads/ad_lifecycle``, its metadata's *Plots* tab must chart the weekly
figures (and those of the other weekly assets),
and the demo's runs must be listed under the ``weekly_pipeline`` and ``yearly_pipeline`` jobs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request

import pytest
from playwright.sync_api import expect, sync_playwright

from sekswerk_assets.collection.browser import LAUNCH_ARGS, chromium_executable

from .services import REPO, dagster_services

ARTIFACTS = REPO / "test-artifacts"
WEEKS = ("2020-08-25", "2020-09-01")
#: numeric metadata of ads/ad_lifecycle that the Plots tab charts over the weekly partitions
LIFECYCLE_SERIES = ("active", "new_vs_previous", "closed_previous_provisional", "seen_once_previous_provisional")
#: the title of every chart on the page: the first text line of the nearest element around its canvas
CHART_TITLES = """() => [...document.querySelectorAll('canvas')].map(c => {
  let e = c.parentElement;
  while (e && !e.innerText.trim()) e = e.parentElement;
  return e ? e.innerText.trim().split('\\n')[0] : null;
})"""
#: the other weekly assets' key figures, charted on their own Plots tabs
OTHER_SERIES = {
    "raw_snapshots/kinky": ("pages", "failures", "pages_per_s"),
    "ads/weekly_unique_ads": ("mean_price_hour",),
    "ads/parsed_ads": ("fill/age", "fill/price", "fill/municipality"),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(REPO / "deploy" / "local" / "dagster.yaml", home / "dagster.yaml")
    (home / ".nux").mkdir()
    (home / ".nux" / "nux.yaml").write_text("seen: 1\n")  # no one-time community modal over the page
    data = tmp_path_factory.mktemp("data")
    env = {
        "SEKSWERK_DATA_DIR": str(data),
        "SEKSWERK_DB_PATH": str(data / "warehouse.duckdb"),
        "SEKSWERK_SURVEY_DIR": str(data / "survey"),
        "SEKSWERK_SANDBOX_SCALE": "0.05",
    }
    run = subprocess.run(
        [sys.executable, "-m", "sekswerk_assets.demo", "--weeks", f"{WEEKS[0]}...{WEEKS[-1]}"],
        cwd=REPO, env={**os.environ, **env, "DAGSTER_HOME": str(home)}, capture_output=True, text=True,
        timeout=3600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return {"home": home, "data": data, "env": env, "stdout": run.stdout}


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(url + "/graphql", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        out = json.loads(resp.read())
    assert "errors" not in out, out.get("errors")
    return out["data"]


RUNS = """query($job: String!) { runsOrError(filter: {pipelineName: $job}) {
  ... on Runs { results { runId status tags { key value } } } } }"""


def test_demo_summary_names_runs_report_and_url(demo):
    out = demo["stdout"]
    for week in WEEKS:
        assert f"weekly_pipeline  {week}" in out, out
    assert "yearly_pipeline  2020" in out, out
    report = demo["data"].resolve() / "reports" / "2020" / "nulmeting_2020.html"
    assert report.stat().st_size > 10_000
    assert f"report 2020: {report} (Markdown" in out, out
    assert "UI: http://127.0.0.1:3000" in out, out


def test_ui_shows_lifecycle_plots_and_the_demo_runs_under_their_jobs(demo):
    ARTIFACTS.mkdir(exist_ok=True)
    with dagster_services(demo["home"], demo["env"], daemon=False) as url:
        runs = {job: graphql(url, RUNS, {"job": job})["runsOrError"]["results"]
                for job in ("weekly_pipeline", "yearly_pipeline")}
        # the year, then (sandbox) its accuracy and report after the simulated coding of the validation sample
        assert len(runs["weekly_pipeline"]) == len(WEEKS) and len(runs["yearly_pipeline"]) == 2, runs
        assert all(r["status"] == "SUCCESS" for rs in runs.values() for r in rs), runs
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_executable(), headless=True, args=LAUNCH_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(180_000)

            # the asset page of ads/ad_lifecycle, its metadata's Plots tab: one chart per numeric weekly figure.
            # The x axis "Partitions" spans only the newest 120 weeks of the partition set, so the demo's
            # 2020 weeks are charted on the "Events" axis (materialisation order).
            def open_plots(key: str, series_names: tuple[str, ...], screenshot: str | None = None):
                page.goto(f"{url}/assets/{key}")
                page.get_by_role("button").filter(has_text="Plots").first.click()
                page.get_by_role("button").filter(has_text="Events").first.click()
                expect(page.locator("canvas").nth(len(series_names) - 1)).to_be_attached(timeout=180_000)
                assert "Asset plots are automatically generated" not in page.locator("body").inner_text()
                titles = page.evaluate(CHART_TITLES)
                assert set(series_names) <= set(titles), (key, titles)
                if screenshot:
                    page.locator("canvas").first.scroll_into_view_if_needed()
                    page.screenshot(path=str(ARTIFACTS / screenshot))

            open_plots("ads/ad_lifecycle", LIFECYCLE_SERIES, "ui_ad_lifecycle_plots.png")
            for key, series_names in OTHER_SERIES.items():
                open_plots(key, series_names)

            # the demo's runs under their jobs (the jobs' own Runs pages, not only the global run list)
            for job, job_runs in runs.items():
                page.goto(f"{url}/locations/sekswerk_assets/jobs/{job}/runs")
                for run in job_runs:
                    expect(page.get_by_text(run["runId"][:8]).first).to_be_visible(timeout=180_000)
                body = page.locator("body").inner_text()
                assert "No runs found" not in body
                page.screenshot(path=str(ARTIFACTS / f"ui_{job}_runs.png"), full_page=True)
            browser.close()
