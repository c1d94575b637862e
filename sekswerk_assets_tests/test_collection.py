"""Collection against the real sandbox server: completeness, faults, layout change, re-runs, privacy."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from sekswerk_assets.defs.collection.assets import raw_snapshots
from sekswerk_assets.lib.keys import raw_snapshot_key
from sekswerk_assets.collection.client import AdSitesResource
from sekswerk_assets.lib.snapshots import SnapshotStore
from sekswerk_assets.lib.crypto import Cipher, DecryptionError, new_key
from sekswerk_assets.resources import DataDirResource
from sekswerk_assets.sandbox import SandboxServer, load_config, simulate

from .conftest import make_resources

SCALE = 0.05
WEEK = "2020-09-01"
SITES = ["kinky", "sexjobs", "topescortbabes"]


@pytest.fixture(scope="module")
def population():
    return simulate(load_config(scale=SCALE))


@pytest.fixture(scope="module")
def sandbox_urls():
    with SandboxServer(load_config(scale=SCALE)) as urls:
        yield urls


@pytest.fixture(scope="module")
def collected(tmp_path_factory, sandbox_urls):
    """One clean collection of WEEK for all three sites, shared by several tests."""
    tmp = tmp_path_factory.mktemp("collected")
    key = new_key()
    res = make_resources(
        tmp,
        data=DataDirResource(data_dir=str(tmp / "data"), snapshot_key=key),
        ad_sites=AdSitesResource(sandbox_scale=SCALE, sandbox_base_urls=sandbox_urls),
    )
    with dg.instance_for_test() as instance:
        result = dg.materialize([raw_snapshots], partition_key=WEEK, resources=res, instance=instance)
    assert result.success
    return {"tmp": tmp, "key": key, "store": SnapshotStore(tmp / "data", Cipher(key)), "result": result, "res": res}


def truth_codes(population, site: str, week: str = WEEK) -> set[str]:
    obs = population.observations
    return set(obs[(obs["week"].astype(str) == week) & (obs["site"] == site)]["ad_code"].astype(str))


def page_hashes(store: SnapshotStore, site: str) -> dict[str, str]:
    m = store.manifest(site, WEEK)
    m = m[m["ok"] & m["page_type"].isin(["ad", "listing", "api"])]
    return dict(zip(m["url"].str.replace(r"^https?://[^/]+", "", regex=True), m["sha256"]))


@pytest.mark.parametrize("site", SITES)
def test_every_listed_ad_is_in_the_snapshot(collected, population, site):
    manifest = collected["store"].manifest(site, WEEK)
    ads = manifest[manifest["page_type"] == "ad"]
    assert ads["ok"].all()
    assert set(ads["ad_code"]) == truth_codes(population, site)
    # the stored bytes decrypt to complete ad pages
    for row, body in collected["store"].pages(site, WEEK, page_type="ad"):
        assert body.rstrip().endswith(b"</html>")
        assert hashlib.sha256(body).hexdigest() == row["sha256"]


def test_checks_pass_and_metadata_reported(collected, population):
    result = collected["result"]
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 9 and all(e.passed for e in evaluations)
    mats = result.get_asset_materialization_events()
    meta = {m.asset_key.path[-1]: m.materialization.metadata for m in mats}
    assert meta["kinky"]["ads"].value == len(truth_codes(population, "kinky"))
    assert meta["kinky"]["synthetic"].value is True
    assert meta["sexjobs"]["pages_per_s"].value > 0


def test_faults_give_the_same_pages(collected, tmp_path):
    """5% 5xx, 2% timeouts and 1% truncated pages: retries recover exactly the same content."""
    res = make_resources(
        tmp_path,
        data=DataDirResource(data_dir=str(tmp_path / "data"), snapshot_key=collected["key"]),
        ad_sites=AdSitesResource(
            sandbox_scale=SCALE,
            sandbox_fault_http_5xx=0.05,
            sandbox_fault_timeout=0.02,
            sandbox_fault_truncated=0.01,
            timeout_s=1.5,
        ),
    )
    with dg.instance_for_test() as instance:
        assert dg.materialize([raw_snapshots], partition_key=WEEK, resources=res, instance=instance).success
    faulty = SnapshotStore(tmp_path / "data", Cipher(collected["key"]))
    retried = 0
    for site in SITES:
        assert page_hashes(faulty, site) == page_hashes(collected["store"], site)
        retried += int((faulty.manifest(site, WEEK)["attempts"] > 1).sum())
    assert retried > 0, "faults were injected, so some pages must have needed a retry"


def test_fast_path_stores_the_same_pages_as_the_browser_path(collected, sandbox_urls, tmp_path):
    """aiohttp for static pages (the default, used by ``collected``) and the browser's request context store
    byte-identical page contents: the same URLs, page types and outcomes, and the same decrypted bodies."""
    browser_path = AdSitesResource(sandbox_scale=SCALE, sandbox_base_urls=sandbox_urls, http_client="browser")
    store = SnapshotStore(tmp_path / "data", Cipher(collected["key"]))
    writers = {site: store.writer(site, WEEK) for site in SITES}
    results = browser_path.collect_many(SITES, WEEK, sink=lambda site, rec: writers[site].add(rec))
    for site in SITES:
        writers[site].commit(results[site].summary())
    columns = ["page_type", "section", "url", "ad_code", "status", "bytes", "sha256", "ok", "error"]
    for site in SITES:
        fast, slow = collected["store"].manifest(site, WEEK), store.manifest(site, WEEK)
        assert len(fast) == len(slow) > 10
        assert set(fast["page_type"]) >= {"robots", "ad"} and fast["ok"].all()
        pd.testing.assert_frame_equal(fast[columns], slow[columns])
        fast_bodies = {(row["page_type"], row["url"]): body for row, body in collected["store"].pages(site, WEEK)}
        slow_bodies = {(row["page_type"], row["url"]): body for row, body in store.pages(site, WEEK)}
        assert fast_bodies.keys() == slow_bodies.keys()
        differing = [k for k in fast_bodies if fast_bodies[k] != slow_bodies[k]]
        assert not differing, f"{site}: {len(differing)} pages differ between the two paths"


def test_layout_change_fails_the_check(tmp_path):
    res = make_resources(tmp_path, ad_sites=AdSitesResource(sandbox_scale=SCALE, sandbox_layout_change=True))
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [raw_snapshots], selection=[raw_snapshot_key("kinky")], partition_key=WEEK, resources=res,
            instance=instance, raise_on_error=False,
        )
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not checks["week_not_empty"].passed
    assert checks["week_not_empty"].metadata["layout_problems"].value > 0


def test_rematerialising_replaces_the_partition(collected, sandbox_urls):
    store, res = collected["store"], collected["res"]
    before = {s: store.manifest(s, WEEK).drop(columns=["fetched_at", "offset", "length"]) for s in SITES}
    bodies_before = {row["url"]: body for row, body in store.pages("sexjobs", WEEK)}
    with dg.instance_for_test() as instance:
        assert dg.materialize([raw_snapshots], partition_key=WEEK, resources=res, instance=instance).success
    for site in SITES:
        after = store.manifest(site, WEEK).drop(columns=["fetched_at", "offset", "length"])
        pd.testing.assert_frame_equal(before[site], after)
    assert {row["url"]: body for row, body in store.pages("sexjobs", WEEK)} == bodies_before
    leftovers = [p for p in (collected["tmp"] / "data" / "raw").rglob(".*")]
    assert leftovers == []


def test_wrong_key_decrypts_nothing(collected):
    wrong = SnapshotStore(collected["tmp"] / "data", Cipher(new_key()))
    with pytest.raises(DecryptionError):
        wrong.manifest("kinky", WEEK)
    row = collected["store"].manifest("kinky", WEEK).iloc[-1]
    sealed = (collected["store"].partition_dir("kinky", WEEK) / "pages.bin").read_bytes()
    with pytest.raises(DecryptionError):
        Cipher(new_key()).open(sealed[row["offset"] : row["offset"] + row["length"]], b"kinky/x/0")


def phone_formats(phone: str) -> list[str]:
    """0612345678 in every way people write it."""
    digits = phone.replace(" ", "").replace("-", "")
    rest = digits[2:]
    return [digits, f"06 {rest}", f"06-{rest}", f"+31 6 {rest}", f"+316{rest}", f"0031 6 {rest}", f"00316{rest}", f"+31 6{rest}"]


def test_no_personal_data_readable_under_data(collected, population):
    needles: set[bytes] = set()
    for phone in population.advertisers["phone"]:
        needles.update(f.encode() for f in phone_formats(str(phone)))
    # short first names would match random ciphertext by chance; names of 6+ letters cannot
    needles.update(n.encode() for n in population.advertisers["name"].dropna().unique() if len(n) >= 6)
    files = [p for p in (collected["tmp"] / "data").rglob("*") if p.is_file() and "sandbox" not in p.parts]
    assert files
    for path in files:
        blob = path.read_bytes()
        hits = [n for n in needles if n in blob]
        assert not hits, f"{path} contains personal data in clear"


def test_real_site_past_week_is_refused(collected, sandbox_urls):
    """A configured (real) base URL can only be collected in the current week; old snapshots stay."""
    store = collected["store"]
    before = (store.partition_dir("kinky", WEEK) / "pages.bin").read_bytes()
    res = dict(collected["res"])
    res["ad_sites"] = AdSitesResource(kinky_url=sandbox_urls["kinky"])
    with dg.instance_for_test() as instance:
        result = dg.materialize([raw_snapshots], selection=[raw_snapshot_key("kinky")], partition_key=WEEK,
                                resources=res, instance=instance, raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0]
    assert "only shows the current week" in str(failure.event_specific_data.error)
    assert (store.partition_dir("kinky", WEEK) / "pages.bin").read_bytes() == before


def test_missing_week_sensor_reports_the_gap(instance):
    from sekswerk_assets.defs.collection.automation import missing_collection_sensor

    key = dg.AssetKey(["raw_snapshots", "kinky"])
    for week in ("2020-08-25", "2020-09-08"):  # 2020-09-01 was never collected
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key, partition=week))
    with dg.build_sensor_context(instance=instance, resources={"ad_sites": AdSitesResource()}) as context:
        result = missing_collection_sensor(context)
    obs = {e.asset_key.path[-1]: e for e in result.asset_events}
    assert "2020-09-01" in obs["kinky"].metadata["missing_week_keys"].value
    assert obs["kinky"].metadata["missing_weeks"].value >= 1
    assert "kinky" in result.skip_reason.skip_message


def test_chromium_sandbox_stays_on_for_real_sites(monkeypatch):
    from sekswerk_assets.collection import browser

    monkeypatch.setattr(browser, "running_as_root", lambda: False)
    assert browser.launch_options(local_sandbox_target=False)["chromium_sandbox"] is True
    assert browser.launch_options(local_sandbox_target=True)["chromium_sandbox"] is True
    monkeypatch.setattr(browser, "running_as_root", lambda: True)
    # off only for our own pages on a platform that needs it (root: CI, containers)
    assert browser.launch_options(local_sandbox_target=True)["chromium_sandbox"] is False
    with pytest.raises(browser.SandboxUnavailable, match="Chromium's sandbox on"):
        browser.launch_options(local_sandbox_target=False)


def test_environment_fields_stay_environment_variables(monkeypatch):
    """Resource fields set from the environment are EnvVars, so a Launchpad override of one field keeps the others."""
    import dagster as dg

    monkeypatch.setenv("SEKSWERK_SANDBOX_SCALE", "0.2")
    monkeypatch.setenv("SEKSWERK_CHROMIUM_PATH", "/usr/bin/chromium")
    monkeypatch.setenv("SEKSWERK_KINKY_URL", "https://kinky.example")
    res = AdSitesResource.from_env()
    for field in ("sandbox_scale", "chromium_path", "kinky_url"):
        assert isinstance(getattr(res, field), dg.EnvVar), field
    config = res._get_non_default_public_field_values() if hasattr(res, "_get_non_default_public_field_values") else {}
    assert config.get("sandbox_scale", dg.EnvVar("SEKSWERK_SANDBOX_SCALE")) == dg.EnvVar("SEKSWERK_SANDBOX_SCALE")


def test_the_browser_requests_no_images(sandbox_urls):
    """Images are switched off in Chromium itself: a listing full of thumbnails sends no image request."""
    import asyncio

    from sekswerk_assets.collection.adapters import ADAPTERS
    from sekswerk_assets.collection.collector import BrowserHub

    adapter = ADAPTERS["kinky"]
    _, first = adapter.listing_urls(sandbox_urls["kinky"].rstrip("/") + "/")[0]

    async def visit() -> tuple[list[str], int]:
        hub = BrowserHub(None, local_sandbox_target=True, users=1)
        try:
            context = await hub.new_context("sekswerk-assets-test", {"X-Sandbox-Week": WEEK})
            page = await context.new_page()
            kinds: list[str] = []
            page.on("request", lambda request: kinds.append(request.resource_type))
            await page.goto(first, wait_until="domcontentloaded")
            async with page.expect_navigation(wait_until="load"):
                await page.locator(adapter.wall_button).first.click()
            images_on_page = await page.locator("img").count()
            await hub.close_context(context)
            return kinds, images_on_page
        finally:
            await hub.close()

    kinds, images_on_page = asyncio.run(visit())
    assert images_on_page > 0  # the page does show thumbnails
    assert "document" in kinds and "image" not in kinds


def test_stored_manifests_pass_the_manifest_model(collected):
    """The writer checks rows without pandera; what it wrote still passes the pandera model when read back."""
    from sekswerk_assets.schemas.collection import ManifestModel

    for site in SITES:
        manifest = collected["store"].manifest(site, WEEK)
        assert len(manifest) > 0
        ManifestModel.validate(manifest)
        assert str(manifest["fetched_at"].dtype) == "datetime64[ns]"


def test_the_writer_refuses_rows_outside_the_manifest_schema():
    from sekswerk_assets.lib.snapshots import check_manifest_rows

    good = {"record": 0, "page_type": "ad", "section": None, "url": "http://x/a", "ad_code": "A", "fetched_at": None,
            "status": 200, "bytes": 3, "sha256": "0" * 64, "attempts": 1, "offset": 0, "length": 40, "ok": True,
            "error": None}
    check_manifest_rows([good])
    for bad in ({"page_type": "image"}, {"status": 600}, {"sha256": "abc"}, {"offset": -2}):
        with pytest.raises(ValueError, match="manifest schema"):
            check_manifest_rows([{**good, **bad}])
    with pytest.raises(ValueError, match="record"):
        check_manifest_rows([good, good])


def test_the_collection_core_imports_neither_dagster_nor_pandas():
    """The collector, its run function and the snapshot writer stay light (imports cost seconds per run)."""
    import subprocess
    import sys

    code = (
        "import sys, tempfile, datetime as dt, sekswerk_assets.collection.run\n"
        "from sekswerk_assets.lib.crypto import Cipher, new_key\n"
        "from sekswerk_assets.lib.snapshots import PageRecord, SnapshotStore\n"
        "store = SnapshotStore(tempfile.mkdtemp(), Cipher(new_key()))\n"
        "writer = store.writer('kinky', '2020-11-24')\n"
        "writer.add(PageRecord('ad', 'http://x/a', 200, b'x', 1, 's', 'A', None, dt.datetime.now(dt.timezone.utc)))\n"
        "writer.stage({}).discard()\n"  # the write path too: the manifest is written without pandas
        "print(' '.join(m for m in ('dagster', 'pandas', 'pandera', 'pydantic') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_with_a_sink_the_results_keep_no_bodies(sandbox_urls):
    sites = AdSitesResource(sandbox_scale=SCALE, sandbox_base_urls=sandbox_urls)
    got: list = []
    result = sites.collect_many(["kinky"], WEEK, progress=lambda m: None,
                                sink=lambda site, rec: got.append(rec))["kinky"]
    assert got and all(r.body for r in got if r.ok)
    assert all(r.body in (None, b"") for r in result.records)
    assert result.count("ad", ok=True) == sum(1 for r in got if r.page_type == "ad" and r.ok) > 0
    assert result.pages == sum(1 for r in got if r.body is not None)
    kept = sites.collect_many(["kinky"], WEEK, progress=lambda m: None, sink=lambda site, rec: None,
                              keep_bodies=True)["kinky"]
    assert any(r.body for r in kept.records)


def test_a_page_budget_stops_fetching_and_the_week_does_not_pass_as_complete(sandbox_urls):
    from sekswerk_assets.lib.snapshots import snapshot_checks

    full = AdSitesResource(sandbox_scale=SCALE, sandbox_base_urls=sandbox_urls).collect("kinky", WEEK, progress=lambda m: None)
    assert not full.budget_exhausted
    budget = full.count("listing") + 10
    assert budget < full.count("listing") + full.count("ad")
    limited = AdSitesResource(sandbox_scale=SCALE, sandbox_base_urls=sandbox_urls, page_budget=budget).collect(
        "kinky", WEEK, progress=lambda m: None)
    assert limited.budget_exhausted
    # every request the budget allowed, and no more (robots.txt and the wall are not part of the budget)
    asked = [r for r in limited.records if r.page_type in ("listing", "ad") and r.error != "page budget exhausted"]
    assert len(asked) == budget
    refused = [r for r in limited.records if r.error == "page budget exhausted"]
    assert refused and all(not r.ok and r.body is None for r in refused)
    # nothing is left unrecorded, and a blocking check says the week is incomplete (the stored snapshot stays)
    assert limited.unaccounted() == 0
    outcomes = {o.name: o for o in snapshot_checks(limited.summary(), previous_ads=full.count("ad", ok=True))}
    assert not outcomes["error_rate"].passed  # the refused ad pages count as failed
    assert not outcomes["week_not_empty"].passed and outcomes["week_not_empty"].blocking  # fewer than half last week's


@pytest.mark.parametrize("page", ["http://h:1/advertenties/escort?p=7", "http://h:1/a/b/?x=2#f", "http://h:1/a;par?q=1"])
def test_memoised_pagination_links_resolve_as_urljoin_does(page):
    """The cache key drops the page's query; references that would keep it (none, "?", "#frag") bypass the cache."""
    from urllib.parse import urljoin

    from sekswerk_assets.collection.adapters import join_link

    for href in ["?p=2", "/advertenties/escort?p=3", "c?d", "../e", "//other/p", "#top", "", "http://z/q",
                 "?", "?#x", "?a#b", ".", ";x", "./?p=1"]:
        assert join_link(page, href) == urljoin(page, href), href
    # two pages of one section share the entry of a link, and still resolve as their own
    assert join_link(page, "?p=9") == urljoin(page, "?p=9")
    assert join_link(page + "&x=1", "?p=9") == urljoin(page + "&x=1", "?p=9")


