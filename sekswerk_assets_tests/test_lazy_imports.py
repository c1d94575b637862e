"""Loading the code location leaves the heavy libraries unimported; they load, working, at first use.

Every run worker, ``dagster dev`` and test process loads the definitions; GX, matplotlib, scipy, openpyxl
and the text-mining parser are needed by a few steps only. Counts and names, never timings.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from sekswerk_assets.lib.lazy import lazy_module

REPO = Path(__file__).resolve().parents[1]
#: imported by no module of the code location at load time, only inside the steps and checks that use them
AT_FIRST_USE = ("great_expectations", "matplotlib", "scipy", "openpyxl", "splink",
                "sekswerk_assets.extraction.parse", "sekswerk_assets.extraction.textmining")


def test_loading_the_definitions_imports_none_of_the_heavy_libraries():
    code = ("import json, sys; from sekswerk_assets.definitions import load_definitions; d = load_definitions(); "
            f"print(json.dumps([len(list(d.assets)), sorted(m for m in {list(AT_FIRST_USE)!r} if m in sys.modules)]))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300, check=True)
    n_assets, imported = json.loads(out.stdout.strip().splitlines()[-1])
    assert n_assets > 20  # the code location did load
    assert imported == []


def test_a_lazy_module_imports_at_first_use_and_then_is_the_module():
    calls = []
    mod = lazy_module("colorsys", setup=lambda: calls.append("setup"))
    assert "not loaded" in repr(mod) and calls == []
    assert mod.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
    assert mod.hls_to_rgb(0.0, 0.5, 1.0) == (1.0, 0.0, 0.0)
    assert calls == ["setup"] and "loaded" in repr(mod) and "not" not in repr(mod)


def test_lazy_pyplot_is_headless():
    from sekswerk_assets.lib.lazy import pyplot as plt

    fig, _ = plt.subplots()
    import matplotlib

    assert matplotlib.get_backend().lower() == "agg"
    plt.close(fig)
