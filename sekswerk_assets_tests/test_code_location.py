"""The code location's shape: dg layout, no Dagster deprecations, a reviewed snapshot, the README's diagram."""


import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.typing import Series

from sekswerk_assets.lib.factory import typed_asset
from sekswerk_assets_tests.definitions_snapshot import SNAPSHOT, listing, render

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_loading_the_definitions_raises_no_dagster_deprecation_warning():
    script = (
        "import warnings\n"
        "warnings.simplefilter('error', DeprecationWarning)\n"
        "from sekswerk_assets.definitions import load_definitions\n"
        "defs = load_definitions(); defs.resolve_asset_graph(); defs.resolve_all_job_defs()\n"
        "print('loaded')\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "loaded" in out.stdout


def test_definitions_snapshot_is_current():
    current = render(listing())
    committed = SNAPSHOT.read_text()
    assert current == committed, (
        "the code location changed: review the diff and run "
        "`python -m sekswerk_assets_tests.definitions_snapshot --update`"
    )


@pytest.mark.parametrize("command", [["dg", "check", "defs"], ["dg", "list", "defs"]])
def test_dg_cli_loads_the_project(command):
    env = {**os.environ, "COLUMNS": "200"}
    out = subprocess.run([str(BIN / command[0]), *command[1:]], capture_output=True, text=True, cwd=REPO,
                         timeout=900, env=env)
    assert out.returncode == 0, (out.stdout + out.stderr)[-3000:]
    if command[1] == "list":
        assert "parsed_ads" in out.stdout and "nulmeting_report" in out.stdout


def test_import_contracts_hold():
    out = subprocess.run([str(BIN / "lint-imports")], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert out.returncode == 0, out.stdout[-4000:]
    assert "BROKEN" not in out.stdout and "KEPT" in out.stdout


def test_readme_diagram_names_exactly_the_asset_keys():
    text = (REPO / "README.md").read_text()
    block = re.search(r"```mermaid\n(.*?)```", text, re.S)
    assert block, "README has no Mermaid diagram"
    named = set(re.findall(r'"([a-z_]+/[a-z_0-9]+)"', block.group(1)))
    keys = set(listing()["assets"])
    assert named == keys, f"missing in diagram: {sorted(keys - named)}; not assets: {sorted(named - keys)}"


class _Tiny(pa.DataFrameModel):
    """A small model for the failing-check test."""

    n: Series[int] = pa.Field(ge=0, description="a count, never negative")
    label: Series[str] = pa.Field(isin=["a", "b"], description="one of two labels")


@typed_asset(key=["test", "tiny"], model=_Tiny, partitions="none", group="test", code_version="1", kinds=("pandas",))
def tiny(context: dg.AssetExecutionContext) -> pd.DataFrame:
    """A tiny asset whose rows break its model when the run config says so."""
    bad = context.run.tags.get("bad") == "yes"
    return pd.DataFrame({"n": [1, -5 if bad else 2], "label": ["a", "secret@example.org" if bad else "b"]})


@dg.asset(deps=[tiny])
def after_tiny() -> int:
    """Downstream of the tiny asset."""
    return 1


def test_a_pandera_failure_is_a_failed_check_and_nothing_downstream_runs(tmp_path):
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        good = dg.materialize([tiny, after_tiny], instance=instance)
        assert good.success
        evaluations = good.get_asset_check_evaluations()
        assert [(e.check_name, e.passed) for e in evaluations] == [("_Tiny_schema", True)]
        mat = good.asset_materializations_for_node("test__tiny")[0]
        schema = mat.metadata["dagster/column_schema"].value
        assert {c.name: c.description for c in schema.columns} == {"n": "a count, never negative",
                                                                  "label": "one of two labels"}

        bad = dg.materialize([tiny, after_tiny], instance=instance, tags={"bad": "yes"}, raise_on_error=False)
        assert not bad.success
        evaluations = bad.get_asset_check_evaluations()
        assert [(e.check_name, e.passed) for e in evaluations] == [("_Tiny_schema", False)]
        assert evaluations[0].metadata["failures"].value == 2
        assert not bad.asset_materializations_for_node("test__tiny"), "a failing frame must not be written"
        assert not bad.asset_materializations_for_node("after_tiny"), "nothing downstream may run"
        assert not [e for e in bad.all_events if e.event_type_value == "STEP_START" and e.step_key == "after_tiny"]
        text = " ".join(str(e) for e in instance.all_logs(bad.run_id))
        assert "secret@example.org" not in text, "a failing value must never reach the event log"


def test_every_model_column_has_a_description():
    import importlib
    import pkgutil

    import sekswerk_assets.schemas as schemas

    modules = [importlib.import_module(f"sekswerk_assets.schemas.{m.name}") for m in pkgutil.iter_modules(schemas.__path__)]
    modules.append(importlib.import_module("sekswerk_assets.report.schemas"))
    missing = []
    for module in modules:
        for model in vars(module).values():
            if isinstance(model, type) and issubclass(model, pa.DataFrameModel) and model is not pa.DataFrameModel:
                for name, column in model.to_schema().columns.items():
                    if not column.description:
                        missing.append(f"{model.__name__}.{name}")
    assert not missing, f"columns without a description: {missing[:20]}"
