"""Subprocess used by test_crash.py: materialise one step so the test can SIGKILL it half-way.

    python -m sekswerk_assets_tests.crash_runner collect|yearly WORKDIR SNAPSHOT_KEY
"""

import sys
from pathlib import Path

import dagster as dg

from sekswerk_assets.defs.collection.assets import raw_snapshots
from sekswerk_assets.collection.client import AdSitesResource
from sekswerk_assets.defs.deduplication.assets import unique_workers
from sekswerk_assets.lib.keys import raw_snapshot_key
from sekswerk_assets.resources import DataDirResource

from .conftest import make_resources

WEEK = "2020-11-24"


def main(mode: str, work: str, key: str) -> None:
    work_dir = Path(work)
    res = make_resources(work_dir, data=DataDirResource(data_dir=str(work_dir / "data"), snapshot_key=key),
                         ad_sites=AdSitesResource(sandbox_scale=float(sys.argv[4]) if len(sys.argv) > 4 else 0.3))
    with dg.instance_for_test() as instance:
        print("READY", flush=True)
        if mode == "collect":
            result = dg.materialize([raw_snapshots], selection=[raw_snapshot_key("kinky")], partition_key=WEEK,
                                    resources=res, instance=instance)
        else:
            result = dg.materialize([unique_workers], partition_key="2020", resources=res, instance=instance)
    print("DONE" if result.success else "FAILED", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
