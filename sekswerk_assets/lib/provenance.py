"""Provenance taken from the data itself: the raw snapshots' own summaries, never the current configuration.

Every snapshot summary records whether the pages came from the embedded sandbox and, if so, its seed.
Tables derived from a set of weeks carry those facts downstream, so a warehouse rebuilt from sandbox
snapshots says ``synthetic: true`` even after real URLs have been configured.
"""

from __future__ import annotations

from collections.abc import Iterable

from sekswerk_assets.constants import SITES
from sekswerk_assets.lib.metadata import provenance
from sekswerk_assets.lib.snapshots import SnapshotStore


def snapshot_facts(store: SnapshotStore, weeks: Iterable[str]) -> dict:
    """``synthetic``, the sandbox seeds and the number of site-weeks found for ``weeks``."""
    synthetic, seeds, found = False, set(), 0
    for week in weeks:
        for site in SITES:
            if not store.exists(site, week):
                continue
            summary = store.summary(site, week)
            found += 1
            if summary.get("synthetic"):
                synthetic = True
                if summary.get("sandbox_seed") is not None:
                    seeds.add(int(summary["sandbox_seed"]))
    return {"synthetic": synthetic, "seeds": sorted(seeds), "site_weeks": found}


def data_provenance(store: SnapshotStore, weeks: Iterable[str], **extra) -> dict:
    """Provenance metadata for an asset computed from the snapshots of ``weeks``."""
    facts = snapshot_facts(store, list(weeks))
    seed = facts["seeds"][0] if len(facts["seeds"]) == 1 else None
    return provenance(synthetic=facts["synthetic"], seed=seed, snapshot_site_weeks=facts["site_weeks"], **extra)
