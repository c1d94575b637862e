"""Encrypted raw snapshots: the only interface between collection and extraction.

Layout under ``<data dir>/raw/<site>/<week>/`` (one folder per site and weekly partition)::

    pages.bin             records back to back; each = AES-256-GCM(zlib(page bytes)),
                          12-byte nonce first; associated data "<site>/<week>/<record>"
    manifest.parquet.enc  AES-256-GCM(zlib(Parquet of the manifest)), see schemas/collection.py
    summary.json          counts only (pages, ads, failures, bytes, duration): nothing identifying

A new snapshot is first *staged*: written whole to a hidden sibling folder ``.<week>.tmp-<id>``
and checked there (:func:`snapshot_checks`: parse ok, ads present, listing pages accounted). It is
then *promoted* (:meth:`SnapshotStore.promote`): swapped in with renames, but only if it passes its
checks and holds at least as many ads as the stored one (``force=True`` overrides). Otherwise the
stored snapshot stays untouched and :class:`SnapshotKept` says why. A crash leaves the previous
version (or nothing).

Commits of one site and week are serialised by an exclusive ``flock`` on
``<root>/.locks/raw-<site>-<week>.lock``. Each staging folder is itself ``flock``-ed by the process
writing it for as long as it lives, so the cleanup of leftovers removes only folders whose writer
is gone (a killed run), never the folder of another commit that is still running.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import io
import json
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sekswerk_assets.constants import PAGE_TYPES
from sekswerk_assets.lib.crypto import Cipher

if TYPE_CHECKING:
    import pandas as pd

PAGES_FILE = "pages.bin"
MANIFEST_FILE = "manifest.parquet.enc"
SUMMARY_FILE = "summary.json"
MANIFEST_AAD = b"manifest"
LOCK_DIR = ".locks"
#: the manifest's columns in stored order, with their Parquet types (as pandas wrote them when the manifest
#: was a validated DataFrame: timestamps naive UTC in ns); see schemas/collection.py for their meaning
MANIFEST_COLUMNS = (
    ("record", "int64"), ("page_type", "string"), ("section", "string"), ("url", "string"),
    ("ad_code", "string"), ("fetched_at", "timestamp[ns]"), ("status", "int64"), ("bytes", "int64"),
    ("sha256", "string"), ("attempts", "int64"), ("offset", "int64"), ("length", "int64"), ("ok", "bool"),
    ("error", "string"),
)
HALF_EMPTY = 0.5  # a week with fewer than half the ads of the previous stored week fails
MAX_ERROR_RATE = 0.02  # share of ad pages that may fail before the error-rate check warns

log = logging.getLogger(__name__)


class SnapshotKept(Exception):
    """A new snapshot was not promoted: the stored one stays. The message says why (counts only)."""


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


@dataclass(frozen=True)
class _PreparedRecord:
    """A page record as the writer keeps it: its manifest fields and its compressed body (not yet encrypted)."""

    page_type: str
    section: str | None
    url: str
    ad_code: str | None
    fetched_at: dt.datetime | None
    status: int
    bytes: int
    sha256: str | None
    attempts: int
    ok: bool
    error: str | None
    compressed: bytes | None


@dataclass
class SnapshotWriter:
    """Collects page records for one site/week and writes them atomically on :meth:`stage` / :meth:`commit`.

    :meth:`add` compresses the body and hashes it right away (so a writer thread can do that while the
    collector is still fetching) and keeps only the compressed bytes; the encryption, whose associated data
    names the record's place in the stable order, follows when the snapshot is written.
    """

    store: "SnapshotStore"
    site: str
    week: str
    _records: list[_PreparedRecord] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, record: PageRecord) -> None:
        if not self._records:
            # the manifest's writer is imported with the first record (in the collector's writer thread,
            # while the browser starts), not at the end of the collection, where it would wait on it
            _import_manifest_writer()
        body = record.body
        prepared = _PreparedRecord(
            page_type=record.page_type, section=record.section, url=record.url, ad_code=record.ad_code,
            fetched_at=record.fetched_at, status=record.status, bytes=len(body or b""),
            sha256=hashlib.sha256(body).hexdigest() if body is not None else None,
            attempts=record.attempts, ok=record.ok, error=record.error,
            compressed=self.store.cipher.compress(body) if body is not None else None,
        )
        with self._lock:
            self._records.append(prepared)

    def __len__(self) -> int:
        return len(self._records)

    def commit(self, summary: dict) -> Path:
        """Write and swap in unconditionally (benches, tests): stage, then promote with ``force``.

        The collection asset stages, checks and promotes itself (see :meth:`SnapshotStore.promote`).
        """
        staged = self.stage(summary)
        try:
            return self.store.promote(staged, [], force=True)
        finally:
            staged.discard()

    def stage(self, summary: dict) -> "StagedSnapshot":
        """Write the snapshot whole into its own hidden staging folder; the stored partition is not touched."""
        final = self.store.partition_dir(self.site, self.week)
        final.parent.mkdir(parents=True, exist_ok=True)
        with self.store.lock(self.site, self.week):
            # leftovers of runs that were killed half-way (their flock died with them) are removed;
            # a folder that another live commit is writing is locked, so it is left alone
            self.store.remove_leftovers(self.site, self.week)
            tmp = final.parent / f".{self.week}.tmp-{uuid.uuid4().hex[:12]}"
            tmp.mkdir()
            staged = StagedSnapshot(self.store, self.site, self.week, tmp, dict(summary), _hold_dir_lock(tmp))
        try:
            self._write(tmp, staged.summary)
        except BaseException:
            staged.discard()
            raise
        return staged

    def _write(self, tmp: Path, summary: dict) -> None:
        # Stable order: manifests of two runs of the same week line up row by row.
        with self._lock:
            ordered = sorted(self._records, key=lambda r: (r.page_type, r.section or "", r.url))
        rows = []
        offset = 0
        with open(tmp / PAGES_FILE, "wb") as fh:
            for i, rec in enumerate(ordered):
                sealed = b""
                if rec.compressed is not None:
                    sealed = self.store.cipher.seal_compressed(rec.compressed, self._aad(i))
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
                        "bytes": rec.bytes,
                        "sha256": rec.sha256,
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
        buf = io.BytesIO()
        _write_manifest_parquet(rows, buf)
        (tmp / MANIFEST_FILE).write_bytes(self.store.cipher.seal(buf.getvalue(), MANIFEST_AAD))
        (tmp / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, sort_keys=True))

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
            old = final.parent / f".{final.name}.old-{uuid.uuid4().hex[:12]}"
            final.rename(old)
        tmp.rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    # -- staging, promotion, locks ------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, site: str, week: str):
        """Exclusive lock of one site and week (an ``flock``: released by the kernel if the process dies)."""
        path = self.root.parent / LOCK_DIR / f"raw-{site}-{week}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("waiting for another commit of %s %s to finish", site, week)
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    def remove_leftovers(self, site: str, week: str) -> list[Path]:
        """Remove hidden folders of ``site``/``week`` whose writer is gone (call with :meth:`lock` held)."""
        removed = []
        for stale in self.partition_dir(site, week).parent.glob(f".{week}.*"):
            held = _try_dir_lock(stale)
            if held is None:
                continue  # a live commit owns it
            try:
                shutil.rmtree(stale, ignore_errors=True)
                removed.append(stale)
            finally:
                os.close(held)
        return removed

    def stored_checks_passed(self, site: str, week: str) -> bool:
        """Whether the stored snapshot passed its checks when it was promoted (older ones: assumed so)."""
        return bool(self.summary(site, week).get("checks_passed", True))

    def promote(self, staged: "StagedSnapshot", outcomes: list["CheckOutcome"], *, force: bool = False) -> Path:
        """Swap a staged snapshot in, if it is at least as good as the stored one; else raise :class:`SnapshotKept`.

        Rules, in order: ``force`` replaces; with nothing stored the new snapshot is kept even when its
        checks fail (a real site's week cannot be collected again later, and the failing blocking check
        stops everything downstream); a new snapshot that fails a blocking check never replaces a stored
        one; a passing one replaces a stored one that failed its checks, or one with at most as many ads.
        """
        failed = [o for o in outcomes if o.blocking and not o.passed]
        staged.summary["checks_passed"] = not failed
        staged.summary["checks"] = {o.name: o.passed for o in outcomes}
        (staged.path / SUMMARY_FILE).write_text(json.dumps(staged.summary, indent=2, sort_keys=True))
        final = self.partition_dir(staged.site, staged.week)
        with self.lock(staged.site, staged.week):
            if not force and self.exists(staged.site, staged.week):
                stored_ads = int(self.summary(staged.site, staged.week).get("ads_fetched", 0))
                new_ads = int(staged.summary.get("ads_fetched", 0))
                where = f"{staged.site} {staged.week}"
                if failed:
                    reasons = "; ".join(f"{o.name}: {o.description or 'failed'}" for o in failed)
                    raise SnapshotKept(
                        f"stored snapshot of {where} kept ({stored_ads} ads): the new snapshot ({new_ads} ads) "
                        f"failed its checks ({reasons}). Run with replace: force to store it anyway."
                    )
                if new_ads < stored_ads and self.stored_checks_passed(staged.site, staged.week):
                    raise SnapshotKept(
                        f"stored snapshot of {where} kept: the new snapshot holds fewer ads ({new_ads}) than the "
                        f"stored one ({stored_ads}). Run with replace: force to store it anyway."
                    )
            self.swap_in(staged.path, final)
        staged.promoted = True
        return final

    def manifest(self, site: str, week: str) -> "pd.DataFrame":
        import pandas as pd  # only where a manifest is read as a DataFrame: the write path does without pandas

        path = self.partition_dir(site, week) / MANIFEST_FILE
        if not path.exists():
            raise FileNotFoundError(f"no snapshot for site {site!r} week {week}: {path} is missing")
        raw = self.cipher.open(path.read_bytes(), MANIFEST_AAD)
        return pd.read_parquet(io.BytesIO(raw))

    def summary(self, site: str, week: str) -> dict:
        return json.loads((self.partition_dir(site, week) / SUMMARY_FILE).read_text())

    def manifest_records(self, site: str, week: str, page_type: str | None = None) -> list[dict]:
        """The manifest as one dict per row (column -> value), optionally of one page type only."""
        manifest = self.manifest(site, week)
        if page_type is not None:
            manifest = manifest[manifest["page_type"] == page_type]
        return manifest.to_dict("records")

    def pages(self, site: str, week: str, page_type: str | None = None,
              records: list[dict] | None = None) -> Iterator[tuple[dict, bytes]]:
        """Yield ``(manifest row as a dict, decrypted page bytes)`` for every stored page (optionally one type).

        ``records``: the rows of :meth:`manifest_records` when the caller already read them.
        """
        if records is None:
            records = self.manifest_records(site, week, page_type)
        elif page_type is not None:
            records = [r for r in records if r["page_type"] == page_type]
        prefix = f"{site}/{week}/"
        open_sealed = self.cipher.open
        with open(self.partition_dir(site, week) / PAGES_FILE, "rb") as fh:
            data = fh.read()  # one read: a week of one site is a few MB
        view = memoryview(data)
        for row in records:
            offset = int(row["offset"])
            if offset < 0:
                continue
            sealed = bytes(view[offset : offset + int(row["length"])])
            yield row, open_sealed(sealed, (prefix + str(int(row["record"]))).encode())

    def delete(self, site: str, week: str) -> bool:
        path = self.partition_dir(site, week)
        if path.exists():
            shutil.rmtree(path)
            return True
        return False


@dataclass
class StagedSnapshot:
    """A snapshot written whole to its hidden staging folder, locked by this process until promoted or discarded."""

    store: SnapshotStore
    site: str
    week: str
    path: Path
    summary: dict
    _fd: int | None = None
    promoted: bool = False

    def discard(self) -> None:
        """Remove the staging folder (if it was not promoted) and release its lock. Idempotent."""
        if not self.promoted:
            shutil.rmtree(self.path, ignore_errors=True)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def check_manifest_rows(rows: list[dict]) -> None:
    """The rules of ``schemas.collection.ManifestModel`` on the rows about to be written, in plain Python.

    The write path does without pandas and pandera (they cost seconds of imports in a collection run);
    a test checks that every manifest written this way also passes the pandera model when read back.
    """
    seen: set[int] = set()
    for row in rows:
        problems = []
        if row["record"] < 0 or row["record"] in seen:
            problems.append("record")
        seen.add(row["record"])
        if row["page_type"] not in PAGE_TYPES:
            problems.append("page_type")
        if not isinstance(row["url"], str):
            problems.append("url")
        if not 0 <= row["status"] <= 599:
            problems.append("status")
        if row["bytes"] < 0 or row["attempts"] < 0 or row["offset"] < -1 or row["length"] < 0:
            problems.append("sizes")
        if row["sha256"] is not None and len(row["sha256"]) != 64:
            problems.append("sha256")
        if not isinstance(row["ok"], bool):
            problems.append("ok")
        if problems:
            raise ValueError(f"manifest row {row['record']} breaks the manifest schema: {', '.join(problems)}")


def _import_manifest_writer() -> None:
    import pyarrow.json  # noqa: F401
    import pyarrow.parquet  # noqa: F401


def _write_manifest_parquet(rows: list[dict], out) -> None:
    """Check ``rows`` and write them as the manifest's Parquet file to ``out`` (pyarrow alone, no pandas).

    The rows reach Arrow as JSON lines read with the manifest's explicit schema: building Arrow arrays
    from Python objects (``pa.array``, ``Table.from_pydict``) imports pandas, whose import costs more than
    the whole write.
    """
    import pyarrow as pa
    import pyarrow.json as pa_json
    import pyarrow.parquet as pq

    check_manifest_rows(rows)
    schema = pa.schema([(name, pa.timestamp("ns") if kind == "timestamp[ns]" else pa.type_for_alias(kind))
                        for name, kind in MANIFEST_COLUMNS])
    lines = [json.dumps({**row, "fetched_at": _iso_utc(row["fetched_at"])}) for row in rows] or ["{}"]
    table = pa_json.read_json(
        io.BytesIO("\n".join(lines).encode()),
        parse_options=pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error"),
    )
    if not rows:
        table = table.slice(0, 0)  # the placeholder line only gave the columns their types
    pq.write_table(table.select([name for name, _ in MANIFEST_COLUMNS]), out)


def _iso_utc(t: dt.datetime | None) -> str | None:
    """A fetch time as the manifest stores it (UTC without a time zone), in ISO format."""
    if t is None:
        return None
    if t.tzinfo is not None:
        t = t.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return t.isoformat()


def _hold_dir_lock(path: Path) -> int:
    """Open ``path`` and hold an exclusive ``flock`` on it: marks the folder as owned by a live process."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def _try_dir_lock(path: Path) -> int | None:
    """The folder's lock if nobody holds it (its writer is gone), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


# -- the checks of a snapshot, run on the staged copy before it may replace the stored one ------

@dataclass(frozen=True)
class CheckOutcome:
    """Result of one snapshot check (counts only; section names are the sites' public section names)."""

    name: str
    passed: bool
    blocking: bool
    metadata: dict
    description: str | None = None


def lost_listing_sections(summary: dict) -> dict[str, str]:
    """Section -> what was lost: a section whose first page never arrived, or pages short of its pagination."""
    lost = {}
    for name, sec in sorted((summary.get("sections") or {}).items()):
        if not sec.get("first_page_ok"):
            lost[name] = f"section lost (first page failed: {sec.get('first_error') or 'not fetched'})"
        elif sec.get("lost_pages"):
            lost[name] = f"{sec['lost_pages']} of {sec['expected_pages']} listing pages lost"
    return lost


def snapshot_checks(summary: dict, previous_ads: int | None) -> list[CheckOutcome]:
    """The collection checks of one site-week, from its summary alone (so they can run on a staged copy).

    ``previous_ads``: ads of the latest stored earlier week (None if there is none).
    """
    listed = int(summary.get("ads_listed", 0))
    ads_ok = int(summary.get("ads_fetched", 0))
    ads_failed = int(summary.get("ads_failed", 0))
    unaccounted = int(summary.get("ads_unaccounted", 0))
    layout = int(summary.get("layout_problems", 0))
    wall = summary.get("wall_error")
    lost = lost_listing_sections(summary)
    sections = summary.get("sections") or {}

    accounted_desc = None
    if lost:
        accounted_desc = "listing pages lost: " + "; ".join(f"{k}: {v}" for k, v in lost.items())
    elif unaccounted:
        accounted_desc = f"{unaccounted} listed ads have no ad-page record"
    accounted = CheckOutcome(
        "all_listed_ads_accounted", passed=not lost and unaccounted == 0, blocking=True,
        metadata={"listed": listed, "fetched": ads_ok, "failed": ads_failed, "unaccounted": unaccounted,
                  "listing_pages_expected": sum(int(s.get("expected_pages") or 0) for s in sections.values()),
                  "listing_pages_lost": sum(int(s.get("lost_pages") or 0) for s in sections.values()),
                  "sections_lost": ", ".join(k for k, v in lost.items() if v.startswith("section lost")) or "none"},
        description=accounted_desc,
    )

    half_empty = previous_ads is not None and ads_ok < HALF_EMPTY * previous_ads
    if wall:
        desc = wall  # e.g. "terms wall not passed: HTTP 503": the site was unreachable, not changed
    elif layout:
        desc = f"{layout} pages not in the expected layout: the site layout may have changed (see the adapter)"
    elif not ads_ok:
        desc = "no ads found"
    elif half_empty:
        desc = f"{ads_ok} ads, fewer than half of the previous week's {previous_ads}"
    else:
        desc = None
    not_empty = CheckOutcome(
        "week_not_empty", passed=ads_ok > 0 and layout == 0 and not wall and not half_empty, blocking=True,
        metadata={"ads": ads_ok, "previous_week_ads": previous_ads if previous_ads is not None else -1,
                  "layout_problems": layout, "wall_passed": not wall},
        description=desc,
    )
    error_rate = ads_failed / listed if listed else 0.0
    errors = CheckOutcome(
        "error_rate", passed=error_rate <= MAX_ERROR_RATE, blocking=False,
        metadata={"error_rate": round(error_rate, 4)},
        description=None if error_rate <= MAX_ERROR_RATE else f"{error_rate:.1%} of ad pages failed after retries",
    )
    return [accounted, not_empty, errors]