def test_fetching_waits_for_every_sites_browser_steps_but_not_longer_than_its_limit():
    """The hub's barrier: it opens when the last site is past its browser steps, and a stuck site holds the rest only up to the limit."""
    import asyncio
    import time

    from sekswerk_assets.collection.collector import BrowserHub

    async def scenario() -> tuple[float, bool, float]:
        hub = BrowserHub(None, local_sandbox_target=True, users=2)
        hub.browser_steps_done()  # one site is past its steps, the other is not
        started = time.monotonic()
        await hub.wait_for_browser_steps(0.3)  # the other never finishes: the wait ends at the limit
        waited = time.monotonic() - started
        opened_early = hub._steps_done.is_set()
        hub.browser_steps_done()
        started = time.monotonic()
        await hub.wait_for_browser_steps(60)  # now open: no waiting at all
        return waited, opened_early, time.monotonic() - started

    waited, opened_early, second = asyncio.run(scenario())
    assert waited >= 0.25 and not opened_early
    assert second < 5  # far below the limit of 60 s
    assert BrowserHub(None, local_sandbox_target=True, users=0)._steps_done.is_set()  # no browser users: never waits


def test_the_system_headless_shell_is_preferred_to_the_full_browser(tmp_path, monkeypatch):
    """Without Playwright's own browsers, the headless shell is launched where it is installed, else chromium."""
    from sekswerk_assets.collection import browser

    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in ("chromium", "chromium-headless-shell"):
        exe = bindir / name
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "no-playwright-browsers"))
    monkeypatch.setenv("PATH", str(bindir))
    names = tuple(n for n in browser.SYSTEM_BROWSERS if not n.startswith("/"))  # this machine's own binary aside
    monkeypatch.setattr(browser, "SYSTEM_BROWSERS", names)
    assert browser.chromium_executable() == str(bindir / "chromium-headless-shell")
    (bindir / "chromium-headless-shell").unlink()
    assert browser.chromium_executable() == str(bindir / "chromium")
    assert browser.chromium_executable(str(bindir / "chromium")) == str(bindir / "chromium")


