"""The CBS reference ships with the package; SEKSWERK_REFERENCE_DIR overrides it; newer years come from the update command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from sekswerk_assets.reference import update as upd
from sekswerk_assets.reference.__main__ import main
from sekswerk_assets.reference.loader import PACKAGED_DIR, MunicipalityReference, ReferenceDataMissing

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "cbs_update"


@pytest.fixture
def no_override(monkeypatch, tmp_path):
    monkeypatch.delenv("SEKSWERK_REFERENCE_DIR", raising=False)
    monkeypatch.setenv("SEKSWERK_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_packaged_data_is_the_default_and_complete(no_override):
    ref = MunicipalityReference()
    assert ref.folders() == [PACKAGED_DIR, no_override / "data" / "reference"]
    counts = {year: len(ref.municipalities(year)) for year in range(2021, 2027)}
    assert counts == {2021: 352, 2022: 345, 2023: 342, 2024: 342, 2025: 342, 2026: 342}
    m2021 = ref.municipalities(2021)
    assert int(m2021["population"].sum()) == 17_475_415
    assert m2021["size_class"].value_counts().to_dict() == {"small": 219, "medium": 101, "large": 32}
    assert int(m2021.set_index("name").at["Amsterdam", "population"]) == 873_338
    assert len(ref.places(2021)) == 2_500 and set(ref.places(2021)["gm_code"]) <= set(m2021["gm_code"])
    assert len(ref.mergers()) == 56
    geo = json.loads(ref.boundaries_path(2022).read_text())
    assert {f["properties"]["statcode"] for f in geo["features"]} == set(m2021["gm_code"])
    provenance = (PACKAGED_DIR / "PROVENANCE.md").read_text()
    assert "Bron: CBS" in provenance and "CC BY 4.0" in provenance and "03759ned" in provenance


def test_package_data_glob_ships_every_reference_file():
    globs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["sekswerk_assets"]
    suffixes = {g.removeprefix("**/*") for g in globs}
    files = [p for p in PACKAGED_DIR.iterdir() if p.is_file()]
    assert len(files) >= 11
    assert all(p.suffix in suffixes for p in files), sorted(p.name for p in files if p.suffix not in suffixes)


def test_sandbox_reads_the_packaged_data_by_default(no_override):
    from sekswerk_assets.sandbox.config import load_config

    assert load_config().resolved_reference_dir() == PACKAGED_DIR


def test_reference_dir_overrides_the_packaged_data(no_override, monkeypatch):
    override = no_override / "override"
    override.mkdir()
    small = pd.read_csv(PACKAGED_DIR / "gemeenten_2021.csv").head(3)
    small.to_csv(override / "gemeenten_2021.csv", index=False)
    monkeypatch.setenv("SEKSWERK_REFERENCE_DIR", str(override))
    ref = MunicipalityReference()
    assert ref.folders()[0] == override
    assert len(ref.municipalities(2021)) == 3
    with pytest.raises(ReferenceDataMissing, match="unset SEKSWERK_REFERENCE_DIR"):
        ref.municipalities(2022)  # packaged, but the override replaces the packaged folder


def test_year_neither_packaged_nor_cached_is_one_error_naming_the_command(no_override):
    ref = MunicipalityReference()
    for call in (lambda: ref.municipalities(2027), lambda: ref.places(2027)):
        with pytest.raises(ReferenceDataMissing) as info:
            call()
        message = str(info.value)
        assert "python -m sekswerk_assets.reference update --year 2027" in message
        assert str(PACKAGED_DIR) in message and str(no_override / "data" / "reference") in message


OLD_PHRASES = (  # the reference data used to be kept out of the project; it ships with it now
    "must not be committed into the project", "never part of the repository", "never copied into the repository",
    "Nothing is copied into the repository", "read at run time, never copied",
)


def test_no_file_repeats_that_the_reference_is_kept_out_of_the_project():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    offenders = [
        (f, phrase) for f in tracked
        if f.endswith((".py", ".md", ".yaml", ".toml")) and (REPO / f).is_file() and not f.endswith("test_reference_data.py")
        for phrase in OLD_PHRASES if phrase.casefold() in (REPO / f).read_text(errors="ignore").casefold()
    ]
    assert offenders == []


# --- the update command, with recorded (hand-made, API-shaped) responses instead of the network -------------

@pytest.fixture
def small_2026(no_override, monkeypatch):
    """A reference folder holding four 2026 municipalities, so that the fictional 2027 merger is visible."""
    folder = no_override / "ref"
    folder.mkdir()
    codes = ["GM0014", "GM0034", "GM0037", "GM0047"]
    gm = pd.read_csv(PACKAGED_DIR / "gemeenten_2026.csv", dtype=str)
    gm[gm["gm_code"].isin(codes)].to_csv(folder / "gemeenten_2026.csv", index=False)
    wp = pd.read_csv(PACKAGED_DIR / "woonplaatsen_2021_2026_long.csv", dtype=str)
    wp[wp["gm_code"].isin(codes)].to_csv(folder / "woonplaatsen_2021_2026_long.csv", index=False)
    shutil.copy(PACKAGED_DIR / "herindelingen_2019_2026.csv", folder)
    monkeypatch.setenv("SEKSWERK_REFERENCE_DIR", str(folder))
    return folder


@pytest.fixture
def recorded(monkeypatch):
    """Replace cbsodata and the PDOK request by the recorded responses; count the calls."""
    import cbsodata

    population = json.loads((FIXTURES / "cbs_03759ned_2027.json").read_text())
    places = json.loads((FIXTURES / "cbs_woonplaatsen_2027.json").read_text())
    pdok = json.loads((FIXTURES / "pdok_gemeente_gegeneraliseerd_2027.json").read_text())
    calls: list[tuple] = []

    def get_data(table_id, filters=None, select=None, **kw):
        calls.append(("get_data", table_id, filters))
        if table_id == "03759ned":
            assert "Perioden eq '2027JJ00'" in filters and "T001038" in filters
            return [dict(r) for r in population["get_data"]]
        assert table_id == "86999NED"
        return [dict(r) for r in places["get_data"]]

    def get_meta(table_id, name, **kw):
        calls.append(("get_meta", table_id, name))
        return population["get_meta_RegioS"]

    def get_table_list(select=None, filters=None, **kw):
        calls.append(("get_table_list", filters))
        return places["get_table_list"]

    def http_get_json(url, params):
        calls.append(("pdok", url, params["typeNames"]))
        assert url == "https://service.pdok.nl/cbs/gebiedsindelingen/2027/wfs/v1_0"
        return pdok

    monkeypatch.setattr(cbsodata, "get_data", get_data)
    monkeypatch.setattr(cbsodata, "get_meta", get_meta)
    monkeypatch.setattr(cbsodata, "get_table_list", get_table_list)
    monkeypatch.setattr(upd, "http_get_json", http_get_json)
    return {"calls": calls, "population": population}


def test_update_command_fetches_checks_and_caches_a_new_year(small_2026, recorded, no_override, capsys):
    assert main(["update", "--year", "2027"]) == 0
    out = capsys.readouterr().out
    assert "3 municipalities" in out and "Bron: CBS" in out
    cache = no_override / "data" / "reference"
    assert sorted(p.name for p in cache.iterdir()) == [
        "gemeenten_2027.csv", "gemeenten_2027.geojson", "herindelingen_2027.csv", "woonplaatsen_2027.csv"]
    assert {c[0] for c in recorded["calls"]} == {"get_data", "get_meta", "get_table_list", "pdok"}

    ref = MunicipalityReference()
    gm = ref.municipalities(2027).set_index("gm_code")
    assert list(gm.index) == ["GM0014", "GM0034", "GM1999"]
    assert gm.at["GM0014", "name"] == "Groningen" and gm.at["GM0014", "name_cbs"] == "Groningen (gemeente)"
    assert gm.at["GM1999", "population"] == 60_100 and gm.at["GM1999", "size_class"] == "medium"
    assert gm.at["GM0034", "province"] == "Flevoland"
    places = ref.places(2027)
    assert len(places) == 26 and places["woonplaats"].str.strip().eq(places["woonplaats"]).all()
    assert set(places.loc[places["woonplaats"] == "Veendam", "gm_code"]) == {"GM1999"}

    mergers = ref.mergers()
    new = mergers[mergers["first_cbs_year"] == "2027"].set_index("old_gm_code")
    assert sorted(new.index) == ["GM0037", "GM0047"]
    assert set(new["new_gm_code"]) == {"GM1999"} and set(new["change_type"]) == {"samenvoeging tot nieuwe gemeente"}
    assert new.at["GM0047", "n_woonplaatsen"] == "3"
    assert len(mergers) == 56 + 2  # the packaged history is kept

    geo = json.loads(ref.boundaries_path(2027).read_text())
    assert ref.boundaries_path(2027).name == "gemeenten_2027.geojson"
    lon, lat = geo["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 3 < lon < 8 and 50 < lat < 54  # the lat/lon answer was turned into lon/lat
    assert geo["features"][2]["properties"]["population_2027"] == 60_100


def test_update_that_fails_a_check_writes_nothing(small_2026, recorded, no_override, capsys):
    recorded["population"]["get_data"][0]["BevolkingOp1Januari_1"] += 1  # national total no longer adds up
    assert main(["update", "--year", "2027"]) == 1
    err = capsys.readouterr().err
    assert "national total" in err and err.count("\n") == 1
    assert not (no_override / "data" / "reference").exists()
    with pytest.raises(ReferenceDataMissing, match="update --year 2027"):
        MunicipalityReference().municipalities(2027)


def test_update_without_network_fails_with_one_line(small_2026, no_override, monkeypatch):
    import cbsodata

    def offline(*a, **kw):
        raise ConnectionError("no route to opendata.cbs.nl")

    monkeypatch.setattr(cbsodata, "get_data", offline)
    with pytest.raises(upd.UpdateFailed, match="fetching the CBS reference for 2027 failed: ConnectionError"):
        upd.update(2027)


def test_allow_online_fetches_a_missing_year_during_a_run(small_2026, recorded):
    assert len(MunicipalityReference(allow_online=True).municipalities(2027)) == 3


def test_cli_help_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "sekswerk_assets.reference", "update", "--help"],
                            cwd=REPO, capture_output=True, text=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin"})
    assert result.returncode == 0 and "--year" in result.stdout


def test_update_needs_the_year_before(no_override, capsys):
    assert main(["update", "--year", "2029"]) == 1
    err = capsys.readouterr().err
    assert "needs the reference of 2028 first (python -m sekswerk_assets.reference update --year 2028)" in err


def test_unreadable_packaged_data_is_a_clear_error(no_override, monkeypatch):
    override = no_override / "locked"
    override.mkdir()
    (override / "gemeenten_2021.csv").write_text("gm_code,name\n")
    (override / "gemeenten_2021.csv").chmod(0)
    monkeypatch.setenv("SEKSWERK_REFERENCE_DIR", str(override))
    import os

    if os.geteuid() == 0:  # root reads any file: simulate the permission error of an ordinary user
        def denied(*a, **kw):
            raise PermissionError(13, "Permission denied", str(override / "gemeenten_2021.csv"))

        monkeypatch.setattr(pd, "read_csv", denied)
    with pytest.raises(ReferenceDataMissing, match="cannot read the municipality list .PermissionError"):
        MunicipalityReference().municipalities(2021)
    from sekswerk_assets.sandbox.reference import load_reference

    with pytest.raises(FileNotFoundError, match="municipality reference data unreadable: .*gemeenten_2021.csv"):
        load_reference(override)
