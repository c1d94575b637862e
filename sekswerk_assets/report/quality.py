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
    """Every check of the code location the run belongs to (its repository's asset graph)."""
    try:
        return set(context.repository_def.asset_graph.asset_check_keys)
    except Exception:  # pragma: no cover - no repository in some direct invocations
        return set()


def check_results(instance: dg.DagsterInstance, keys: Iterable[dg.AssetCheckKey], year: str) -> pd.DataFrame:
    """Latest evaluation per check and partition of the year (the year itself, its weeks, or unpartitioned)."""
    weeks = set(weeks_of_year(year))
    rows = []
    storage = instance.event_log_storage
    for key in sorted(keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        latest: dict = {}
        for rec in storage.get_asset_check_execution_history(key, limit=1000):  # newest first
            p = rec.partition
            if p is None or p == year or p in weeks:
                latest.setdefault(p, rec)
        if not latest:
            rows.append(dict(asset=key.asset_key.to_user_string(), check=key.name, scope="-", evaluated=0, passed=0,
                             failed=0, not_evaluated=0, status="no result"))
            continue
        scope = "year" if year in latest else ("weeks" if any(p in weeks for p in latest) else "unpartitioned")
        recs = list(latest.values())
        passed = sum(r.status.value == SUCCEEDED for r in recs)
        failed = sum(r.status.value == FAILED for r in recs)
        planned = len(recs) - passed - failed
        status = "failed" if failed else ("passed" if passed and not planned else "incomplete")
        rows.append(dict(asset=key.asset_key.to_user_string(), check=key.name, scope=scope, evaluated=passed + failed,
                         passed=passed, failed=failed, not_evaluated=planned, status=status))
    return pd.DataFrame(rows, columns=QUALITY_COLUMNS)
