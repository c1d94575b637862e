"""Data-quality results for the report: the latest Dagster asset-check evaluations of the measurement year."""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg
import pandas as pd

from sekswerk_assets.partitions import weeks_of_year

#: values of a check execution record's status (compared by value: the enum is not public API)
SUCCEEDED, FAILED = "SUCCEEDED", "FAILED"
QUALITY_COLUMNS = ["asset", "check", "scope", "evaluated", "passed", "failed", "not_evaluated", "status"]


def check_keys(context: dg.AssetExecutionContext) -> set[dg.AssetCheckKey]:
    """Every check of the code location: its repository's asset graph, and the checks registered at load time.

    In-process runs have no repository on their context; ``definitions.py`` registers the checks then.
    """
    from sekswerk_assets.lib.catalog import registered_checks

    keys = registered_checks()
    try:
        keys |= set(context.repository_def.asset_graph.asset_check_keys)
    except Exception:  # no repository on the context: an in-process run
        pass
    return keys


def summarise(records: Iterable, year: str) -> dict:
    """Count one check per partition of the year from its execution records (newest first or in any order).

    Dagster writes a PLANNED row per partition when a run plans a check and, for a check without its own
    partitions, the evaluation as a separate row without a partition. So the result of a run is its evaluation,
    and it belongs to the partitions that run planned: a check that passed in every week is passed in every week,
    not "incomplete". Per partition the newest run with a result counts; a partition only ever planned is not
    evaluated. Runs of another year's partitions are left out.
    """
    weeks = set(weeks_of_year(year))
    runs: dict[str, dict] = {}
    for rec in records:
        run = runs.setdefault(rec.run_id, {"partitions": set(), "status": None, "order": rec.id})
        run["order"] = max(run["order"], rec.id)
        if rec.partition is not None:
            run["partitions"].add(rec.partition)
        status = rec.status.value
        if status == FAILED or (status == SUCCEEDED and run["status"] is None):
            run["status"] = status
    latest: dict = {}  # partition -> (order, status or None)
    for run in runs.values():
        parts = run["partitions"] or {None}
        for p in parts:
            if not (p is None or p == year or p in weeks):
                continue
            seen = latest.get(p)
            if seen is None or (run["status"] is not None and (seen[1] is None or run["order"] > seen[0])):
                latest[p] = (run["order"], run["status"])
    passed = sum(st == SUCCEEDED for _, st in latest.values())
    failed = sum(st == FAILED for _, st in latest.values())
    planned = len(latest) - passed - failed
    if not latest:
        return dict(scope="-", evaluated=0, passed=0, failed=0, not_evaluated=0, status="no result")
    scope = "year" if year in latest else ("weeks" if any(p in weeks for p in latest) else "unpartitioned")
    status = "failed" if failed else ("passed" if passed and not planned else "incomplete")
    return dict(scope=scope, evaluated=passed + failed, passed=passed, failed=failed, not_evaluated=planned, status=status)


def check_results(instance: dg.DagsterInstance, keys: Iterable[dg.AssetCheckKey], year: str) -> pd.DataFrame:
    """Latest evaluation per check and partition of the year (the year itself, its weeks, or unpartitioned)."""
    storage = instance.event_log_storage
    rows = []
    for key in sorted(keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        records = storage.get_asset_check_execution_history(key, limit=5000)
        rows.append(dict(asset=key.asset_key.to_user_string(), check=key.name, **summarise(records, year)))
    return pd.DataFrame(rows, columns=QUALITY_COLUMNS)
