"""Encrypted raw snapshots: the only interface between collection and extraction.

Layout under ``<data dir>/raw/<site>/<week>/`` (one folder per site and weekly partition)::

    pages.bin             records back to back; each = AES-256-GCM(zlib(page bytes)),
                          12-byte nonce first; associated data "<site>/<week>/<record>"
    manifest.parquet.enc  AES-256-GCM(zlib(Parquet of the manifest)), see schemas/collection.py
    summary.json          counts only (pages, ads, failures, bytes, duration): nothing identifying

A partition is written to a temporary sibling folder and swapped in with renames, so a
re-materialisation replaces it whole and a crash leaves the previous version (or nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sekswerk_assets.lib.crypto import Cipher
from sekswerk_assets.schemas.collection import ManifestModel

PAGES_FILE = "pages.bin"
MANIFEST_FILE = "manifest.parquet.enc"
SUMMARY_FILE = "summary.json"
MANIFEST_AAD = b"manifest"


@dataclass
class PageRecord:
    """One fetched (or failed) page before it is written."""

    page_type: str
    url: str
    status: int
    body: bytes | None
    attempts: int
    section: str | None = None
    ad_code: str | None = None
    error: str | None = None
    fetched_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.body is not None and 200 <= self.status < 300 and self.error is None


@dataclass
class SnapshotWriter:
    """Collects page records for one site/week and writes them atomically on :meth:`commit`."""

    store: "SnapshotStore"
    site: str
    week: str
    records: list[PageRecord] = field(default_factory=list)

    def add(self, record: PageRecord) -> None:
        self.records.append(record)

    def commit(self, summary: dict) -> Path:
        final = self.store.partition_dir(self.site, self.week)
        final.parent.mkdir(parents=True, exist_ok=True)
        # leftovers of a run that was killed half-way (never visible as a partition) are removed
        for stale in final.parent.glob(f".{self.week}.*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = final.parent / f".{self.week}.tmp-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        try:
            # Stable order: manifests of two runs of the same week line up row by row.
            ordered = sorted(self.records, key=lambda r: (r.page_type, r.section or "", r.url))
            rows = []
            offset = 0
            with open(tmp / PAGES_FILE, "wb") as fh:
                for i, rec in enumerate(ordered):
                    sealed = b""
                    if rec.body is not None:
                        sealed = self.store.cipher.seal(rec.body, self._aad(i))
                        fh.write(sealed)
                    rows.append(
                        {
                            "record": i,
                            "page_type": rec.page_type,
                            "section": rec.section,
                            "url": rec.url,
                            "ad_code": rec.ad_code,
                            "fetched_at": rec.fetched_at,
                            "status": rec.status,
                            "bytes": len(rec.body or b""),
                            "sha256": hashlib.sha256(rec.body).hexdigest() if rec.body is not None else None,
                            "attempts": rec.attempts,
                            "offset": offset if sealed else -1,
                            "length": len(sealed),
                            "ok": rec.ok,
                            "error": rec.error,
                        }
                    )
                    offset += len(sealed)
                fh.flush()
                os.fsync(fh.fileno())
            manifest = ManifestModel.validate(pd.DataFrame(rows, columns=list(ManifestModel.to_schema().columns)))
            buf = io.BytesIO()
            manifest.to_parquet(buf, index=False)
            (tmp / MANIFEST_FILE).write_bytes(self.store.cipher.seal(buf.getvalue(), MANIFEST_AAD))
            (tmp / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, sort_keys=True))
            self.store.swap_in(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return final

    def _aad(self, record: int) -> bytes:
        return f"{self.site}/{self.week}/{record}".encode()


class SnapshotStore:
    """Read and write encrypted weekly snapshots under ``<root>/raw``."""

    def __init__(self, root: Path | str, cipher: Cipher):
        self.root = Path(root) / "raw"
        self.cipher = cipher

    def partition_dir(self, site: str, week: str) -> Path:
        return self.root / site / week

    def exists(self, site: str, week: str) -> bool:
        return (self.partition_dir(site, week) / MANIFEST_FILE).exists()

    def weeks(self, site: str) -> list[str]:
        base = self.root / site
        if not base.exists():
            return []
        return sorted(p.name for p in base.iterdir() if not p.name.startswith(".") and (p / MANIFEST_FILE).exists())

    def writer(self, site: str, week: str) -> SnapshotWriter:
        return SnapshotWriter(self, site, week)

    def swap_in(self, tmp: Path, final: Path) -> None:
        old = None
        if final.exists():
            old = final.parent / f".{final.name}.old-{uuid.uuid4().hex[:8]}"
            final.rename(old)
        tmp.rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def manifest(self, site: str, week: str) -> pd.DataFrame:
        path = self.partition_dir(site, week) / MANIFEST_FILE
        if not path.exists():
            raise FileNotFoundError(f"no snapshot for site {site!r} week {week}: {path} is missing")
        raw = self.cipher.open(path.read_bytes(), MANIFEST_AAD)
        return pd.read_parquet(io.BytesIO(raw))

    def summary(self, site: str, week: str) -> dict:
        return json.loads((self.partition_dir(site, week) / SUMMARY_FILE).read_text())

    def pages(self, site: str, week: str, page_type: str | None = None) -> Iterator[tuple[pd.Series, bytes]]:
        """Yield ``(manifest row, decrypted page bytes)`` for every stored page (optionally one type)."""
        manifest = self.manifest(site, week)
        if page_type is not None:
            manifest = manifest[manifest["page_type"] == page_type]
        with open(self.partition_dir(site, week) / PAGES_FILE, "rb") as fh:
            for _, row in manifest.iterrows():
                if row["offset"] < 0:
                    continue
                fh.seek(int(row["offset"]))
                sealed = fh.read(int(row["length"]))
                yield row, self.cipher.open(sealed, f"{site}/{week}/{int(row['record'])}".encode())

    def delete(self, site: str, week: str) -> bool:
        path = self.partition_dir(site, week)
        if path.exists():
            shutil.rmtree(path)
            return True
        return False