def test_the_largest_site_is_fetched_by_a_worker_process_whose_death_fails_that_site_alone(sandbox_urls):
    """A run hands kinky's static pages to a worker process; killed mid-week, kinky fails with the exit code
    and sexjobs, collected beside it in the same run and browser, is complete."""
    import psutil

    from sekswerk_assets.collection.run import collect_outcomes, default_politeness
    from sekswerk_assets.collection.worker import WorkerFailed

    sites = ["kinky", "sexjobs"]
    politeness = {"kinky": default_politeness(sandbox=True, rate_per_second=25.0),  # slow: still busy when killed
                  "sexjobs": default_politeness(sandbox=True)}
    killed: list[int] = []

    def progress(message: str) -> None:
        if message.startswith("kinky:") and not killed:  # kinky's listing is in, its ad pages are being fetched
            for child in psutil.Process().children():
                if "sekswerk_assets.collection.worker" in " ".join(child.cmdline()):
                    child.kill()
                    killed.append(child.pid)

    stored: dict[str, int] = {"kinky": 0, "sexjobs": 0}

    def sink(site: str, rec) -> None:
        stored[site] += 1

    outcomes = collect_outcomes({s: sandbox_urls[s] for s in sites}, WEEK, politeness, sandbox_sites=sites,
                                progress=progress, sink=sink)
    assert len(killed) == 1, "kinky's static pages are fetched by a worker process of their own"
    assert isinstance(outcomes["kinky"], WorkerFailed)
    assert str(outcomes["kinky"]) == "kinky: its collection worker ended without a result (exit code -9)"
    sexjobs = outcomes["sexjobs"]
    assert not isinstance(sexjobs, BaseException)
    assert sexjobs.unaccounted() == 0 and sexjobs.count("ad", ok=True) > 10 and sexjobs.wall_error is None
    assert stored["sexjobs"] == len(sexjobs.records)
    assert stored["kinky"] >= 2  # what arrived before the kill (robots.txt, the wall, ...) reached the sink
    assert not [c for c in psutil.Process().children() if c.pid in killed]  # reaped, no zombie left


