"""Encryption at rest for raw snapshots (AES-256-GCM) and key handling.

The key comes from ``SEKSWERK_SNAPSHOT_KEY`` (urlsafe base64 of 32 random bytes).
When it is not set, a development key is generated once under
``<data dir>/keys/dev_snapshot.key`` (mode 0600) and a warning is logged: fine
for the sandbox, never for real data.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
import zlib
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

NONCE_BYTES = 12


class DecryptionError(Exception):
    """Raised when a snapshot record cannot be decrypted (wrong key or tampered data)."""


def new_key() -> str:
    """A fresh urlsafe-base64 encoded 256-bit key."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def decode_key(key: str, *, name: str = "key") -> bytes:
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} is not urlsafe base64") from exc
    if len(raw) != 32:
        raise ValueError(f"{name} must decode to 32 bytes, got {len(raw)}")
    return raw


def load_or_create_dev_key(path: Path, purpose: str) -> str:
    """Read a development key from ``path``, creating it (0600) with a logged warning if absent."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    log.warning(
        "No %s key configured: generated a development key at %s. "
        "Set it explicitly (and back it up) before collecting real data.",
        purpose,
        path,
    )
    return key


class Cipher:
    """Compress-then-encrypt records with AES-256-GCM; the associated data binds a record to its place."""

    def __init__(self, key: str):
        self._aead = AESGCM(decode_key(key, name="snapshot key"))

    def seal(self, plaintext: bytes, associated: bytes = b"") -> bytes:
        return self.seal_compressed(self.compress(plaintext), associated)

    @staticmethod
    def compress(plaintext: bytes) -> bytes:
        """The compression step of :meth:`seal` alone (can run ahead, e.g. in a writer thread)."""
        return zlib.compress(plaintext, 6)

    def seal_compressed(self, compressed: bytes, associated: bytes = b"") -> bytes:
        """The encryption step of :meth:`seal` on bytes from :meth:`compress` (same format as ``seal``)."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, compressed, associated)

    def open(self, sealed: bytes, associated: bytes = b"") -> bytes:
        nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        try:
            return zlib.decompress(self._aead.decrypt(nonce, body, associated))
        except InvalidTag as exc:
            raise DecryptionError("cannot decrypt snapshot record: wrong key or corrupted file") from exc
