"""Recovering without a person: runs whose process is gone are marked failed and give back their pool slots.

A run worker killed by SIGKILL or the out-of-memory killer cannot report its own end, and it keeps the
``duckdb`` pool slot it held, so every later run waits at "Step blocked by limit for pool duckdb".

- Runs launched by the daemon or the UI: the code server notices that the worker process died and marks
  the run failed; the instance's run monitoring (``run_monitoring.free_slots_after_run_end_seconds`` in
  ``deploy/*/dagster.yaml``) then frees its slots.
- Runs executed in-process (``dg.materialize``, ``dagster asset materialize``, the demo): nobody is
  watching them. :data:`dead_run_sensor` (on by default, in the daemon) and the command below find
  them by the process id in their ``RUN_START`` event, mark them failed and free their slots.

One command does it by hand, on the machine where the runs execute (``DAGSTER_HOME`` set)::

    python -m sekswerk_assets.ops free-slots [--dry-run]

It frees the slots of every run that holds or waits for one and whose process is gone (finished runs
included, without the monitoring delay), and marks such runs that still look in progress as failed.
Runs whose process is alive are left alone. It prints one line per run (run id, status, process id).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass

import dagster as dg
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

#: statuses in which a run is expected to have a live process
LIVE_STATUSES = [DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]


@dataclass(frozen=True)
class DeadRun:
    run_id: str
    status: str
    pid: int | None
    action: str  # "marked failed, slots freed" / "slots freed" / "would ..." (dry run)


def run_worker(instance: DagsterInstance, run_id: str) -> tuple[int | None, float | None]:
    """Process id and time of the latest ``RUN_START`` event of a run (the process that executes it)."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.RUN_START, limit=1,
                                           ascending=False).records
    if not records:
        return None, None
    entry = records[0].event_log_entry
    pid = entry.dagster_event.pid if entry.dagster_event is not None else None
    return pid, entry.timestamp


def _boot_time() -> float | None:
    try:
        with open("/proc/stat") as fh:
            for line in fh:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except OSError:
        pass
    return None


def process_alive(pid: int, since: float | None = None) -> bool:
    """Whether ``pid`` is a live (non-zombie) process that already existed at ``since`` (not a reused id)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return True  # no /proc (not Linux): trust kill(0)
    if fields[0] in ("Z", "X"):
        return False  # killed, not yet reaped
    boot = _boot_time()
    if since is not None and boot is not None:
        started = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
        if started > since + 2.0:
            return False  # the id was reused by a process started after the run
    return True


def _mark_failed_and_free(instance: DagsterInstance, run: dg.DagsterRun | None, run_id: str, message: str) -> None:
    """Mark a run failed (if given) and free its concurrency slots.

    Dagster has no public Python API for either: the UI frees slots through the GraphQL mutation
    ``freeConcurrencySlotsForRun``, which calls this same event-log-storage method, and the code server
    marks a dead worker's run failed with ``report_run_failed``. Both are isolated here.
    """
    if run is not None:
        instance.report_run_failed(run, message)
    instance.event_log_storage.free_concurrency_slots_for_run(run_id)


def _slot_run_ids(instance: DagsterInstance) -> set[str]:
    """Runs that hold or wait for a pool slot (private storage API, see :func:`_mark_failed_and_free`)."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return set()
    return set(storage.get_concurrency_run_ids())


def free_dead_runs(instance: DagsterInstance, *, dry_run: bool = False, log=None) -> list[DeadRun]:
    """Mark runs whose process is gone as failed and free the pool slots they hold; return what was done."""
    log = log or (lambda msg: None)
    candidates = {r.dagster_run.run_id: r.dagster_run
                  for r in instance.get_run_records(filters=RunsFilter(statuses=LIVE_STATUSES))}
    for run_id in _slot_run_ids(instance) - set(candidates):
        run = instance.get_run_by_id(run_id)
        candidates[run_id] = run
    done = []
    for run_id, run in sorted(candidates.items()):
        pid, since = run_worker(instance, run_id)
        status = run.status.value if run is not None else "DELETED"
        live = run is not None and run.status in LIVE_STATUSES
        if pid is None and live:
            continue  # no worker recorded yet: run monitoring's start timeout handles it
        if pid is not None and process_alive(pid, since):
            continue
        if live:
            action = "marked failed, slots freed"
            message = (f"Run worker process {pid} is gone (killed, e.g. by SIGKILL or the out-of-memory killer): "
                       "marked failed and its pool slots freed by sekswerk_assets.ops")
        else:
            action, message = "slots freed", ""
        if dry_run:
            action = "would be " + action
        else:
            _mark_failed_and_free(instance, run if live else None, run_id, message)
        log(f"run {run_id} ({status}, process {pid}): {action}")
        done.append(DeadRun(run_id, status, pid, action))
    return done


@dg.sensor(
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks runs whose worker process is gone (SIGKILL, out of memory) as failed and frees their "
                "pool slots, so the next queued run is not blocked (see sekswerk_assets.ops).",
)
def dead_run_sensor(context: dg.SensorEvaluationContext):
    done = free_dead_runs(context.instance, log=context.log.warning)
    return dg.SkipReason(f"{len(done)} dead runs recovered" if done else "no dead runs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sekswerk_assets.ops", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    free = sub.add_parser("free-slots", help="mark runs whose process is gone failed and free their pool slots")
    free.add_argument("--dry-run", action="store_true", help="only print what would be done")
    args = parser.parse_args(argv)
    with DagsterInstance.get() as instance:
        done = free_dead_runs(instance, dry_run=args.dry_run, log=print)
    print(f"{len(done)} runs {'to recover' if args.dry_run else 'recovered'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
