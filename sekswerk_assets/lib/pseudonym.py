"""Keyed pseudonyms (HMAC-SHA256) for phone numbers, names, ad codes, URLs and ad texts.

Every identifier is normalised first (phones to E.164, names casefolded without diacritics)
and then hashed with HMAC-SHA256 under the pseudonym key with a domain prefix, so a phone
and a name with the same characters never collide. The hex digest is truncated to 32
characters (128 bits). Texts get a keyed hash and a keyed 64-bit simhash (near-duplicate
linkage without storing text). See ``docs/pseudonyms.md`` for key generation, backup and
rotation: the key must stay the same across measurement years.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import numpy as np
import phonenumbers

from sekswerk_assets.lib.crypto import load_or_create_dev_key
from sekswerk_assets.lib.diacritics import strip_diacritics

PSEUDONYM_LENGTH = 32  # hex characters kept of the HMAC-SHA256 digest (128 bits)
SHINGLE = 3  # words per shingle of the simhash
NAME_BLOOM_BITS = 64  # Bloom filter of a name's keyed bigrams, stored as a signed int64
NAME_BLOOM_HASHES = 2  # bits set per bigram
_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)


def key_bytes(key: str) -> bytes:
    """The HMAC key: urlsafe base64 of 32 bytes (as made by ``crypto.new_key``), else the UTF-8 bytes."""
    try:
        raw = base64.urlsafe_b64decode(key.encode())
        if len(raw) == 32:
            return raw
    except (ValueError, TypeError):
        pass
    if len(key) < 16:
        raise ValueError("pseudonym key is too short (use crypto.new_key() to make one)")
    return key.encode()


# Dutch mobile numbers as ads write them ("06-12345678", "06 1234 5678", "+31 6 12345678", "+31(0)6-12345678",
# "0031612345678"): E.164 without phonenumbers (what it gives for them, checked by a test); the rest goes to it.
_NL_MOBILE = re.compile(r"(?:\+31 ?(?:\(0\))?|0031 ?|0)[ -]?6(?:[ -]?\d){8}")
_NOT_DIGIT = re.compile(r"\D")


def normalise_phone(raw: str | None, region: str = "NL") -> str | None:
    """E.164 form of a phone number; possible-but-unassigned numbers (e.g. 069) are accepted."""
    if not raw:
        return None
    if region == "NL" and type(raw) is str and _NL_MOBILE.fullmatch(raw):
        return "+316" + _NOT_DIGIT.sub("", raw)[-8:]
    return _normalise_phone_lib(str(raw), region)


@lru_cache(maxsize=65_536)  # each distinct phone string is parsed once
def _normalise_phone_lib(raw: str, region: str) -> str | None:
    try:
        num = phonenumbers.parse(str(raw), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(num):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def normalise_name(raw: str | None) -> str | None:
    """Casefolded name without diacritics and with single spaces ("  Zoë " -> "zoe")."""
    if raw is None:
        return None
    out = _WS.sub(" ", strip_diacritics(str(raw)).casefold()).strip()
    return out or None


def normalise_text(raw: str | None) -> str | None:
    """Text as compared for hashing: NFKC, casefolded, single spaces."""
    if raw is None:
        return None
    out = _WS.sub(" ", unicodedata.normalize("NFKC", str(raw)).casefold()).strip()
    return out or None


_URL_SPECIAL = frozenset(" ?#[]\\;")  # query, fragment, IPv6 hosts, spaces and the rest: left to urlsplit


def normalise_url(url: str | None) -> str | None:
    """Site-relative form of a URL (path + query): independent of scheme, host and port."""
    if not url:
        return None
    if type(url) is str and url.startswith(("http://", "https://")) and url.isascii() and url.isprintable() and not (
            set(url) & _URL_SPECIAL):
        # a plain absolute URL (what the collector stores): the path is everything from the first '/' after the host
        cut = url.find("/", url.index("//") + 2)
        return "/" if cut < 0 else (url[cut:].rstrip("/") or "/")
    parts = urlsplit(str(url))
    path = parts.path.rstrip("/") or "/"
    return path + (f"?{parts.query}" if parts.query else "")


class Pseudonymizer:
    """The hashing itself, for a given key (the resource builds one; tests may use it directly)."""

    def __init__(self, key: str):
        self._key = key_bytes(key)
        self._simhash_key = hmac.new(self._key, b"simhash-key", hashlib.sha256).digest()

    def _hmac(self, domain: str, value: str) -> str:
        msg = f"{domain}\x1f{value}".encode()
        return hmac.digest(self._key, msg, "sha256").hex()[:PSEUDONYM_LENGTH]

    def phone(self, raw: str | None) -> str | None:
        e164 = normalise_phone(raw)
        return self._hmac("phone", e164) if e164 else None

    def name(self, raw: str | None) -> str | None:
        norm = normalise_name(raw)
        return self._hmac("name", norm) if norm else None

    def name_bloom(self, raw: str | None) -> int | None:
        """Keyed Bloom filter (64 bits, signed int64) of the normalised name's padded character bigrams.

        The privacy-preserving stand-in for a string similarity (Schnell et al. 2009): each bigram of
        "_name_" is HMAC-keyed and sets ``NAME_BLOOM_HASHES`` of the 64 bits; the Dice coefficient of two
        filters approximates the bigram similarity of the names, and no name can be read back without
        the key. Stored beside the exact pseudonym; None for no name.
        """
        norm = normalise_name(raw)
        if not norm:
            return None
        padded, value = f"_{norm}_", 0
        for bigram in {padded[i : i + 2] for i in range(len(padded) - 1)}:
            digest = hmac.new(self._key, f"name-bigram\x1f{bigram}".encode(), hashlib.sha256).digest()
            for k in range(NAME_BLOOM_HASHES):
                value |= 1 << (digest[k] % NAME_BLOOM_BITS)
        return value - (1 << 64) if value >= (1 << 63) else value

    def code(self, site: str, code: str | None) -> str | None:
        if code is None or str(code).strip() == "":
            return None
        return self._hmac("adcode", f"{site}:{str(code).strip()}")

    def url(self, url: str | None, site: str = "") -> str | None:
        norm = normalise_url(url)
        return self._hmac("url", f"{site}:{norm}") if norm else None

    def text_hash(self, text: str | None) -> str | None:
        norm = normalise_text(text)
        return self._hmac("text", norm) if norm else None

    def text_simhash(self, text: str | None) -> int | None:
        """Keyed 64-bit simhash over word 3-shingles, as a signed int64 (None for empty text)."""
        return self._simhash_of(normalise_text(text))

    def text_pseudonyms(self, text: str | None) -> tuple[str | None, int | None]:
        """``(text_hash(text), text_simhash(text))``, normalising the text once."""
        norm = normalise_text(text)
        return (self._hmac("text", norm) if norm else None), self._simhash_of(norm)

    def _simhash_of(self, norm: str | None) -> int | None:
        if not norm:
            return None
        words = _WORD.findall(norm)
        if not words:
            return None
        if len(words) < SHINGLE:
            shingles = [" ".join(words)]
        else:
            shingles = [" ".join(t) for t in zip(*(words[i:] for i in range(SHINGLE)))]
        # a shingle's keyed digest is computed once per process (ads share most of their phrases)
        cache = self._shingle_digests
        digests = []
        for sh in shingles:
            d = cache.get(sh)
            if d is None:
                if len(cache) >= _SHINGLE_CACHE_MAX:
                    cache.clear()
                h = self._blake.copy()
                h.update(sh.encode())
                d = cache[sh] = h.digest()
            digests.append(d)
        bits = np.unpackbits(np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(-1, 8), axis=1)
        votes = bits.sum(axis=0, dtype=np.int64) * 2 > len(shingles)
        value = int.from_bytes(np.packbits(votes).tobytes(), "big")
        return value - (1 << 64) if value >= (1 << 63) else value

    def __getstate__(self) -> dict:  # picklable for process pools: the caches stay behind
        return {k: v for k, v in self.__dict__.items() if k not in ("_blake", "_shingle_digests")}

    @cached_property
    def _blake(self):
        return hashlib.blake2b(key=self._simhash_key, digest_size=8)

    @cached_property
    def _shingle_digests(self) -> dict[str, bytes]:
        return {}


_SHINGLE_CACHE_MAX = 500_000  # shingle -> 8-byte digest; cleared when full (about 60 MB)


def simhash_distance(a: int, b: int) -> int:
    """Hamming distance of two simhashes (signed int64 as stored)."""
    return bin((a ^ b) & ((1 << 64) - 1)).count("1")


class PseudonymResource(dg.ConfigurableResource):
    """HMAC-SHA256 pseudonyms with the key from SEKSWERK_PSEUDONYM_KEY (dev key under the data dir if unset)."""

    key: str | None = None
    data_dir: str = "data"

    @cached_property
    def _impl(self) -> Pseudonymizer:
        key = self.key or load_or_create_dev_key(Path(self.data_dir) / "keys" / "dev_pseudonym.key", "pseudonym")
        return Pseudonymizer(key)

    def phone(self, raw: str | None) -> str | None:
        return self._impl.phone(raw)

    def name(self, raw: str | None) -> str | None:
        return self._impl.name(raw)

    def name_bloom(self, raw: str | None) -> int | None:
        return self._impl.name_bloom(raw)

    def code(self, site: str, code: str | None) -> str | None:
        return self._impl.code(site, code)

    def url(self, url: str | None, site: str = "") -> str | None:
        return self._impl.url(url, site)

    def text_hash(self, text: str | None) -> str | None:
        return self._impl.text_hash(text)

    def text_simhash(self, text: str | None) -> int | None:
        return self._impl.text_simhash(text)

    def text_pseudonyms(self, text: str | None) -> tuple[str | None, int | None]:
        return self._impl.text_pseudonyms(text)
