"""A tiny code location for the recovery tests: one asset that holds the ``duckdb`` pool slot until killed,
one that needs the slot after it. Real Dagster machinery (instance profile, pools, daemon), test assets.

    python -m sekswerk_assets_tests.slot_holder hold    # in-process run of hold_slot (DAGSTER_HOME instance)
    python -m sekswerk_assets_tests.slot_holder write   # in-process run of after_the_crash
"""

import os
import sys
import time

import dagster as dg
import duckdb

POOL = "duckdb"  # the pool of every warehouse asset (deploy/*/dagster.yaml: limit 1)


def _warehouse() -> str:
    return os.environ["SLOT_TEST_DB"]


@dg.asset(pool=POOL, group_name="slot_test", kinds={"duckdb"})
def hold_slot(context: dg.AssetExecutionContext) -> None:
    """Holds the duckdb pool slot for up to ten minutes (it is meant to be killed)."""
    context.log.info(f"HOLDING pool slot in process {os.getpid()}")
    print("HOLDING", flush=True)
    time.sleep(600)


@dg.asset(pool=POOL, group_name="slot_test", kinds={"duckdb"})
def after_the_crash() -> None:
    """Writes one row to the warehouse: it can only run once the slot is free again."""
    with duckdb.connect(_warehouse()) as con:
        con.execute("create table if not exists after_crash (written_at double)")
        con.execute("insert into after_crash values (?)", [time.time()])


hold_job = dg.define_asset_job("hold_slot_job", selection=[hold_slot])
write_job = dg.define_asset_job("after_the_crash_job", selection=[after_the_crash])
defs = dg.Definitions(assets=[hold_slot, after_the_crash], jobs=[hold_job, write_job])


if __name__ == "__main__":
    with dg.DagsterInstance.get() as instance:
        asset = {"hold": hold_slot, "write": after_the_crash}[sys.argv[1]]
        result = dg.materialize([asset], instance=instance, raise_on_error=False)
        print("DONE" if result.success else "FAILED", result.run_id, flush=True)
