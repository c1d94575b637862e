"""Metadata every asset attaches: provenance, synthetic flag, previews and plots."""

from __future__ import annotations

import base64
import functools
import importlib.metadata
import io
import subprocess
from pathlib import Path

import dagster as dg
import pandas as pd

PACKAGE_DIR = Path(__file__).resolve().parents[1]


@functools.cache
def code_version() -> str:
    """Package version, plus the git commit when the package itself sits in a checkout of this project.

    Git is asked about the package's own folder (never a parent chosen by position), so an installed
    copy reports its version alone and a checkout reports ``0.1.0+<commit>``.
    """
    try:
        version = importlib.metadata.version("sekswerk_assets")
    except importlib.metadata.PackageNotFoundError:
        version = "0+unknown"
    try:
        out = subprocess.run(
            ["git", "-C", str(PACKAGE_DIR), "rev-parse", "--show-toplevel", "--short=12", "HEAD"],
            capture_output=True, text=True, timeout=5,
        )
        lines = out.stdout.split()
        if out.returncode == 0 and len(lines) == 2 and (Path(lines[0]) / "sekswerk_assets") == PACKAGE_DIR:
            return f"{version}+{lines[1]}"
    except (OSError, subprocess.SubprocessError):
        pass
    return version


def provenance(*, synthetic: bool, seed: int | None = None, **extra) -> dict:
    """Standard provenance metadata: code version, synthetic flag and sandbox seed."""
    meta: dict = {"code_version": code_version(), "synthetic": synthetic}
    if synthetic and seed is not None:
        meta["sandbox_seed"] = seed
    meta.update(extra)
    return meta


def table_metadata(df: pd.DataFrame, *, preview_rows: int = 10, preview: bool = True) -> dict:
    """Row count and (optionally) a Markdown preview of a DataFrame.

    The column schema (with the Pandera model's descriptions) is added by the asset factory.
    """
    meta: dict = {"dagster/row_count": len(df)}
    if preview:
        meta["preview"] = dg.MetadataValue.md(markdown_preview(df.head(preview_rows)))
    return meta


def markdown_preview(df: pd.DataFrame) -> str:
    """A frame as a Markdown table: "–" for a missing value (never nan or <NA>), text kept as text ("4.20" stays
    "4.20"), numbers in tabulate's usual short form."""

    def cell(v):
        try:
            missing = v is None or bool(pd.isna(v))
        except (TypeError, ValueError):  # list-like cells
            missing = False
        if missing:
            return "–"
        if isinstance(v, float):
            return format(v, "g")
        return v

    return df.astype(object).map(cell).to_markdown(index=False, disable_numparse=True)


def png_metadata(fig) -> dg.MetadataValue:
    """A matplotlib figure as an inline PNG shown in the Dagster UI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    return dg.MetadataValue.md(f"![plot](data:image/png;base64,{data})")
