"""Each yearly partition says in the UI which weeks it covers, and the README's year table agrees with partitions.py."""

from __future__ import annotations

import re

import dagster as dg

from sekswerk_assets.defs.reference.assets import municipalities
from sekswerk_assets.partitions import weeks_of_year

from .conftest import REPO, make_resources


def test_yearly_partition_metadata_names_its_first_and_last_week(tmp_path, instance):
    res = make_resources(tmp_path)
    result = dg.materialize([municipalities], partition_key="2021", resources=res, instance=instance)
    assert result.success
    meta = result.asset_materializations_for_node(municipalities.op.name)[0].metadata
    assert meta["measurement_year/first_week"].value == "2021-08-24"
    assert meta["measurement_year/last_week"].value == "2022-08-16"
    assert meta["measurement_year/weeks"].value == 52


def test_readme_year_table_matches_the_partitions():
    text = (REPO / "README.md").read_text()
    rows = re.findall(r"^\| (20\d\d) \| (\d{4}-\d\d-\d\d) \| (\d{4}-\d\d-\d\d) \| (\d+) \|$", text, flags=re.M)
    assert [r[0] for r in rows] == [str(y) for y in range(2020, 2031)]
    for year, first, last, n in rows:
        weeks = weeks_of_year(year)
        assert (first, last, int(n)) == (weeks[0], weeks[-1], len(weeks)), year
