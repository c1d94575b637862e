"""bench.collection at a tiny scale: the project's collector and the two plain baselines fetch the same pages."""

from __future__ import annotations

import collections

import pytest

pytest.importorskip("aiohttp", reason="the bench extra is not installed (pip install -e '.[bench]')")
pytest.importorskip("scrapy", reason="the bench extra is not installed (pip install -e '.[bench]')")

from bench import collection  # noqa: E402


def test_project_and_baselines_fetch_the_same_page_set():
    res = collection.run(0.02, "2020-11-24", rounds=1, contenders=("aiohttp", "scrapy", "project"),
                         warm_up=False, keep_runs=True, log=lambda line: None)
    runs = {r["contender"]: r for r in res["runs"]}
    reference = runs["aiohttp"]["page_set"]
    # exactly the same pages, not merely within the bench's 1% tolerance
    assert runs["scrapy"]["page_set"] == reference
    assert runs["project"]["page_set"] == reference
    kinds = collections.Counter((site, category) for site, category, _ in reference)
    assert {kinds[(s, "robots")] for s in ("kinky", "sexjobs", "topescortbabes")} == {1}
    assert kinds[("kinky", "listing")] >= 5 and kinds[("sexjobs", "listing")] >= 5  # every section
    assert kinds[("topescortbabes", "api")] >= 1
    assert min(kinds[(s, "ad")] for s in ("kinky", "sexjobs", "topescortbabes")) > 0
    # the project's browser-only pages (two walls and the JavaScript listing's shell) are kept apart
    assert runs["project"]["browser_pages"] == 3
    for run in runs.values():
        assert run["wall_s"] > 0 and run["cpu_s"] > 0 and run["peak_pss_mb"] > 0
    assert set(res["ratio"]) == {"project_over_scrapy", "project_over_aiohttp"}


def test_a_page_set_that_differs_by_more_than_one_percent_is_reported():
    reference = {("kinky", "ad", f"/advertentie/{i}") for i in range(200)}
    close = {"contender": "scrapy", "pages": 199, "page_set": set(sorted(reference)[1:])}
    far = {"contender": "project", "pages": 190, "page_set": set(sorted(reference)[10:])}
    problems = collection.compare_pages([close, far], reference)
    assert len(problems) == 1 and problems[0].startswith("project: 190 pages")