def test_a_sites_rate_limit_is_kept_across_the_two_processes():
    """The slot handed from one process to the other is honoured: no request starts before it."""
    import asyncio
    import time

    from sekswerk_assets.collection.collector import RateLimiter

    async def scenario() -> tuple[float, float]:
        limiter = RateLimiter(rate_per_second=10.0)
        handed = time.monotonic() + 0.3  # the other process's last request was just now + 0.2 s
        limiter.not_before(handed)
        started = time.monotonic()
        await limiter.wait()
        return time.monotonic() - started, limiter.next_slot() - handed

    waited, next_after = asyncio.run(scenario())
    assert waited >= 0.28
    assert abs(next_after - 0.1) < 1e-6  # the request after it is one interval (1/10 s) later


def test_a_worker_whose_parent_is_gone_stops_fetching(sandbox_urls):
    """The worker ends as soon as its stdin closes (its parent was killed), not when the site is done."""
    import subprocess
    import sys
    import time

    from sekswerk_assets.collection import worker
    from sekswerk_assets.collection.run import SANDBOX_WEEK_HEADER, default_politeness

    proc = subprocess.Popen([sys.executable, "-m", "sekswerk_assets.collection.worker"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        job = {"site": "kinky", "base_url": sandbox_urls["kinky"] + "/", "headers": {SANDBOX_WEEK_HEADER: WEEK},
               # one request every 2 s: its five first listing pages alone would take 10 s
               "politeness": default_politeness(sandbox=True, rate_per_second=0.5),
               "handed": (200, b"User-agent: *\nAllow: /\n", [], None, 0.0)}
        proc.stdin.write(worker._frame(("job", job)))
        proc.stdin.flush()
        time.sleep(0.5)
        proc.stdin.close()  # what the kernel does when the parent dies
        started = time.monotonic()
        assert proc.wait(timeout=60) == worker.PARENT_GONE
        assert time.monotonic() - started < 8
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
