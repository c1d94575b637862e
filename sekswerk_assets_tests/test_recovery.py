"""Recover without a person: a run worker killed while it holds the ``duckdb`` pool slot does not block
the next run. In-process runs (recovered by ``dead_run_sensor`` and ``python -m sekswerk_assets.ops
free-slots``) and runs launched under the webserver and daemon (the instance's run monitoring).

Both use the local instance profile (deploy/local/dagster.yaml) in a temporary DAGSTER_HOME and the small
code location ``sekswerk_assets_tests.slot_holder``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from sekswerk_assets.ops import dead_run_sensor, free_dead_runs, process_alive

from .services import REPO, dagster_services

POOL = "duckdb"


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "local" / "dagster.yaml", home / "dagster.yaml")
    return home


def env_for(home: Path, tmp_path: Path) -> dict:
    return {**os.environ, "DAGSTER_HOME": str(home), "SLOT_TEST_DB": str(tmp_path / "warehouse.duckdb"),
            "PYTHONPATH": str(REPO)}


def wait_until(predicate, timeout: float, what: str, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def slot_holders(instance: dg.DagsterInstance) -> set[str]:
    return instance.event_log_storage.get_concurrency_info(POOL).active_run_ids


def start_holder(home: Path, tmp_path: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "sekswerk_assets_tests.slot_holder", "hold"], cwd=REPO,
                            env=env_for(home, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.strip() == "HOLDING":
            return proc
    raise AssertionError("".join(lines)[-3000:])


def kill_holder(instance: dg.DagsterInstance, proc: subprocess.Popen) -> str:
    (run_id,) = slot_holders(instance)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    # nobody noticed: the run still looks started and still holds the slot
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED
    assert slot_holders(instance) == {run_id}
    return run_id


def write_in_process(home: Path, tmp_path: Path, timeout: float = 300) -> str:
    out = subprocess.run([sys.executable, "-m", "sekswerk_assets_tests.slot_holder", "write"], cwd=REPO,
                         env=env_for(home, tmp_path), capture_output=True, text=True, timeout=timeout)
    assert "DONE" in out.stdout, out.stdout[-2000:] + out.stderr[-3000:]
    return out.stdout


def test_killed_in_process_run_is_recovered_by_sensor_and_command(home, tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] > 0
        # 1) the sensor, as the daemon runs it
        holder = start_holder(home, tmp_path)
        run_id = kill_holder(instance, holder)
        assert not process_alive(holder.pid)
        result = dead_run_sensor(dg.build_sensor_context(instance=instance))
        assert "1 dead runs recovered" in result.skip_message
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        assert slot_holders(instance) == set()
        write_in_process(home, tmp_path)

        # 2) the documented command
        holder = start_holder(home, tmp_path)
        run_id = kill_holder(instance, holder)
        dry = subprocess.run([sys.executable, "-m", "sekswerk_assets.ops", "free-slots", "--dry-run"], cwd=REPO,
                             env=env_for(home, tmp_path), capture_output=True, text=True, timeout=300)
        assert f"run {run_id} (STARTED, process " in dry.stdout and "would be marked failed" in dry.stdout
        assert slot_holders(instance) == {run_id}
        out = subprocess.run([sys.executable, "-m", "sekswerk_assets.ops", "free-slots"], cwd=REPO,
                             env=env_for(home, tmp_path), capture_output=True, text=True, timeout=300)
        assert f"run {run_id} (STARTED, process " in out.stdout and "marked failed, slots freed" in out.stdout, \
            out.stdout + out.stderr[-2000:]
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        write_in_process(home, tmp_path)
        # a live run is never touched
        holder = start_holder(home, tmp_path)
        try:
            assert free_dead_runs(instance) == []
            assert len(slot_holders(instance)) == 1
        finally:
            os.killpg(holder.pid, signal.SIGKILL)
            holder.wait(timeout=60)
        free_dead_runs(instance)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from after_crash").fetchone()[0] == 2


LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""


def launch(url: str, job: str) -> str:
    params = {"selector": {"repositoryLocationName": "slot_holder", "repositoryName": "__repository__",
                           "jobName": job}, "runConfigData": {}}
    req = urllib.request.Request(url + "/graphql", headers={"Content-Type": "application/json"},
                                 data=json.dumps({"query": LAUNCH, "variables": {"params": params}}).encode())
    with urllib.request.urlopen(req, timeout=120) as resp:
        out = json.loads(resp.read())["data"]["launchRun"]
    assert out["__typename"] == "LaunchRunSuccess", out
    return out["run"]["runId"]


def test_killed_run_worker_under_the_daemon_does_not_block_the_next_run(home, tmp_path, monkeypatch):
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text("load_from:\n  - python_module:\n      module_name: sekswerk_assets_tests.slot_holder\n"
                         "      location_name: slot_holder\n")
    env = {"SLOT_TEST_DB": str(tmp_path / "warehouse.duckdb"), "PYTHONPATH": str(REPO)}
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dagster_services(home, env, workspace=workspace) as url, dg.DagsterInstance.get() as instance:
        hold = launch(url, "hold_slot_job")
        wait_until(lambda: hold in slot_holders(instance), 600, "the first run to hold the duckdb slot")
        records = instance.get_records_for_run(hold, of_type=dg.DagsterEventType.RUN_START).records
        worker = records[-1].event_log_entry.dagster_event.pid
        assert worker and process_alive(worker)
        os.kill(worker, signal.SIGKILL)  # the run worker dies as under the out-of-memory killer
        killed_at = time.monotonic()
        nxt = launch(url, "after_the_crash_job")

        def finished():
            run = instance.get_run_by_id(nxt)
            assert run.status not in (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED), run.status
            return run.status == dg.DagsterRunStatus.SUCCESS

        wait_until(finished, 600, "the next run to finish after the kill (no manual step)", interval=2.0)
        took = time.monotonic() - killed_at
        print(f"\nnext run finished {took:.0f} s after the run worker was killed")
        assert took < 600
        assert instance.get_run_by_id(hold).status == dg.DagsterRunStatus.FAILURE
        assert hold not in slot_holders(instance)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from after_crash").fetchone()[0] == 1
