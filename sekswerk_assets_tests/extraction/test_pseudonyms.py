"""Pseudonyms: normalised, stable, keyed, domain-separated; dev key handling."""

from __future__ import annotations

import pytest

from sekswerk_assets.lib.crypto import new_key
from sekswerk_assets.lib.pseudonym import PseudonymResource, Pseudonymizer, normalise_phone, simhash_distance

PHONE_FORMS = ["06-91234567", "06 9123 4567", "+31 6 91234567", "0691234567", "06-912 345 67", "+31(0)6-91234567",
               "0031 6 91234567"]


def test_phone_formats_share_one_pseudonym():
    p = Pseudonymizer(new_key())
    assert normalise_phone("06-912 345 67") == "+31691234567"  # possible, not valid (069 is unassigned)
    assert len({p.phone(f) for f in PHONE_FORMS}) == 1
    assert p.phone("06-91234568") != p.phone("06-91234567")
    assert p.phone("12") is None and p.phone(None) is None and p.phone("geen nummer") is None


def test_stable_and_keyed():
    key = new_key()
    a, b, other = Pseudonymizer(key), Pseudonymizer(key), Pseudonymizer(new_key())
    for fn, arg in [("phone", ("0691234567",)), ("name", ("Zoë",)), ("code", ("kinky", "3104004")),
                    ("url", ("http://127.0.0.1:5000/advertentie/3104004",)), ("text_hash", ("Hoi ik ben Zoë",))]:
        va, vb, vo = getattr(a, fn)(*arg), getattr(b, fn)(*arg), getattr(other, fn)(*arg)
        assert va == vb and va != vo and len(va) == 32
        assert arg[-1] not in va
    assert a.text_simhash("een twee drie vier vijf") == b.text_simhash("een twee drie vier vijf")
    assert a.text_simhash("een twee drie vier vijf") != other.text_simhash("een twee drie vier vijf")


def test_normalisation_and_domains():
    p = Pseudonymizer(new_key())
    assert p.name("  ZOË  van   Dijk ") == p.name("zoe van dijk")
    assert p.code("kinky", "123") != p.code("sexjobs", "123")
    assert p.name("123") != p.code("kinky", "123")
    # host and port do not matter (sandbox ports change per run); the path does
    assert p.url("http://127.0.0.1:5000/escort/x-1", "topescortbabes") == p.url("https://h:1/escort/x-1/", "topescortbabes")
    assert p.url("http://h/escort/x-1", "topescortbabes") != p.url("http://h/escort/x-2", "topescortbabes")


def test_simhash_is_near_for_near_duplicates():
    p = Pseudonymizer(new_key())
    base = ("Hoi ik ben Lotte, lieve spontane meid uit Utrecht. Ik ontvang thuis en kom ook naar je toe. "
            "Bel gerust voor een afspraak, geen sms. Discreet en hygienisch, tot snel kusjes")
    near = base.replace("tot snel kusjes", "tot snel!! kusjes xx")
    far = "Sweet girl from Brazil, incall and outcall, available late, call me for an appointment now please"
    h = p.text_simhash(base)
    assert -(2**63) <= h < 2**63
    assert simhash_distance(h, p.text_simhash(near)) < simhash_distance(h, p.text_simhash(far))
    assert simhash_distance(h, p.text_simhash(near)) <= 12
    assert p.text_simhash("") is None


def test_resource_dev_key_created_once(tmp_path):
    r1 = PseudonymResource(data_dir=str(tmp_path))
    v = r1.phone("0691234567")
    assert (tmp_path / "keys" / "dev_pseudonym.key").exists()
    assert PseudonymResource(data_dir=str(tmp_path)).phone("0691234567") == v
    assert PseudonymResource(key=new_key(), data_dir=str(tmp_path)).phone("0691234567") != v


def test_short_key_rejected():
    with pytest.raises(ValueError):
        Pseudonymizer("short")


def test_fast_mobile_path_agrees_with_phonenumbers():
    """The fast normaliser of Dutch mobile numbers gives what phonenumbers gives, for every form it takes."""
    import random

    import phonenumbers

    from sekswerk_assets.lib.pseudonym import _NL_MOBILE, _normalise_phone_lib

    rng = random.Random(8)
    prefixes = ["06", "0 6", "0-6", "+316", "+31 6", "+31-6", "+31 -6", "+31(0)6", "+31 (0)6", "+31(0) 6", "+31(0)-6",
                "00316", "0031 6", "0031-6", "0031 -6"]
    forms = []
    for _ in range(3000):
        digits = [str(rng.randrange(10)) for _ in range(8)]
        tail = "".join(d if rng.random() < 0.7 else rng.choice([" ", "-"]) + d for d in digits)
        forms.append(rng.choice(prefixes) + tail)
    forms += PHONE_FORMS
    for f in forms:
        assert _NL_MOBILE.fullmatch(f), f
        assert normalise_phone(f) == _normalise_phone_lib(f, "NL"), f
    # anything else goes to phonenumbers itself
    for f in ("+32 470 12 34 56", "020-1234567", "06-1234567", "06-123456789", "+31 6 1234 5678 ext 2", " 0612345678"):
        assert not _NL_MOBILE.fullmatch(f)
        assert normalise_phone(f) == _normalise_phone_lib(f, "NL")


def test_text_pseudonyms_and_pickling():
    import pickle

    p = Pseudonymizer(new_key())
    text = "Hoi, ik ben Zoë. Ik ontvang thuis in Utrecht, 150 per uur. Hoi, ik ben Zoë."
    assert p.text_pseudonyms(text) == (p.text_hash(text), p.text_simhash(text))
    assert p.text_pseudonyms("") == (None, None) and p.text_pseudonyms("  ") == (None, None)
    q = pickle.loads(pickle.dumps(p))  # the shingle cache stays behind
    assert q.text_simhash(text) == p.text_simhash(text) and q.phone("0691234567") == p.phone("0691234567")


def test_fast_url_path_agrees_with_urlsplit():
    from urllib.parse import urlsplit

    from sekswerk_assets.lib.pseudonym import normalise_url

    def reference(url):
        parts = urlsplit(url)
        path = parts.path.rstrip("/") or "/"
        return path + (f"?{parts.query}" if parts.query else "")

    urls = ["http://127.0.0.1:5000/advertentie/3104004", "https://h:1/escort/x-1/", "http://h", "http://h/",
            "https://www.kinky.nl/a//b//", "http://h:80/a/b.html", "http://user@h/p", "http://h/p?x=1", "http://h/p#f",
            "http://[::1]:80/p", "http://h/a b", "HTTP://H/A", "http://h/%20x/", "https://h/é", " http://h/p", "ftp://h/p"]
    for url in urls:
        assert normalise_url(url) == reference(url), url
