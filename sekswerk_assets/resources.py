"""Resource classes shared by all stages.

Stage-specific resource classes (the ad-site client, the survey source) live with their stage;
:mod:`sekswerk_assets.environment` assembles the full set from the environment for ``definitions.py``.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from sekswerk_assets.lib.crypto import Cipher, load_or_create_dev_key


class DataDirResource(dg.ConfigurableResource):
    """Root folder of everything the pipeline writes outside the warehouse, and the snapshot key."""

    data_dir: str
    snapshot_key: str | None = None

    @property
    def root(self) -> Path:
        return Path(self.data_dir)

    def cipher(self) -> Cipher:
        key = self.snapshot_key or load_or_create_dev_key(self.root / "keys" / "dev_snapshot.key", "snapshot")
        return Cipher(key)
